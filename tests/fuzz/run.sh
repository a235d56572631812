#!/bin/sh
# Runs one fuzz target for a given time:
#   tests/fuzz/run.sh HARNESS SECONDS
# HARNESS: load, text, model or tui (tests/fuzz/fuzz_HARNESS.cc). Builds the
# target in build-asan (CMakePresets.json "asan": clang, ASan + UBSan, the
# whole project instrumented for coverage) if it is missing, writes the seed
# corpus once (make_seeds: the ONNX backend test models of Debian's
# libonnx-testdata and tests/fixtures) and fuzzes at the lowest CPU priority,
# one job, keeping on after a crash. What it finds goes to
# build-asan/fuzz/HARNESS/: crash-*, leak-*, timeout-*, oom-* artifacts, the
# grown corpus, and log.txt with the start, the end and libFuzzer's
# coverage (cov) and run counts. Environment: FUZZ_BUILD (default
# build-asan), FUZZ_FLAGS (more libFuzzer flags).
set -eu
if [ $# -ne 2 ]; then
  echo "usage: tests/fuzz/run.sh load|text|model|tui SECONDS" >&2
  exit 2
fi
harness=$1
seconds=$2
case $harness in
  load | model) seeds=model ;;
  text) seeds=text ;;
  tui) seeds=tui ;;
  *) echo "run.sh: no harness '$harness' (load, text, model, tui)" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/${FUZZ_BUILD:-build-asan}
bin=$build/tests/fuzz/fuzz_$harness
if [ ! -x "$bin" ] || [ ! -x "$build/tests/fuzz/make_seeds" ]; then
  (cd "$root" && cmake --preset asan >/dev/null && cmake --build "$build" -j2 --target "fuzz_$harness" make_seeds)
fi
work=$build/fuzz
if [ ! -d "$work/seeds" ]; then
  "$build/tests/fuzz/make_seeds" "$work/seeds" "$root/tests/fixtures" /usr/share/libonnx-testdata/data
fi
out=$work/$harness
mkdir -p "$out/corpus"
log=$out/log.txt
echo "start $(date -u +%Y-%m-%dT%H:%M:%SZ) fuzz_$harness for ${seconds}s" >>"$log"
cd "$out"
# -fork=1 -ignore_*: one worker, restarted after a crash, so that one
# finding does not end the run; -timeout: a single input that runs longer
# than 10 s is a finding (the executor's own budget is 0.5 s per model).
status=0
# /usr/bin/time (Debian's time package), when there, logs the CPU time the
# workers took: on a shared machine the wall time overstates it.
timer=""
[ -x /usr/bin/time ] && timer="/usr/bin/time -f cpu_seconds=%U+%S -a -o $log"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} $timer nice -n 19 "$bin" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -max_len=262144 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
  -artifact_prefix="$out/" ${FUZZ_FLAGS:-} "$out/corpus" "$work/seeds/$seeds" >>"$log" 2>&1 || status=$?
echo "end $(date -u +%Y-%m-%dT%H:%M:%SZ) exit $status" >>"$log"
grep -E '^#[0-9]+.*cov:' "$log" | tail -1
grep -E '^cpu_seconds=' "$log" | tail -1
ls "$out" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' || echo "no crash, leak, timeout or oom artifact"
