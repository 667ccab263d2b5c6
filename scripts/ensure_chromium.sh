#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/browser/): Playwright drives it and
# never downloads a browser itself. Installed when missing and this user may (root
# with apt-get); otherwise the browser tests say they are skipped and why.
set -uo pipefail
if command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM:-}" ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
else
    echo "Chromium not found and not installable here (needs root and apt-get): browser tests will be skipped."
fi
exit 0
