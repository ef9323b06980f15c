#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it:
#   1. Release build; every test on SQLite, and the storage and registry tests again on a real
#      PostgreSQL server started here (scripts/pg-test-server.sh) on loopback;
#   2. the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the module floor check (scripts/check-floors.sh);
#   4. the web front end: build, bundle budget, browser journeys with axe-core in headless
#      chromium against a fresh `spode serve` (scripts/web.sh; docs/web.md);
#   5. a bounded fuzz run of the rules language (scripts/fuzz.sh; clang-14).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-$(nproc)}
start=$(date +%s)

echo "== floors: lower modules never include higher ones"
bash scripts/check-floors.sh

echo "== build (Release)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"

echo "== PostgreSQL: starting a throwaway server on loopback"
bash scripts/pg-test-server.sh start >/dev/null
trap 'bash scripts/pg-test-server.sh stop >/dev/null 2>&1 || true' EXIT
export SPODE_TEST_PG_URL
SPODE_TEST_PG_URL=$(bash scripts/pg-test-server.sh url)

echo "== tests (SQLite and PostgreSQL)"
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== web: build, bundle budget, browser journeys (headless chromium, axe-core)"
SPODE_BIN="$PWD/build/spode" bash scripts/web.sh all

echo "== build (AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSPODE_SANITIZE=ON -DSPODE_BENCH=OFF >/dev/null
cmake --build build-asan -j "$jobs"

echo "== unit tests under sanitizers"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -L unit

echo "== fuzz: the rules parser and checker (libFuzzer, bounded)"
FUZZ_SECONDS=${FUZZ_SECONDS:-30} bash scripts/fuzz.sh

echo "== all tests passed in $(( $(date +%s) - start )) s"
