"""jxjy: compile continuing-education credit policies into a site, forms, bundles and a calculator."""

__version__ = "0.1.0"
