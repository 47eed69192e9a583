#!/usr/bin/env bash
# Sets up the browser layer (test/browser/) and `npm run web`: Debian's Chromium, from apt (never a browser download:
# Playwright's own installer is not used), and the web example (examples/web: its own dependencies, then its build into
# examples/web/dist). Without Chromium, and without root to install it, the browser tests print one SKIPPED line; in CI
# (CI=true) they fail instead.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "browser: installing Debian's Chromium (apt-get install chromium)..." >&2
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >&2
    else
        echo "browser: Debian's Chromium is not installed (run: sudo apt-get install chromium); the browser tests will be skipped" >&2
    fi
fi
echo "browser: installing and building the web example (examples/web)..." >&2
npm ci --prefix examples/web --no-audit --no-fund --prefer-offline >&2
npm --prefix examples/web run build >&2
