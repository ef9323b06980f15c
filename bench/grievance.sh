#!/usr/bin/env bash
# bench/grievance: grievances filed over HTTP, each committed before its 201 (group commit:
# many filings share one transaction and one fsync), then read back by ticket; next to two
# baselines measured in the same run: one durable SQLite commit per row (what a filing would
# cost without group commit), and GET /healthz on the same server with the same client.
#
#   bash bench/grievance.sh                                (100,000 households)
#   GRIEVANCE_HOUSEHOLDS=10000 GRIEVANCE_DURATION=5 bash bench/grievance.sh
#
# 1. Builds the Release binary (GRIEVANCE_BUILD_DIR, default build/: BUILD/spode).
# 2. Creates, or reuses, BENCH_DIR/households-N.db (`spode generate --seed 42` + `spode
#    import`), and copies it to BENCH_DIR/run.db for this run, so that every run starts with
#    no grievances. Adds an officer of the whole state (scope 99) with the grievance_officer
#    duty, and writes GRIEVANCE_MEMBERS member IDs of active members to BENCH_DIR/members.txt.
# 3. Baseline (a): the sqlite3 shell, in BENCH_DIR, WAL and synchronous=FULL as spode opens
#    SQLite: GRIEVANCE_BASELINE_ROWS single-row INSERTs, each its own transaction (one fsync
#    each), timed.
# 4. Starts `spode serve` (GRIEVANCE_WORKERS worker threads, default one per core: a filing
#    waiting for its batch's commit holds no worker, so batches grow with the connections
#    waiting, not with the workers), waits for /readyz, signs in.
# 5. wrk (bench/grievance.lua), GRIEVANCE_THREADS threads and GRIEVANCE_CONNECTIONS
#    connections, each workload a warm-up then GRIEVANCE_DURATION seconds measured:
#    (1) create: POST /api/v1/grievances, distinct bodies, a member at random (seed), as the
#        officer at the walk-in desk (the handler checks access, then files through the
#        group-commit queue); every ticket is kept; (1a) as fast as the server answers (a
#        closed loop: its p99 is mostly queueing, connections / rate), (1b) paced: each
#        connection waits about GRIEVANCE_PACED_DELAY_MS between filings (a sustained load
#        below saturation, about 2,000-2,500/s with the defaults), for the latency at that rate;
#    (2) read: GET /api/v1/grievances/{ticket} at random over the tickets (1);
#    (3) GET /healthz: the ceiling.
#    Every ticket of (1) is then counted in the database (none may be missing).
# 6. Prints created/s, reads/s, p50 and p99, the baselines and the issue's targets (issue 6:
#    >= 2,000 created/s with p99 < 20 ms on SQLite, reads >= 20,000/s), and the CPU used by the
#    server, wrk and everything else during each run. Stops the server with SIGTERM.
# Exit status 1 when something fails (any non-2xx response fails the run); a missed target is
# only reported. Only loopback traffic.
#
# Settings (environment): GRIEVANCE_HOUSEHOLDS (100000), BENCH_DIR (/tmp/spode-bench-grievance),
# GRIEVANCE_BUILD_DIR (build), GRIEVANCE_THREADS (2), GRIEVANCE_CONNECTIONS (64),
# GRIEVANCE_CREATE_CONNECTIONS (connections of the create workload; default
# GRIEVANCE_CONNECTIONS: with a closed loop, p99 is mostly connections / rate),
# GRIEVANCE_DURATION (10), GRIEVANCE_WARMUP (2), GRIEVANCE_MEMBERS (10000), GRIEVANCE_SEED (42),
# GRIEVANCE_WORKERS (nproc), GRIEVANCE_BASELINE_ROWS (1000), GRIEVANCE_PACED_DELAY_MS (24: the
# think time per connection of the paced create workload (1b)), GRIEVANCE_COUNT_SYNCS=1 (count the
# server's fdatasync/fsync calls during the measured create run with `perf stat`, and print
# filings per flush; needs perf and the permission to trace).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

