#!/usr/bin/env bash
# Installs what the tests need: npm packages and a Chromium for Playwright.
# Debian: the distribution's chromium package (Playwright's own browser download is not needed).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  else
    echo "test-setup: no chromium found. Install your distribution's chromium, set CHROMIUM_PATH," >&2
    echo "            or run 'npx playwright install chromium' where downloads are allowed." >&2
  fi
fi
npm install --no-audit --no-fund
