#!/usr/bin/env bash
# bench/http: authenticated household reads over HTTP, next to the server's ceiling measured in
# the same run (GET /healthz, constant JSON, on the same server with the same client).
#
#   bash bench/http.sh                            (1,000,000 households; about 2 minutes the
#                                                  first time, to generate and import them)
#   HTTP_HOUSEHOLDS=100000 BENCH_DIR=/tmp/x bash bench/http.sh
#
# 1. Builds the Release binary (build/spode).
# 2. Creates, or reuses, BENCH_DIR/households-N.db: `spode generate --seed 42` + `spode import`.
# 3. Adds an officer with state scope 99 (`spode user add`, password from stdin; kept in
#    BENCH_DIR/households-N.db.officer so that a reused database reuses the account), and
#    writes HTTP_IDS family IDs of active households of the officer's area, picked
#    deterministically, to BENCH_DIR/family-ids.txt.
# 4. Starts `spode serve` on 127.0.0.1 (port 0: the kernel picks a free one; read from its log),
#    waits for /readyz, signs in (POST /api/v1/auth/login) for a session token.
# 5. wrk (bench/http_households.lua): a warm-up that checks the status of every response, then
#    the measured run, for (a) GET /api/v1/households/{family_id} at random over the IDs (fixed
#    seed) as the officer, and (b) GET /healthz. Prints requests/s, p50 and p99 of both, the
#    ratio, and the issue's targets (issue 3): >= 20,000 reads/s with p99 < 5 ms, and >= 40%
#    of the ceiling. Then (a2), the reads again, paced: HTTP_PACED_CONNECTIONS connections,
#    each waiting about HTTP_PACED_DELAY_MS between requests, a sustained load below
#    saturation (about 20,000-23,000/s with the defaults when a read takes about 1 ms), for
#    the latency at that rate. A closed loop's p99 is mostly queueing (its mean latency is
#    connections / rate by Little's law: 3.2 ms for 64 connections at 20,000/s), so "p99 under
#    5 ms" is judged on (a2), at the rate (a2) reached, which must itself be >= 20,000/s.
# 6. Stops the server with SIGTERM. Exit status 0, or 1 with a message when something fails:
#    any non-2xx response stops the run at once, loudly. A missed target is reported, not a
#    failure.
#
# Settings (environment): HTTP_HOUSEHOLDS (1000000), BENCH_DIR (/tmp/spode-bench-http),
# HTTP_THREADS (2), HTTP_CONNECTIONS (64), HTTP_DURATION (10 s), HTTP_WARMUP (2 s),
# HTTP_IDS (10000), HTTP_SEED (42), HTTP_PACED_CONNECTIONS (128), HTTP_PACED_DELAY_MS (5),
# HTTP_WORKERS (server worker threads; default one per core), HTTP_SPODE (a spode binary to
# run instead of building build/spode: to compare two builds on the same data),
# HTTP_VIEW_CACHE_MB (the server's [server] household_view_cache_mb; unset: its default, 64;
# 0: every read from the tables), HTTP_PERF=1 (afterwards, an extra households run while
# `perf record` samples the server for 5 s; prints its top symbols and keeps BENCH_DIR/perf.data;
# never during the measured runs).
# Only loopback traffic.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

HOUSEHOLDS=${HTTP_HOUSEHOLDS:-1000000}
BENCH_DIR=${BENCH_DIR:-/tmp/spode-bench-http}
THREADS=${HTTP_THREADS:-2}
CONNECTIONS=${HTTP_CONNECTIONS:-64}
DURATION=${HTTP_DURATION:-10}
WARMUP=${HTTP_WARMUP:-2}
NIDS=${HTTP_IDS:-10000}
SEED=${HTTP_SEED:-42}
WORKERS=${HTTP_WORKERS:-}
PERF=${HTTP_PERF:-0}
VIEW_CACHE_MB=${HTTP_VIEW_CACHE_MB:-}
PACED_CONNECTIONS=${HTTP_PACED_CONNECTIONS:-128}
PACED_DELAY_MS=${HTTP_PACED_DELAY_MS:-5}
LUA="$ROOT/bench/http_households.lua"
SPODE=${HTTP_SPODE:-"$ROOT/build/spode"}