HOUSEHOLDS=${GRIEVANCE_HOUSEHOLDS:-100000}
BENCH_DIR=${BENCH_DIR:-/tmp/spode-bench-grievance}
BUILD_DIR=${GRIEVANCE_BUILD_DIR:-build}
THREADS=${GRIEVANCE_THREADS:-2}
CONNECTIONS=${GRIEVANCE_CONNECTIONS:-64}
CREATE_CONNECTIONS=${GRIEVANCE_CREATE_CONNECTIONS:-$CONNECTIONS}
DURATION=${GRIEVANCE_DURATION:-10}
WARMUP=${GRIEVANCE_WARMUP:-2}
NMEMBERS=${GRIEVANCE_MEMBERS:-10000}
SEED=${GRIEVANCE_SEED:-42}
WORKERS=${GRIEVANCE_WORKERS:-$(nproc)}
BASELINE_ROWS=${GRIEVANCE_BASELINE_ROWS:-1000}
COUNT_SYNCS=${GRIEVANCE_COUNT_SYNCS:-0}
PACED_DELAY_MS=${GRIEVANCE_PACED_DELAY_MS:-24}
LUA="$ROOT/bench/grievance.lua"
SPODE="$BUILD_DIR/spode"
[[ "$SPODE" == /* ]] || SPODE="$ROOT/$SPODE"

die() {
  echo "bench/grievance: FAILED: $*" >&2
  exit 1
}
for tool in cmake wrk curl sqlite3; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/install-deps.sh)"
done
[[ "$HOUSEHOLDS" =~ ^[0-9]+$ && "$HOUSEHOLDS" -gt 0 ]] || die "GRIEVANCE_HOUSEHOLDS must be a number"

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
echo "bench/grievance: building the Release binary in $BUILD_DIR"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" --target spode -j "$(nproc)" >/dev/null || die "build failed"

# --- 2. data ---
mkdir -p "$BENCH_DIR"
BASE_DB="$BENCH_DIR/households-$HOUSEHOLDS.db"
READY="$BASE_DB.ready"  # written only after a complete import
if [[ -f "$BASE_DB" && -f "$READY" ]]; then
  echo "bench/grievance: reusing $BASE_DB ($(cat "$READY"))"
else
  rm -f "$BASE_DB" "$BASE_DB"-wal "$BASE_DB"-shm "$BASE_DB".key "$READY"
  JSONL="$BENCH_DIR/households-$HOUSEHOLDS.jsonl"
  echo "bench/grievance: generating $HOUSEHOLDS households (seed 42) and importing them"
  "$SPODE" --log-level warn generate --households "$HOUSEHOLDS" --seed 42 --out "$JSONL" \
    >/dev/null || die "spode generate failed"
  "$SPODE" --log-level warn import "$JSONL" --db "$BASE_DB" --json >"$BENCH_DIR/import.json" ||
    die "spode import failed (report in $BENCH_DIR/import.json)"
  rm -f "$JSONL"
  summary=$(sed -n 's/^  "\(households_imported\|members_imported\)": \([0-9]*\).*/\1 \2/p' \
    "$BENCH_DIR/import.json" | paste -sd' ')
  echo "$summary" >"$READY"
fi
DB="$BENCH_DIR/run.db"
rm -f "$DB" "$DB"-wal "$DB"-shm "$DB".key "$DB"-access-log "$DB"-access-log-wal "$DB"-access-log-shm \
  "$BENCH_DIR"/tickets-*.txt
sqlite3 "$BASE_DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$BASE_DB" "$DB"
cp "$BASE_DB".key "$DB".key
OFFICER="bench.desk.officer"
PASSWORD=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$PASSWORD" |
  "$SPODE" --log-level warn user add "$OFFICER" --role officer --scope 99 \
    --duty grievance_officer --display-name "bench/grievance officer" --db "$DB" >/dev/null ||
  die "spode user add failed"
MEMBERS="$BENCH_DIR/members.txt"
sqlite3 "$DB" "SELECT m.member_id FROM members m JOIN households h ON h.household_idx =
               m.household_idx WHERE h.status = 'active' AND m.status = 'active'
               ORDER BY (m.member_idx * 2654435761) % 4294967296, m.member_idx
               LIMIT $NMEMBERS" >"$MEMBERS" || die "cannot read member IDs from $DB"
nmembers=$(wc -l <"$MEMBERS")
[[ "$nmembers" -gt 0 ]] || die "no active members in $DB"
db_mb=$(du -m "$DB" | cut -f1)

# --- 3. baseline (a): one durable SQLite commit per row ---
BASE_SQL="$BENCH_DIR/baseline.sql" BASE_FILE="$BENCH_DIR/baseline.db"
rm -f "$BASE_FILE" "$BASE_FILE"-wal "$BASE_FILE"-shm
{
  echo "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
  echo "CREATE TABLE g (id INTEGER PRIMARY KEY, member_id TEXT, description TEXT, at_us INTEGER);"
  for i in $(seq 1 "$BASELINE_ROWS"); do
    echo "BEGIN IMMEDIATE; INSERT INTO g (member_id, description, at_us) VALUES ('$i', 'baseline row $i: the pension for October has not come', $i); COMMIT;"
  done
} >"$BASE_SQL"
t0=$(date +%s.%N)
sqlite3 "$BASE_FILE" <"$BASE_SQL" >/dev/null || die "the sqlite3 baseline failed"
t1=$(date +%s.%N)
BASELINE_RPS=$(awk -v n="$BASELINE_ROWS" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / (b - a) }')
BASELINE_MS=$(awk -v n="$BASELINE_ROWS" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", 1000 * (b - a) / n }')
rm -f "$BASE_FILE" "$BASE_FILE"-wal "$BASE_FILE"-shm "$BASE_SQL"

# --- 4. the server ---
SERVE_LOG="$BENCH_DIR/serve.log"
: >"$SERVE_LOG"
"$SPODE" --log-level info serve --db "$DB" --bind 127.0.0.1 --port 0 --workers "$WORKERS" \
  >"$SERVE_LOG" 2>&1 &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 200); do
  PORT=$(sed -n 's/.*http server listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$SERVE_LOG" | head -1)
  [[ -n "$PORT" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || die "spode serve exited: $(tail -5 "$SERVE_LOG")"
  sleep 0.1
done
[[ -n "$PORT" ]] || die "spode serve did not start listening (log: $SERVE_LOG)"
BASE="http://127.0.0.1:$PORT"
ready=0  # ready once its eligibility snapshot is built, in the background: allow 5 minutes
for _ in $(seq 1 3000); do
  if curl -sf "$BASE/readyz" >/dev/null; then ready=1 && break; fi
  sleep 0.1
done
[[ "$ready" == 1 ]] || die "$BASE/readyz did not answer 200 (log: $SERVE_LOG)"
login=$(curl -s -X POST -H 'Content-Type: application/json' \
  -d "{\"username\":\"$OFFICER\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/login")
TOKEN=$(printf '%s' "$login" | sed -n 's/.*"token" *: *"\([0-9a-f]*\)".*/\1/p')
[[ ${#TOKEN} -eq 64 ]] || die "login as $OFFICER failed: $login"
TOKEN_FILE="$BENCH_DIR/token"
(umask 077 && echo "$TOKEN" >"$TOKEN_FILE")

echo "bench/grievance: $HOUSEHOLDS households ($(cat "$READY")), $db_mb MB, $nmembers member" \
  "IDs; server pid $SERVER_PID on $BASE ($WORKERS workers); $(nproc) cores"
echo "bench/grievance: wrk $THREADS threads, $CREATE_CONNECTIONS connections (create), $CONNECTIONS" \
  "(reads), ${WARMUP} s warm-up then" \
  "${DURATION} s measured; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

HZ=$(getconf CLK_TCK)
cpu_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
server_cpu() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
children_cpu() {
  times >"$BENCH_DIR/times.txt"
  printf -v "$1" '%s' "$(tail -1 "$BENCH_DIR/times.txt" | awk '{ t = 0
    for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
    printf "%.2f\n", t }')"
}

# run_wrk NAME MODE LIST SECONDS CHECK: output in BENCH_DIR/wrk-NAME.txt, figures in R_*.
run_wrk() {
  local name=$1 mode=$2 list=$3 secs=$4 check=$5 delay=${6:-0} out="$BENCH_DIR/wrk-$1.txt"
  local conns=$CONNECTIONS
  [[ "$mode" == create ]] && conns=$CREATE_CONNECTIONS
  kill -0 "$SERVER_PID" 2>/dev/null || die "the server has exited (log: $SERVE_LOG)"
  local busy0 server0 wrk0 busy1 server1 wrk1 t0 t1
  t0=$(date +%s.%N) busy0=$(cpu_busy) server0=$(server_cpu)
  children_cpu wrk0
  wrk -t "$THREADS" -c "$conns" -d "${secs}s" --latency --timeout 5s -s "$LUA" "$BASE" \
    -- "$mode" "$list" "$TOKEN_FILE" "$SEED" "$check" "$BENCH_DIR/tickets-$name" "$delay" >"$out" 2>&1 ||
    die "wrk failed: $(tail -5 "$out")"
  t1=$(date +%s.%N) busy1=$(cpu_busy) server1=$(server_cpu)
  children_cpu wrk1
  read -r R_CPU_ALL R_CPU_SERVER R_CPU_WRK R_CPU_OTHER < <(awk -v b0="$busy0" -v b1="$busy1" \
    -v s0="$server0" -v s1="$server1" -v w0="$wrk0" -v w1="$wrk1" -v t0="$t0" -v t1="$t1" -v hz="$HZ" '
    BEGIN { secs = t1 - t0; all = (b1 - b0) / hz / secs; sv = (s1 - s0) / hz / secs; wr = (w1 - w0) / secs
            o = all - sv - wr; if (o < 0) o = 0
            printf "%.2f %.2f %.2f %.2f\n", all, sv, wr, o }')
  local line
  line=$(grep '^spode-bench ' "$out") || die "no figures in wrk's output: $(tail -5 "$out")"
  field() { printf '%s\n' "$line" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
  R_REQUESTS=$(field requests) R_RPS=$(field rps) R_P50=$(field p50_us) R_P99=$(field p99_us)
  R_STATUS_ERRORS=$(field status_errors) R_SOCKET_ERRORS=$(field socket_errors)
  R_CHECKED=$(field checked) R_NON2XX=$(field non2xx)
  R_FIRST=$(printf '%s\n' "$line" | sed -n 's/.* first_non2xx=\(.*\)$/\1/p')
  if [[ "$R_STATUS_ERRORS" != 0 || "$R_NON2XX" != 0 ]]; then
    echo "!!! bench/grievance: $name: NON-2XX RESPONSES: $R_NON2XX of $R_CHECKED looked at," \
      "$R_STATUS_ERRORS above 399 of $R_REQUESTS; the first: $R_FIRST (log: $SERVE_LOG)" >&2
    die "$name: some responses were not 2xx, so no figures are valid"
  fi
  if [[ "$R_SOCKET_ERRORS" != 0 ]]; then
    echo "bench/grievance: $name: warning: $R_SOCKET_ERRORS socket errors or timeouts ($out)" >&2
  fi
}

# (1) create
run_wrk create-warmup create "$MEMBERS" "$WARMUP" 1
LOAD_1=$(cut -d' ' -f1-3 /proc/loadavg)
SYNCS=""
if [[ "$COUNT_SYNCS" == 1 ]]; then
  # The server's flushes during the measured run (the intake writer's commits and the access
  # log's), counted by the kernel's syscall tracepoints.
  perf stat -x, -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync -p "$SERVER_PID" \
    -o "$BENCH_DIR/perf-syncs.txt" -- sleep "$DURATION" >/dev/null 2>&1 &
  perf_pid=$!
fi
run_wrk create create "$MEMBERS" "$DURATION" 1
if [[ "$COUNT_SYNCS" == 1 ]]; then
  wait "$perf_pid" || true
  SYNCS=$(awk -F, '/sys_enter_f/ { n += $1 } END { print n + 0 }' "$BENCH_DIR/perf-syncs.txt")
fi
C_RPS=$R_RPS C_P50=$R_P50 C_P99=$R_P99 C_N=$R_REQUESTS C_SOCK=$R_SOCKET_ERRORS
C_CPU="all $R_CPU_ALL = server $R_CPU_SERVER + wrk $R_CPU_WRK + other $R_CPU_OTHER"
sed -n '/Latency Distribution/,/Requests\/sec/p' "$BENCH_DIR/wrk-create.txt" | sed 's/^/    /'
run_wrk paced-warmup create "$MEMBERS" "$WARMUP" 1 "$PACED_DELAY_MS"
run_wrk paced create "$MEMBERS" "$DURATION" 1 "$PACED_DELAY_MS"
P_RPS=$R_RPS P_P50=$R_P50 P_P99=$R_P99
P_CPU="all $R_CPU_ALL = server $R_CPU_SERVER + wrk $R_CPU_WRK + other $R_CPU_OTHER"
sed -n '/Latency Distribution/,/Requests\/sec/p' "$BENCH_DIR/wrk-paced.txt" | sed 's/^/    /'
TICKETS="$BENCH_DIR/tickets.txt"
cat "$BENCH_DIR"/tickets-*.txt >"$TICKETS"
ntickets=$(wc -l <"$TICKETS")
ndistinct=$(sort -u "$TICKETS" | wc -l)
stored=$(sqlite3 "$DB" "SELECT COUNT(*) FROM grievances WHERE kind = 'grievance'")
[[ "$ntickets" -gt 0 ]] || die "no tickets were received"
[[ "$ndistinct" == "$ntickets" ]] || die "$ntickets tickets received but only $ndistinct distinct"
[[ "$stored" -ge "$ntickets" ]] || die "$ntickets tickets received but $stored grievances stored"

# (2) read back by ticket
run_wrk read-warmup read "$TICKETS" "$WARMUP" 1
LOAD_2=$(cut -d' ' -f1-3 /proc/loadavg)
run_wrk read read "$TICKETS" "$DURATION" 0
R2_RPS=$R_RPS R2_P50=$R_P50 R2_P99=$R_P99
R2_CPU="all $R_CPU_ALL = server $R_CPU_SERVER + wrk $R_CPU_WRK + other $R_CPU_OTHER"
sed -n '/Latency Distribution/,/Requests\/sec/p' "$BENCH_DIR/wrk-read.txt" | sed 's/^/    /'

# (3) the ceiling
run_wrk healthz-warmup healthz "$TICKETS" "$WARMUP" 1
run_wrk healthz healthz "$TICKETS" "$DURATION" 0
H_RPS=$R_RPS H_P50=$R_P50 H_P99=$R_P99
H_CPU="all $R_CPU_ALL = server $R_CPU_SERVER + wrk $R_CPU_WRK + other $R_CPU_OTHER"

ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }
num() { awk -v x="$1" 'BEGIN { printf "%.0f", x }' | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "NOT MET"; fi; }
ratio=$(awk -v a="$C_RPS" -v b="$BASELINE_RPS" 'BEGIN { printf "%.1f", a / b }')
echo ""
echo "bench/grievance: SQLite, $HOUSEHOLDS households, $(nproc) cores, wrk -t$THREADS" \
  "-c$CREATE_CONNECTIONS (create) -c$CONNECTIONS (reads) -d${DURATION}s after ${WARMUP} s warm-up, serve --workers $WORKERS;" \
  "load average before (1): $LOAD_1, before (2): $LOAD_2"
printf '%-66s %12s %10s %10s\n' "workload" "per second" "p50" "p99"
printf '%-66s %12s %10s %10s\n' "(1a) POST /api/v1/grievances (201, committed), closed loop" \
  "$(num "$C_RPS")" "$(ms "$C_P50")" "$(ms "$C_P99")"
printf '%-66s %12s %10s %10s\n' "(1b) the same, paced: ~${PACED_DELAY_MS} ms between filings a connection" \
  "$(num "$P_RPS")" "$(ms "$P_P50")" "$(ms "$P_P99")"
printf '%-66s %12s %10s %10s\n' "(2) GET /api/v1/grievances/{ticket}, $ntickets tickets" \
  "$(num "$R2_RPS")" "$(ms "$R2_P50")" "$(ms "$R2_P99")"
printf '%-66s %12s %10s %10s\n' "baseline (a): sqlite3, one INSERT + COMMIT (fsync) per row" \
  "$(num "$BASELINE_RPS")" "$BASELINE_MS ms" "(mean)"
printf '%-66s %12s %10s %10s\n' "baseline (b): GET /healthz, same server and client" \
  "$(num "$H_RPS")" "$(ms "$H_P50")" "$(ms "$H_P99")"
echo "filings per second are ${ratio}x the one-commit-per-row rate (a)"
if [[ -n "$SYNCS" && "$SYNCS" -gt 0 ]]; then
  echo "flushes during (1): $SYNCS fdatasync/fsync calls by the server (intake commits and the" \
    "access log's), $(awk -v n="$C_N" -v s="$SYNCS" 'BEGIN { printf "%.1f", n / s }') filings per flush"
fi
echo "tickets: $ntickets received (warm-up and measured), all distinct; $stored grievances stored"
echo "CPU in cores of $(nproc): (1a) $C_CPU; (1b) $P_CPU; (2) $R2_CPU; (b) $H_CPU"
echo "targets (issue 6, SQLite, 2 cores):"
echo "  >= 2,000 created/s:   (1a) $(num "$C_RPS")/s   $(verdict "$C_RPS >= 2000")"
echo "  p99 < 20 ms:          (1a) $(ms "$C_P99")   $(verdict "$C_P99 < 20000");" \
  "(1b) $(ms "$P_P99") at $(num "$P_RPS")/s   $(verdict "$P_P99 < 20000 && $P_RPS >= 2000")"
echo "  reads >= 20,000/s:    $(num "$R2_RPS")/s   $(verdict "$R2_RPS >= 20000")"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
stop_server
echo "bench/grievance: done"
