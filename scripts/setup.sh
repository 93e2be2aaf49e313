#!/usr/bin/env bash
# Set up a fresh machine for jxjy: system packages (when root), then a virtualenv in .venv.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# fonts-noto-cjk: Chinese in PDFs; poppler-*: PDF checks (poppler-data has the CJK CMaps for form fields);
# chromium: screenshots and browser tests (driven by Playwright through executable_path, never downloaded);
# libreoffice-calc-nogui: the roster workbooks' formulas are recalculated by a real spreadsheet in the tests;
# default-jre-headless: Java for PySpark (the audit's SQL on Spark, local mode in the tests);
# nodejs/npm: the JS engine's tests and axe-core (skipped when the machine already has node).
SYSTEM_PACKAGES=(fonts-noto-cjk poppler-utils poppler-data chromium libreoffice-calc-nogui default-jre-headless)
command -v node >/dev/null || SYSTEM_PACKAGES+=(nodejs npm)
missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install ${missing[*]}" >&2
    echo "setup: (Chinese text in PDFs needs fonts-noto-cjk; PDF checks need poppler-utils)" >&2
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[site,test,audit,spark]'
if command -v npm >/dev/null && [ -f package-lock.json ]; then
  npm ci --silent --no-audit --no-fund >/dev/null   # axe-core for the accessibility test; no browser download
fi
echo "setup: ok ($(.venv/bin/python --version), jxjy at .venv/bin/jxjy)"