die() {
  echo "bench/http: FAILED: $*" >&2
  exit 1
}
for tool in cmake wrk curl sqlite3; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/install-deps.sh)"
done
[[ "$HOUSEHOLDS" =~ ^[0-9]+$ && "$HOUSEHOLDS" -gt 0 ]] || die "HTTP_HOUSEHOLDS must be a number"

SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# --- 1. build ---
if [[ -n "${HTTP_SPODE:-}" ]]; then
  [[ -x "$SPODE" ]] || die "HTTP_SPODE=$SPODE is not an executable"
  echo "bench/http: using $SPODE (HTTP_SPODE; not rebuilt)"
else
  echo "bench/http: building the Release binary"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build --target spode -j "$(nproc)" >/dev/null || die "build failed"
fi

# --- 2. data ---
mkdir -p "$BENCH_DIR"
DB="$BENCH_DIR/households-$HOUSEHOLDS.db"
READY="$DB.ready"  # written only after a complete import
if [[ -f "$DB" && -f "$READY" ]]; then
  echo "bench/http: reusing $DB ($(cat "$READY"))"
else
  rm -f "$DB" "$DB"-wal "$DB"-shm "$DB".key "$DB".officer "$READY"
  JSONL="$BENCH_DIR/households-$HOUSEHOLDS.jsonl"
  echo "bench/http: generating $HOUSEHOLDS households (seed 42) and importing them into $DB"
  "$SPODE" --log-level warn generate --households "$HOUSEHOLDS" --seed 42 --out "$JSONL" \
    >/dev/null || die "spode generate failed"
  start=$(date +%s.%N)
  "$SPODE" --log-level warn import "$JSONL" --db "$DB" --json >"$BENCH_DIR/import.json" ||
    die "spode import failed (report in $BENCH_DIR/import.json)"
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  rm -f "$JSONL"
  summary=$(sed -n 's/^  "\(households_imported\|members_imported\|households_held\)": \([0-9]*\).*/\1 \2/p' \
    "$BENCH_DIR/import.json" | paste -sd' ')
  echo "$summary, imported in $secs s" >"$READY"
  echo "bench/http: $summary (import took $secs s)"
fi

# --- 3. the officer and the family IDs ---
OFFICER_FILE="$DB.officer"
if [[ -f "$OFFICER_FILE" ]]; then
  read -r OFFICER PASSWORD <"$OFFICER_FILE"
else
  OFFICER="bench.officer.$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  PASSWORD=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf '%s\n' "$PASSWORD" |
    "$SPODE" --log-level warn user add "$OFFICER" --role officer --scope 99 \
      --display-name "bench/http officer" --db "$DB" >/dev/null || die "spode user add failed"
  (umask 077 && echo "$OFFICER $PASSWORD" >"$OFFICER_FILE")
fi
IDS="$BENCH_DIR/family-ids.txt"
# Active households of the officer's area (state 99), in a fixed pseudo-random order.
sqlite3 "$DB" "SELECT family_id FROM households WHERE status = 'active' AND village_code LIKE '99%'
               ORDER BY (household_idx * 2654435761) % 4294967296, household_idx
               LIMIT $NIDS" >"$IDS" || die "cannot read family IDs from $DB"
nids=$(wc -l <"$IDS")
[[ "$nids" -gt 0 ]] || die "no active households in $DB"

# --- 4. the server ---
SERVE_LOG="$BENCH_DIR/serve.log"
serve_args=(--log-level info serve --db "$DB" --bind 127.0.0.1 --port 0)
if [[ -n "$VIEW_CACHE_MB" ]]; then
  [[ "$VIEW_CACHE_MB" =~ ^[0-9]+$ ]] || die "HTTP_VIEW_CACHE_MB must be a number"
  printf '[server]\nhousehold_view_cache_mb = %s\n' "$VIEW_CACHE_MB" >"$BENCH_DIR/serve.toml"
  serve_args=(--config "$BENCH_DIR/serve.toml" "${serve_args[@]}")
