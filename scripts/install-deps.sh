#!/usr/bin/env bash
# Installs what spode needs to build, test and run on Debian 12, from Debian's packages only.
# Idempotent and quick when everything is present: it asks dpkg first and calls apt-get only
# for what is missing. Run as root, or as a user with sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libboost-dev nlohmann-json3-dev libsimdjson-dev libsodium-dev libssl-dev
  libtomlplusplus-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev libqrencode-dev
  libsqlite3-dev sqlite3 libpq-dev postgresql postgresql-client
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  clang-14 libclang-rt-14-dev wrk curl ccache
  libxml2-utils
  nodejs chromium
)
# npm from Debian only when no npm is there: a nodejs from elsewhere (NodeSource) bundles its own
# and conflicts with Debian's npm package.
if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "spode: installing ${#missing[@]} missing Debian packages: ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "spode: packages installed"
