// Where the calculator finds the rule bundles and the guidance pages. generator/calculator_assets.py
// rewrites this file in the built site; pages_root null means: do not link to guidance pages.
globalThis.JXJY_CALCULATOR_CONFIG = {"bundles": "../bundles/", "pages_root": null, "page_editions": null};
