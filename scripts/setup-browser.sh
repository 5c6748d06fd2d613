#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver, and axe-core from npm, for the browser tests
# (tests/web.rs), and systemd-analyze for the unit check (tests/ops.rs), once.
# A re-run with both present is a no-op. Needs root or sudo (apt-get).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# axe-core (accessibility rules injected into the pages by the tests), pinned by tests/a11y/package-lock.json
if [ ! -f "$ROOT/tests/a11y/node_modules/axe-core/axe.min.js" ]; then
    echo "[setup-browser] installing axe-core from npm"
    npm ci --prefix "$ROOT/tests/a11y" --no-audit --no-fund >/dev/null
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if ! command -v systemd-analyze >/dev/null; then
    echo "[setup-browser] installing systemd (systemd-analyze) from Debian"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends systemd >/dev/null
fi

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    exit 0
fi
echo "[setup-browser] installing chromium and chromium-driver from Debian"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
chromium --version
chromedriver --version
