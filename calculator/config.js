// Where the calculator finds the rule bundles, the guidance pages and the forms. generator/calculator_assets.py
// rewrites this file in the built site; pages_root null means: do not link to guidance pages; forms null: no forms.
globalThis.JXJY_CALCULATOR_CONFIG = {"bundles": "../bundles/", "forms": null, "page_editions": null, "pages_root": null};