fi
[[ -n "$WORKERS" ]] && serve_args+=(--workers "$WORKERS")
"$SPODE" "${serve_args[@]}" >"$SERVE_LOG" 2>&1 &
SERVER_PID=$!
PORT=""
# Three minutes at most: a start takes a second, but converting an access log an older version
# wrote (once) takes about a minute for 12 million entries.
for _ in $(seq 1 1800); do
  PORT=$(sed -n 's/.*http server listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$SERVE_LOG" | head -1)
  [[ -n "$PORT" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || die "spode serve exited: $(tail -5 "$SERVE_LOG")"
  sleep 0.1
done
[[ -n "$PORT" ]] || die "spode serve did not start listening in three minutes (log: $SERVE_LOG)"
BASE="http://127.0.0.1:$PORT"
# It listens at once and builds its eligibility snapshot in the background, ready when built:
# about 20 s for a million households read from a cold disk (after a CI run, say), so allow it
# five minutes. The reads below start only then, so that the build does not share their cores.
ready=0
for _ in $(seq 1 3000); do
  if curl -sf "$BASE/readyz" >/dev/null; then ready=1 && break; fi
  sleep 0.1
done
[[ "$ready" == 1 ]] || die "$BASE/readyz did not answer 200 in 5 minutes (log: $SERVE_LOG)"
login=$(curl -s -X POST -H 'Content-Type: application/json' \
  -d "{\"username\":\"$OFFICER\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/login")
TOKEN=$(printf '%s' "$login" | sed -n 's/.*"token" *: *"\([0-9a-f]*\)".*/\1/p')
[[ ${#TOKEN} -eq 64 ]] || die "login as $OFFICER failed: $login"
TOKEN_FILE="$BENCH_DIR/token"
(umask 077 && echo "$TOKEN" >"$TOKEN_FILE")
first_id=$(head -1 "$IDS")
code=$(curl -s -o "$BENCH_DIR/sample-household.json" -w '%{http_code}' \
  -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/households/$first_id")
[[ "$code" == 200 ]] || die "GET /api/v1/households/$first_id answered $code: $(head -c 300 "$BENCH_DIR/sample-household.json")"
workers=$(sed -n 's/.*(\([0-9]*\) workers).*/\1/p' "$SERVE_LOG" | head -1)

echo "bench/http: $HOUSEHOLDS households, $nids family IDs, server pid $SERVER_PID on $BASE" \
  "($workers workers), $(nproc) cores"
echo "bench/http: wrk $THREADS threads, $CONNECTIONS connections, ${WARMUP} s warm-up then" \
  "${DURATION} s measured; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# CPU accounting, so that other load on the machine during a run is seen, not guessed.
HZ=$(getconf CLK_TCK)
cpu_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }  # all cores
server_cpu() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }             # all threads
# The access log's writer thread (named spode-accesslog): its batches, index and checkpoints.
log_cpu() {
  local t
  for t in /proc/"$SERVER_PID"/task/*; do
    if [[ "$(cat "$t/comm" 2>/dev/null)" == spode-accesslog ]]; then
      awk '{ sub(/.*\) /, ""); print $12 + $13 }' "$t/stat"
      return
    fi
  done
  echo 0
}
server_disk_reads() { awk '/^read_bytes/ { print $2 }' "/proc/$SERVER_PID/io"; }    # from storage
# Bytes the server wrote (its files: the access log, its index, their WAL and checkpoints),
# counted as they are written into the page cache.
server_disk_writes() { awk '/^write_bytes/ { print $2 }' "/proc/$SERVER_PID/io"; }
# children_cpu VAR: user + system seconds of this shell's finished children (wrk) into VAR, from
# `times`, which must run in this shell (not in a $(...) subshell) to see them.
children_cpu() {
  times >"$BENCH_DIR/times.txt"
  printf -v "$1" '%s' "$(tail -1 "$BENCH_DIR/times.txt" | awk '{ t = 0
    for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
    printf "%.2f\n", t }')"
}

# run_wrk NAME MODE SECONDS CHECK [CONNECTIONS DELAY_MS]: runs wrk; leaves its output in
# BENCH_DIR/wrk-NAME.txt and the parsed figures in the R_* variables.
run_wrk() {
  local name=$1 mode=$2 secs=$3 check=$4 out="$BENCH_DIR/wrk-$1.txt"
  local connections=${5:-$CONNECTIONS} delay_ms=${6:-0}
  kill -0 "$SERVER_PID" 2>/dev/null || die "the server has exited (log: $SERVE_LOG)"
  local busy0 server0 wrk0 busy1 server1 wrk1 t0 t1 io0 io1 wr0 wr1 log0 log1
  t0=$(date +%s.%N) busy0=$(cpu_busy) server0=$(server_cpu) io0=$(server_disk_reads)
  wr0=$(server_disk_writes) log0=$(log_cpu)
  children_cpu wrk0
  wrk -t "$THREADS" -c "$connections" -d "${secs}s" --latency --timeout 5s -s "$LUA" "$BASE" \
    -- "$mode" "$IDS" "$TOKEN_FILE" "$SEED" "$check" "$delay_ms" >"$out" 2>&1 ||
    die "wrk failed: $(tail -5 "$out")"
  t1=$(date +%s.%N) busy1=$(cpu_busy) server1=$(server_cpu) io1=$(server_disk_reads)
  wr1=$(server_disk_writes) log1=$(log_cpu)
  R_CPU_LOG=$(awk -v a="$log0" -v b="$log1" -v t0="$t0" -v t1="$t1" -v hz="$HZ" \
    'BEGIN { printf "%.2f", (b - a) / hz / (t1 - t0) }')
  R_DISK_MB=$(awk -v a="$io0" -v b="$io1" 'BEGIN { printf "%.1f", (b - a) / 1048576 }')
  R_WRITE_MB=$(awk -v a="$wr0" -v b="$wr1" 'BEGIN { printf "%.1f", (b - a) / 1048576 }')
  children_cpu wrk1
  # CPU used during the run, in cores: all of the machine, the server, wrk, everything else.
  read -r R_CPU_ALL R_CPU_SERVER R_CPU_WRK R_CPU_OTHER < <(awk -v b0="$busy0" -v b1="$busy1" \
    -v s0="$server0" -v s1="$server1" -v w0="$wrk0" -v w1="$wrk1" -v t0="$t0" -v t1="$t1" -v hz="$HZ" '
    BEGIN { secs = t1 - t0; all = (b1 - b0) / hz / secs; sv = (s1 - s0) / hz / secs; wr = (w1 - w0) / secs
            o = all - sv - wr; if (o < 0) o = 0
            printf "%.2f %.2f %.2f %.2f\n", all, sv, wr, o }')
  local line
  line=$(grep '^spode-bench ' "$out") || die "no figures in wrk's output: $(tail -5 "$out")"
  field() { printf '%s\n' "$line" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
  R_REQUESTS=$(field requests)
  R_RPS=$(field rps)
  R_P50=$(field p50_us)
  R_P99=$(field p99_us)
  R_STATUS_ERRORS=$(field status_errors)
  R_SOCKET_ERRORS=$(field socket_errors)
  R_CHECKED=$(field checked)
  R_NON2XX=$(field non2xx)
  R_FIRST=$(printf '%s\n' "$line" | sed -n 's/.* first_non2xx=\(.*\)$/\1/p')
  if [[ "$R_STATUS_ERRORS" != 0 || "$R_NON2XX" != 0 ]]; then
    {
      echo ""
      echo "!!! bench/http: $name: NON-2XX RESPONSES: $R_NON2XX of the $R_CHECKED looked at," \
        "$R_STATUS_ERRORS with a status above 399 of $R_REQUESTS"
      [[ -n "$R_FIRST" ]] && echo "!!! the first: $R_FIRST"
      echo "!!! wrk's output: $out; the server's log: $SERVE_LOG"
      echo ""
    } >&2
    die "$name: some responses were not 2xx, so no figures are valid"
  fi
  if [[ "$R_SOCKET_ERRORS" != 0 ]]; then
    echo "bench/http: $name: warning: $R_SOCKET_ERRORS socket errors or timeouts" \
      "(wrk output: $out)" >&2
  fi
}

# views_count RESULT: the server's household reads answered from kept views (hit) or from the
# tables (miss) so far; views_count unchanged: the reads that found nothing committed since the
# change feed was last read, and read no table to catch up (/metrics; registry/view_cache.h).
views_count() {
  if [[ "$1" == unchanged ]]; then
    curl -s "$BASE/metrics" | sed -n "s/^spode_household_view_catchups_unchanged_total \([0-9]*\)$/\1/p"
  else
    curl -s "$BASE/metrics" | sed -n "s/^spode_household_views_total{result=\"$1\"} \([0-9]*\)$/\1/p"
  fi
}

# (a) authenticated reads
run_wrk households-warmup households "$WARMUP" 1
W_CHECKED=$R_CHECKED W_NON2XX=$R_NON2XX
LOAD_A=$(cut -d' ' -f1-3 /proc/loadavg)
HITS0=$(views_count hit) MISSES0=$(views_count miss) UNCHANGED0=$(views_count unchanged)
run_wrk households households "$DURATION" 0
A_HITS=$(($(views_count hit) - HITS0)) A_MISSES=$(($(views_count miss) - MISSES0))
A_UNCHANGED=$(($(views_count unchanged) - ${UNCHANGED0:-0}))
A_RPS=$R_RPS A_P50=$R_P50 A_P99=$R_P99 A_ERR=$R_STATUS_ERRORS
A_CPU_ALL=$R_CPU_ALL A_CPU_SERVER=$R_CPU_SERVER A_CPU_WRK=$R_CPU_WRK A_CPU_OTHER=$R_CPU_OTHER
A_CPU_LOG=$R_CPU_LOG
A_DISK_MB=$R_DISK_MB A_WRITE_MB=$R_WRITE_MB
sed -n '/Latency Distribution/,/Requests\/sec/p' "$BENCH_DIR/wrk-households.txt" | sed 's/^/    /'
# (b) the ceiling
run_wrk healthz-warmup healthz "$WARMUP" 1
W_CHECKED=$((W_CHECKED + R_CHECKED)) W_NON2XX=$((W_NON2XX + R_NON2XX))
LOAD_B=$(cut -d' ' -f1-3 /proc/loadavg)
run_wrk healthz healthz "$DURATION" 0
B_RPS=$R_RPS B_P50=$R_P50 B_P99=$R_P99 B_ERR=$R_STATUS_ERRORS
B_CPU_ALL=$R_CPU_ALL B_CPU_SERVER=$R_CPU_SERVER B_CPU_WRK=$R_CPU_WRK B_CPU_OTHER=$R_CPU_OTHER
B_DISK_MB=$R_DISK_MB B_WRITE_MB=$R_WRITE_MB
sed -n '/Latency Distribution/,/Requests\/sec/p' "$BENCH_DIR/wrk-healthz.txt" | sed 's/^/    /'
# (a2) authenticated reads, paced
run_wrk paced-warmup households "$WARMUP" 1 "$PACED_CONNECTIONS" "$PACED_DELAY_MS"
W_CHECKED=$((W_CHECKED + R_CHECKED)) W_NON2XX=$((W_NON2XX + R_NON2XX))
LOAD_P=$(cut -d' ' -f1-3 /proc/loadavg)
run_wrk paced households "$DURATION" 0 "$PACED_CONNECTIONS" "$PACED_DELAY_MS"
P_RPS=$R_RPS P_P50=$R_P50 P_P99=$R_P99 P_ERR=$R_STATUS_ERRORS
P_CPU_ALL=$R_CPU_ALL P_CPU_SERVER=$R_CPU_SERVER P_CPU_WRK=$R_CPU_WRK P_CPU_OTHER=$R_CPU_OTHER
P_CPU_LOG=$R_CPU_LOG
sed -n '/Latency Distribution/,/Requests\/sec/p' "$BENCH_DIR/wrk-paced.txt" | sed 's/^/    /'

ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }
num() { awk -v x="$1" 'BEGIN { printf "%.0f", x }' | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
ratio=$(awk -v a="$A_RPS" -v b="$B_RPS" 'BEGIN { printf "%.1f", 100 * a / b }')
verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "NOT MET"; fi; }
echo ""
echo "bench/http: $HOUSEHOLDS households, $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS" \
  "-d${DURATION}s after ${WARMUP} s warm-up; load average before (a): $LOAD_A, before (b): $LOAD_B," \
  "before (a2): $LOAD_P"
printf '%-58s %12s %10s %10s %8s\n' "workload" "requests/s" "p50" "p99" "non-2xx"
printf '%-58s %12s %10s %10s %8s\n' "(a) GET /api/v1/households/{id}, officer, $nids IDs" \
  "$(num "$A_RPS")" "$(ms "$A_P50")" "$(ms "$A_P99")" "$A_ERR"
printf '%-58s %12s %10s %10s %8s\n' "(b) ceiling: GET /healthz, same server and client" \
  "$(num "$B_RPS")" "$(ms "$B_P50")" "$(ms "$B_P99")" "$B_ERR"
printf '%-58s %12s %10s %10s %8s\n' "(a2) = (a), paced: -c$PACED_CONNECTIONS, ~${PACED_DELAY_MS} ms between requests" \
  "$(num "$P_RPS")" "$(ms "$P_P50")" "$(ms "$P_P99")" "$P_ERR"
echo "authenticated reads are $ratio% of the ceiling"
echo "household views kept between reads (household_view_cache_mb ${VIEW_CACHE_MB:-64, the default}):" \
  "during (a), $(num "$A_HITS") reads answered from a kept view, $(num "$A_MISSES") from the tables;" \
  "$(num "$A_UNCHANGED") found no commit since the change feed was last read (no query to catch up)"
echo "CPU during (a), in cores of $(nproc): all $A_CPU_ALL = server $A_CPU_SERVER + wrk $A_CPU_WRK" \
  "+ other processes $A_CPU_OTHER; of the server's, the access log's writer $A_CPU_LOG; the" \
  "server read $A_DISK_MB MB from storage (not page cache) and wrote $A_WRITE_MB MB"
echo "CPU during (b), in cores of $(nproc): all $B_CPU_ALL = server $B_CPU_SERVER + wrk $B_CPU_WRK" \
  "+ other processes $B_CPU_OTHER; the server read $B_DISK_MB MB from storage (not page cache)" \
  "and wrote $B_WRITE_MB MB"
echo "CPU during (a2), in cores of $(nproc): all $P_CPU_ALL = server $P_CPU_SERVER + wrk $P_CPU_WRK" \
  "+ other processes $P_CPU_OTHER; of the server's, the access log's writer $P_CPU_LOG"
echo "status check (warm-ups, every response looked at): $W_CHECKED responses, $W_NON2XX non-2xx;" \
  "measured runs (wrk's count of status > 399): $A_ERR + $B_ERR + $P_ERR"
echo "targets (issue 3):"
echo "  >= 20,000 authenticated reads/s:  $(num "$A_RPS")/s   $(verdict "$A_RPS >= 20000")"
echo "  p99 < 5 ms at >= 20,000/s (a2):   $(ms "$P_P99") at $(num "$P_RPS")/s   $(verdict "$P_P99 < 5000 && $P_RPS >= 20000")"
echo "  (p99 of the closed loop (a), mostly queueing: $(ms "$A_P99"))"
echo "  >= 40% of the ceiling:            $ratio%   $(verdict "$ratio >= 40")"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- optional profile, after the measured runs so that it cannot disturb them ---
if [[ "$PERF" == 1 ]]; then
  command -v perf >/dev/null || die "HTTP_PERF=1 needs perf (linux-perf)"
  echo ""
  echo "bench/http: profiling the server for 5 s during an extra households run (perf.data in $BENCH_DIR)"
  wrk -t "$THREADS" -c "$CONNECTIONS" -d 8s -s "$LUA" "$BASE" \
    -- households "$IDS" "$TOKEN_FILE" "$SEED" 0 >"$BENCH_DIR/wrk-perf.txt" 2>&1 &
  wrk_pid=$!
  sleep 1
  perf record -F 499 --call-graph dwarf,16384 -p "$SERVER_PID" -o "$BENCH_DIR/perf.data" \
    -- sleep 5 >"$BENCH_DIR/perf-record.txt" 2>&1 ||
    echo "bench/http: perf record failed: $(tail -3 "$BENCH_DIR/perf-record.txt")" >&2
  wait "$wrk_pid" || true
  perf report -i "$BENCH_DIR/perf.data" --stdio --no-children -g none --sort dso,symbol \
    2>/dev/null | grep -E '^ +[0-9]' | cut -c1-150 | head -30 >"$BENCH_DIR/perf-self.txt" || true
  perf report -i "$BENCH_DIR/perf.data" --stdio --children -g none --sort symbol 2>/dev/null |
    grep -E '^ +[0-9]' | cut -c1-200 >"$BENCH_DIR/perf-children.txt" || true
  echo "top self costs (perf report --no-children --sort dso,symbol):"
  sed 's/^/  /' "$BENCH_DIR/perf-self.txt"
  echo "inclusive costs of spode's own functions (perf report --children):"
  grep -E 'spode::' "$BENCH_DIR/perf-children.txt" | head -30 | sed 's/^/  /'
  echo "(all inclusive costs: $BENCH_DIR/perf-children.txt)"
fi

stop_server
echo "bench/http: done"
