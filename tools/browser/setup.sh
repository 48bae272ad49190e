#!/usr/bin/env bash
# Installs what the browser tests (pytest -m browser) need, idempotently:
#   * Debian's Chromium at /usr/bin/chromium (driven by Playwright through
#     executable_path; Playwright's own browser builds are never downloaded);
#   * the npm packages behind every CDN URL that Folium maps load, pinned in
#     tools/browser/package.json (= habitat.maps.assets.package_json_text()), into
#     tools/browser/node_modules (gitignored; no lock file is written).
# A re-run with everything in place takes a second or two.
set -euo pipefail
cd "$(dirname "$0")/../.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  # try with the current package lists first; refresh them only if that fails
  if ! $SUDO apt-get install -y -q --no-install-recommends "$@"; then
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends "$@"
  fi
}

if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Debian's chromium"
  apt_install chromium fonts-dejavu-core
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing npm"
  apt_install npm
fi

PY=.venv/bin/python
if [ ! -x "$PY" ]; then PY=python3; fi
# writes tools/browser/package.json (unchanged if in sync), runs npm install
# (skipped when node_modules already matches it) and habitat's generated files
"$PY" -m habitat.maps.assets fetch tools/browser >/dev/null
echo "setup: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium ?'); assets in tools/browser/node_modules"
