#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang-14 in build-fuzz/ and runs each for a bounded
# time on its seed corpus; fails on any crash, sanitizer report or broken invariant. Skips, and
# says why, when clang-14 is not installed.
#   FUZZ_SECONDS=30   seconds per target
#   JOBS=$(nproc)     build parallelism
# New inputs that reach new code are kept in build-fuzz/corpus/<target>/ (not in the seed
# corpus); a crashing input is written to build-fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
jobs=${JOBS:-$(nproc)}

if ! command -v clang-14 >/dev/null 2>&1 || ! command -v clang++-14 >/dev/null 2>&1; then
  echo "== fuzz: skipped: clang-14 and clang++-14 are not installed (libFuzzer needs clang)"
  exit 0
fi

echo "== fuzz: build (clang-14, libFuzzer + AddressSanitizer + UndefinedBehaviorSanitizer)"
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSPODE_FUZZ=ON -DSPODE_TESTS=OFF -DSPODE_BENCH=OFF -DSPODE_SANITIZE=OFF >/dev/null
cmake --build build-fuzz --target rules_fuzz -j "$jobs"

mkdir -p build-fuzz/artifacts
for target in rules; do
  corpus=build-fuzz/corpus/$target
  mkdir -p "$corpus"
  echo "== fuzz: ${target}_fuzz for ${seconds} s (seed corpus fuzz/corpus/$target)"
  dict=()
  [[ -f fuzz/$target.dict ]] && dict=(-dict="fuzz/$target.dict")
  log=build-fuzz/${target}_fuzz.log
  status=0
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "./build-fuzz/fuzz/${target}_fuzz" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 "${dict[@]}" \
    -artifact_prefix=build-fuzz/artifacts/"$target"- "$corpus" "fuzz/corpus/$target" \
    2>"$log" || status=$?
  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
  if [[ $status -ne 0 ]]; then
    grep -E -A30 '==[0-9]+==ERROR|rules_fuzz: |^SUMMARY|Test unit written' "$log" | head -60 >&2 || true
    echo "== fuzz: ${target}_fuzz FAILED (exit $status); the input is in build-fuzz/artifacts/, the log in $log" >&2
    exit 1
  fi
done
echo "== fuzz: no crash in ${seconds} s per target"
