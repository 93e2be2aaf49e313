"""Where the project's own data lives: schemas, templates, catalogs, static assets.

Every module that reads one of these asks here, so moving a module never breaks a path.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SCHEMAS = ROOT / "schemas"
TEMPLATES = ROOT / "site_templates"
MESSAGES = TEMPLATES / "messages"
PAGE_TEMPLATES = TEMPLATES / "pages"
FORM_TEMPLATES = TEMPLATES / "forms"
REPORT_TEMPLATES = TEMPLATES / "report"
SERVE_TEMPLATES = TEMPLATES / "serve"
STATIC = ROOT / "docs_static"
DOCS = ROOT / "docs"
CALCULATOR_SOURCE = ROOT / "calculator"
SCRIPTS = ROOT / "scripts"
MKDOCS_CONFIG = ROOT / "mkdocs.yml"
DEFAULT_POLICIES = "policies"
