#!/usr/bin/env bash
# Runs the benchmarks on a Release build: bench/import on SQLite and on a throwaway PostgreSQL,
# then bench/http (authenticated household reads over HTTP, bench/http.sh).
#   HOUSEHOLDS=220000 bench/run.sh      (bench/import: about 1,000,000 members)
#   HTTP_HOUSEHOLDS=1000000             (bench/http's registry, kept in BENCH_DIR for reuse)
#   PAYMENTS_BENEFICIARIES=1000000 PAYMENTS_PG_BENEFICIARIES=100000   (bench/payments)
#   GRIEVANCE_HOUSEHOLDS=100000         (bench/grievance: filings over HTTP, group commit)
#   ACCESS_LOG_ENTRIES=2000000          (bench/access_log: the access log's writer alone)
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target import_bench -j "$(nproc)"
bash scripts/pg-test-server.sh start >/dev/null
trap 'bash scripts/pg-test-server.sh stop >/dev/null 2>&1 || true' EXIT
./build/bench/import_bench --households "${HOUSEHOLDS:-220000}" --pg "$(bash scripts/pg-test-server.sh url)"
bash bench/http.sh
# bench/access_log (issue 3): the access log's writer alone, the compact side file against the
# whole rows it replaced.
cmake --build build --target access_log_bench -j "$(nproc)" && ./build/bench/access_log_bench "${ACCESS_LOG_ENTRIES:-2000000}"
# bench/eligibility (issue 4): rules over the whole registry next to SQLite, PostgreSQL and DuckDB.
cmake --build build --target eligibility_bench -j "$(nproc)" && (cd bench/node && npm install --no-audit --no-fund --silent) && ./build/bench/eligibility_bench --households "${ELIGIBILITY_HOUSEHOLDS:-1000000}" --pg "$(bash scripts/pg-test-server.sh url)"
# bench/payments (issue 5): one payment cycle, step by step, on durable SQLite (1,000,000
# beneficiaries; the world's 3 banks, then 30 banks of skewed shares drawn at random, which is
# closer to a state's accounts) and on the throwaway PostgreSQL (100,000: each row is a round
# trip there). The world is built once and copied for the second run (PAYMENTS_WORLD_CACHE).
PAYMENTS_WORLD_CACHE="${PAYMENTS_WORLD_CACHE:-/tmp/spode-bench-payments-world-${PAYMENTS_BENEFICIARIES:-1000000}.db}"
cmake --build build --target payments_bench -j "$(nproc)" && ./build/bench/payments_bench --beneficiaries "${PAYMENTS_BENEFICIARIES:-1000000}" --world-cache "$PAYMENTS_WORLD_CACHE" && ./build/bench/payments_bench --beneficiaries "${PAYMENTS_BENEFICIARIES:-1000000}" --world-cache "$PAYMENTS_WORLD_CACHE" --banks 30 --bank-shares skewed && ./build/bench/payments_bench --beneficiaries "${PAYMENTS_PG_BENEFICIARIES:-100000}" --pg "$(bash scripts/pg-test-server.sh url)"
# bench/grievance (issue 6): grievances filed over HTTP with group commit, then read by ticket.
bash bench/grievance.sh
