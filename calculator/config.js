// Where the calculator finds its data (data/, written with the site) and the guidance pages.
// generator/calculator_assets.py rewrites this file in the built site; pages_root null means: do not link to
// guidance pages.
globalThis.JXJY_CALCULATOR_CONFIG = {"data": "data/", "page_editions": null, "pages_root": null};
