#!/usr/bin/env bash
# Times trial runs (`onnxscope run`) against onnxruntime-node running the same
# model on the same feeds (bench/ort/run_feeds.js: session creation, one run,
# and the comparison of every output), with public tools only: each command
# runs RUNS times under /usr/bin/time, alternating; the median wall time and
# the largest peak RSS are printed, and the time onnxscope spent in its
# kernels beside onnxruntime's run() alone (the fastest of RUNS).
#
# usage: bench/run_exec_bench.sh [BUILD_DIR] MODEL [--bind S=N]...
# Environment: RUNS (default 5); ORT (an onnxruntime-node folder, default
# the cache of bench/ort/install.sh 1.30.0).
set -euo pipefail

build=${1:?usage: bench/run_exec_bench.sh BUILD_DIR MODEL [--bind S=N]...}
model=${2:?usage: bench/run_exec_bench.sh BUILD_DIR MODEL [--bind S=N]...}
shift 2
runs=${RUNS:-5}
onnxscope=$build/src/onnxscope
here=$(cd "$(dirname "$0")" && pwd)
ort_args=()
[ -n "${ORT:-}" ] && ort_args=(--ort "$ORT")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$onnxscope" run "$model" --random "$@" --save "$tmp/feeds" >/dev/null

: >"$tmp/a"
: >"$tmp/b"
for _ in $(seq "$runs"); do
  /usr/bin/time -f "%e %M" -o "$tmp/t" "$onnxscope" run "$model" --feed "$tmp/feeds/feeds.npz" >"$tmp/out" 2>/dev/null || true
  echo "$(cat "$tmp/t") $(head -1 "$tmp/out" | sed 's/.* in \([0-9.]*\) ms.*/\1/')" >>"$tmp/a"
  /usr/bin/time -f "%e %M" -o "$tmp/t" node "$here/ort/run_feeds.js" "$model" "$tmp/feeds" "${ort_args[@]}" >"$tmp/out" 2>/dev/null || true
  echo "$(cat "$tmp/t") $(sed 's/.*"run_ms":\([0-9.]*\).*/\1/' "$tmp/out")" >>"$tmp/b"
done
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
maxof() { sort -n | tail -1; }
minof() { sort -n | head -1; }
a_wall=$(cut -d' ' -f1 "$tmp/a" | median); b_wall=$(cut -d' ' -f1 "$tmp/b" | median)
a_rss=$(cut -d' ' -f2 "$tmp/a" | maxof); b_rss=$(cut -d' ' -f2 "$tmp/b" | maxof)
a_k=$(cut -d' ' -f3 "$tmp/a" | minof); b_k=$(cut -d' ' -f3 "$tmp/b" | minof)
echo "| $(basename "$model") | ${a_wall} s, $((a_rss / 1024)) MiB | ${b_wall} s, $((b_rss / 1024)) MiB | ${a_k} ms | ${b_k} ms |"
