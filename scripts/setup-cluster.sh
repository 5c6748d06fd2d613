#!/usr/bin/env bash
# Installs Debian's PostgreSQL and HAProxy for the store and cluster tests (tests/store.rs,
# tests/stats.rs, tests/cluster.rs), once. The tests start their own servers in temporary folders
# on loopback ports; the packages' own services are not used (and not started here).
# A re-run with both present is a no-op. Needs root or sudo (apt-get).
set -euo pipefail

have_postgres() { ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; }

if have_postgres && command -v haproxy >/dev/null; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "[setup-cluster] installing postgresql and haproxy from Debian"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends postgresql haproxy >/dev/null
have_postgres
haproxy -v | head -1
