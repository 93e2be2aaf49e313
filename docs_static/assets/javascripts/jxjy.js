/* jxjy guidance site: small page behaviours that need no framework (works from file://).
 *
 *  - the clause a reader arrived at (source.html#二-三-2-1) is marked distinctly: its label and every
 *    highlighted run of its quote (<mark data-clauses="…">) get .jx-target, on load and on every
 *    change of the address's #fragment;
 *  - a table too wide for the screen says so: its scroll box gets .jx-overflow (CSS draws the edge
 *    shadow and the hint, whose words come from the page: .jx-strings data-scroll-cue).
 * No text of its own: what a reader sees comes from the generated pages.
 */
(function () {
  "use strict";

  function targetId() {
    try { return decodeURIComponent(location.hash.slice(1)); } catch (e) { return location.hash.slice(1); }
  }

  function markTarget() {
    var id = targetId();
    var old = document.querySelectorAll(".jx-target");
    for (var i = 0; i < old.length; i++) old[i].classList.remove("jx-target");
    if (!id) return;
    var label = document.getElementById(id);
    if (!label || !label.classList.contains("jx-clause-id")) return;
    label.classList.add("jx-target");
    var marks = document.querySelectorAll("mark[data-clauses]");
    for (var j = 0; j < marks.length; j++) {
      if (marks[j].getAttribute("data-clauses").split(" ").indexOf(id) >= 0) marks[j].classList.add("jx-target");
    }
  }

  function cue() {
    var strings = document.querySelector(".jx-strings");
    var text = strings ? strings.getAttribute("data-scroll-cue") : "";
    var boxes = document.querySelectorAll(".md-typeset__scrollwrap, .jx-scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("jx-overflow", wide);
      if (text) box.setAttribute("data-scroll-cue", text);
      if (wide && !box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
      box.classList.toggle("jx-scrolled-end", wide && box.scrollLeft + box.clientWidth >= box.scrollWidth - 2);
    }
  }

  function ready() {
    markTarget();
    cue();
    setTimeout(cue, 250);  // after the theme has wrapped its tables in scroll boxes
    window.addEventListener("load", cue);
    document.addEventListener("scroll", function (ev) {
      var t = ev.target;
      if (t && t.classList && t.classList.contains("jx-overflow")) {
        t.classList.toggle("jx-scrolled-end", t.scrollLeft + t.clientWidth >= t.scrollWidth - 2);
      }
    }, true);
  }

  window.addEventListener("hashchange", markTarget);
  window.addEventListener("resize", cue);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
