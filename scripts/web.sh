#!/usr/bin/env bash
# The web front end (web/): install its npm packages, build web/dist, run the browser tests.
#   scripts/web.sh build   npm ci (only when package-lock.json changed), type-check, build,
#                          precompress, and check the citizen bundle against its 100 KB budget
#   scripts/web.sh e2e     the browser journeys (web/e2e/) in headless /usr/bin/chromium against
#                          a fresh `spode serve` (SPODE_BIN, default build/spode)
#   scripts/web.sh         both
# Needs nodejs, npm and chromium from Debian (scripts/install-deps.sh); downloads no browser.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

install() {
  # npm ci is exact (package-lock.json) and clean; skip it when node_modules was installed from
  # this very lock file (a stamp written after the last npm ci).
  local want have=""
  want=$(sha256sum web/package-lock.json | cut -d' ' -f1)
  [[ -f web/node_modules/.spode-lock.sha256 ]] && have=$(cat web/node_modules/.spode-lock.sha256)
  if [[ "$want" != "$have" ]]; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > web/node_modules/.spode-lock.sha256
  fi
}

build() {
  install
  local log
  if ! log=$(cd web && npm run --silent build 2>&1); then
    echo "$log" >&2
    echo "web.sh: the web build failed" >&2
    exit 1
  fi
  (cd web && node scripts/size.mjs | tail -1)
}

e2e() {
  export SPODE_BIN=${SPODE_BIN:-$root/build/spode}
  [[ -x $SPODE_BIN ]] || { echo "web.sh: no spode binary at $SPODE_BIN (make build)" >&2; exit 1; }
  [[ -f web/dist/index.html ]] || build
  (cd web && node e2e/run.mjs)
}

case "${1:-all}" in
  build) build ;;
  e2e) e2e ;;
  all) build; e2e ;;
  *) echo "usage: scripts/web.sh [build|e2e]" >&2; exit 2 ;;
esac
