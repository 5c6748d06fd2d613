#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the browser tests (tests/web.rs), once.
# A re-run with both present is a no-op. Needs root or sudo (apt-get).
set -euo pipefail

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "[setup-browser] installing chromium and chromium-driver from Debian"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
chromium --version
chromedriver --version
