"""The message catalogs: every sentence a user reads, Chinese first.

``site_templates/messages/zh.yaml`` is the publication catalog: the engines' explanations, rule
prose, result errors (carried by every rule bundle, so a downstream system shows the same
sentences) and the diagnostics of the command line. ``en.yaml`` holds the same ``errors`` and
``diagnostics`` in English, for ``--lang en`` (or an English locale).

Two ways in:

- :func:`message` renders publication text (trace, prose, result errors): always the catalog's
  own language, so a built site or bundle never depends on who built it;
- :func:`render` renders what the person at the terminal reads (diagnostics): in
  :func:`current_language`.

A parameter that is a list is joined with the language's ``joiner``; a parameter that is a
:class:`Phrase` (a catalog key with its own parameters: "text '学份'", "a list", "; did you mean
'rate'?") is rendered in the same language as the sentence around it, so a diagnostic composed of
parts still reads as one sentence in Chinese or in English.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, NamedTuple

import yaml

from generator.base.paths import MESSAGES

LANGUAGES = ("zh", "en")
PUBLICATION_LANGUAGE = "zh"
_chosen: str | None = None


def set_language(lang: str | None) -> None:
    """Choose the language of diagnostics for this process (None: back to the environment's)."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
    global _chosen
    _chosen = lang


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """JXJY_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG): English only when it says so."""
    env = os.environ if environ is None else environ
    explicit = env.get("JXJY_LANG", "").strip().lower()
    if explicit in LANGUAGES:
        return explicit
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip().lower()
        if value:
            return "en" if value.startswith("en") else PUBLICATION_LANGUAGE
    return PUBLICATION_LANGUAGE


def current_language() -> str:
    return _chosen or language_from_environment()


@cache
def catalog(lang: str = PUBLICATION_LANGUAGE) -> dict:
    """The whole catalog of one language, as written in site_templates/messages/<lang>.yaml."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    data = yaml.safe_load((MESSAGES / f"{lang}.yaml").read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def bundled_catalog() -> dict:
    """What a rule bundle carries: the publication catalog without the command line's diagnostics."""
    return {k: v for k, v in catalog(PUBLICATION_LANGUAGE).items() if k != "diagnostics"}


@cache
def template(key: str, lang: str = PUBLICATION_LANGUAGE) -> str:
    """The template text at a dotted key ('errors.entry.unknown_item'); KeyError when there is none.
    Cached: the catalogs are read once and never change while jxjy runs (the engine renders a line per entry)."""
    node: Any = catalog(lang)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(key)
        node = node[part]
    if isinstance(node, (dict, list)):
        raise KeyError(key)
    return str(node)


def has_message(key: str, lang: str = PUBLICATION_LANGUAGE) -> bool:
    try:
        template(key, lang)
    except KeyError:
        return False
    return True


class Phrase(NamedTuple):
    """A part of a sentence kept as a catalog key and parameters, rendered with the sentence.

    A tuple of texts, so a diagnostic that carries one still sorts and hashes."""

    key: str
    params: tuple[tuple[str, Any], ...] = ()


def phrase(key: str, **params: object) -> Phrase:
    """A Phrase; its parameters are normalised by the Diagnostic that carries it."""
    return Phrase(key, tuple(sorted(params.items())))


def _joined(value: object, lang: str) -> object:
    if isinstance(value, Phrase):
        return render(value.key, value.params, lang)
    if isinstance(value, (list, tuple)):
        joiner = template("diagnostics.joiner", lang) if has_message("diagnostics.joiner", lang) else "、"
        return joiner.join(str(_joined(v, lang)) for v in value)
    return value


def message(key: str, **params: object) -> str:
    """Publication text at 'a.b' with its {placeholders} filled in (always the publication language)."""
    text = template(key)
    if any(isinstance(v, (Phrase, list, tuple)) for v in params.values()):
        return text.format(**{k: _joined(v, PUBLICATION_LANGUAGE) for k, v in params.items()})
    return text.format(**params)


def render(key: str, params: Mapping[str, object] | Iterable[tuple[str, object]] = (), lang: str | None = None) -> str:
    """A diagnostic's sentence in the reader's language; falls back to Chinese for a key English lacks."""
    lang = lang or current_language()
    if not has_message(key, lang):
        lang = PUBLICATION_LANGUAGE
    values = dict(params)
    return template(key, lang).format(**{k: _joined(v, lang) for k, v in values.items()})
