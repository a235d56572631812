#!/bin/sh
# Runs one fuzz target for a given time:
#   tests/fuzz/run.sh HARNESS SECONDS
# HARNESS: load, text, model or tui (tests/fuzz/fuzz_HARNESS.cc). Builds the
# target in build-asan (CMakePresets.json "asan": clang, ASan + UBSan, the
# whole project instrumented for coverage) if it is missing, writes the seed
# corpus once (make_seeds: the ONNX backend test models of Debian's
# libonnx-testdata, tests/fixtures and tests/fuzz/seeds) and fuzzes at the lowest CPU priority,
# one process, started again after a finding until the time is spent.
# What it finds goes to
# build-asan/fuzz/HARNESS/: crash-*, leak-*, timeout-*, oom-* artifacts, the
# grown corpus, and log.txt with the start, the end and libFuzzer's
# coverage (cov) and run counts. Environment: FUZZ_BUILD (default
# build-asan), FUZZ_FLAGS (more libFuzzer flags), FUZZ_SEED_DIR (seeds other
# than make_seeds', e.g. a sample of them when CPU time is short: libFuzzer
# runs every seed before it mutates).
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
  "$build/tests/fuzz/make_seeds" "$work/seeds" "$root/tests/fixtures" "$root/tests/fuzz/seeds" /usr/share/libonnx-testdata/data
fi
out=$work/$harness
mkdir -p "$out/corpus"
log=$out/log.txt
echo "start $(date -u +%Y-%m-%dT%H:%M:%SZ) fuzz_$harness for ${seconds}s" >>"$log"
cd "$out"
# One process (libFuzzer's fork mode re-reads its share of the corpus at
# every job: most of its time would go to replays), restarted after a
# finding until the time is spent. -timeout: a single input that runs longer
# than 30 s is a finding (the executor's own budget is 0.5 s per model; the
# margin is for a machine shared at nice 19, where wall time stretches).
# /usr/bin/time (Debian's time package), when there, logs the CPU time each
# process took: on a shared machine the wall time overstates it.
timer=""
[ -x /usr/bin/time ] && timer="/usr/bin/time -f cpu_seconds=%U+%S -a -o $log"
status=0
end=$(($(date +%s) + seconds))
while left=$((end - $(date +%s))) && [ "$left" -gt 5 ]; do
  status=0
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} $timer nice -n 19 "$bin" -max_total_time="$left" -timeout=30 \
    -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 -artifact_prefix="$out/" ${FUZZ_FLAGS:-} \
    "$out/corpus" "${FUZZ_SEED_DIR:-$work/seeds/$seeds}" >>"$log" 2>&1 || status=$?
  [ "$status" = 0 ] && break
  echo "finding (exit $status) $(date -u +%Y-%m-%dT%H:%M:%SZ); restarting" >>"$log"
done
echo "end $(date -u +%Y-%m-%dT%H:%M:%SZ) exit $status" >>"$log"
grep -E '^#[0-9]+.*cov:' "$log" | tail -1
grep -E '^stat::number_of_executed_units' "$log" | awk '{n += $2} END {print "executed units:", n}' 
grep -E '^cpu_seconds=' "$log" | tr '=+' '  ' | awk '{u += $2; s += $3} END {print "cpu seconds:", u + s}' 
ls "$out" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' || echo "no crash, leak, timeout or oom artifact"
