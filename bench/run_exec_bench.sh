#!/usr/bin/env bash
# Times trial runs (`onnxscope run`) against onnxruntime-node running the same
# model on the same feeds (bench/ort/run_feeds.js: session creation, one run,
# and the comparison of every output), with public tools only: each command
# runs RUNS times under /usr/bin/time, alternating; printed are the median
# wall time and the largest peak RSS of each whole process, the median (and
# in parentheses the fastest) of the time onnxscope spent in its kernels
# (and the median of the time it spent reading initializers, which
# onnxruntime does when it creates its session) beside the same of
# onnxruntime's run() alone, the ratios of the medians, and whether every
# output agreed.
#
# Both run on THREADS threads (default 1): onnxruntime's intraOpNumThreads
# (run_feeds.js --threads) and OpenBLAS's OPENBLAS_NUM_THREADS for onnxscope
# (OpenBLAS otherwise starts one thread per core).
#
# usage: bench/run_exec_bench.sh [BUILD_DIR] MODEL [--bind S=N]...
# Environment: RUNS (default 5); THREADS (default 1); ORT (an
# onnxruntime-node folder, default the cache of bench/ort/install.sh 1.30.0).
set -euo pipefail

build=${1:?usage: bench/run_exec_bench.sh BUILD_DIR MODEL [--bind S=N]...}
model=${2:?usage: bench/run_exec_bench.sh BUILD_DIR MODEL [--bind S=N]...}
shift 2
runs=${RUNS:-5}
threads=${THREADS:-1}
onnxscope=$build/src/onnxscope
here=$(cd "$(dirname "$0")" && pwd)
ort_args=(--threads "$threads")
[ -n "${ORT:-}" ] && ort_args+=(--ort "$ORT")
export OPENBLAS_NUM_THREADS=$threads

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The feeds, and onnxscope's outputs for run_feeds.js to compare.
"$onnxscope" run "$model" --random "$@" --save "$tmp/feeds" >/dev/null

: >"$tmp/a"
: >"$tmp/b"
agree=yes
for _ in $(seq "$runs"); do
  /usr/bin/time -f "%e %M" -o "$tmp/t" "$onnxscope" run "$model" --feed "$tmp/feeds/feeds.npz" >"$tmp/out" 2>/dev/null || true
  first=$(head -1 "$tmp/out")
  init=$(echo "$first" | sed -n 's/.*(and \([0-9.]*\) ms reading initializers).*/\1/p')
  echo "$(cat "$tmp/t") $(echo "$first" | sed 's/.* in \([0-9.]*\) ms.*/\1/') ${init:-0}" >>"$tmp/a"
  /usr/bin/time -f "%e %M" -o "$tmp/t" node "$here/ort/run_feeds.js" "$model" "$tmp/feeds" "${ort_args[@]}" >"$tmp/out" 2>/dev/null || true
  grep -q '"agree":true' "$tmp/out" || agree=no
  echo "$(cat "$tmp/t") $(sed 's/.*"run_ms":\([0-9.]*\).*/\1/' "$tmp/out")" >>"$tmp/b"
done
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
maxof() { sort -n | tail -1; }
minof() { sort -n | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
a_wall=$(cut -d' ' -f1 "$tmp/a" | median); b_wall=$(cut -d' ' -f1 "$tmp/b" | median)
a_rss=$(cut -d' ' -f2 "$tmp/a" | maxof); b_rss=$(cut -d' ' -f2 "$tmp/b" | maxof)
a_k=$(cut -d' ' -f3 "$tmp/a" | median); b_k=$(cut -d' ' -f3 "$tmp/b" | median)
a_kmin=$(cut -d' ' -f3 "$tmp/a" | minof); b_kmin=$(cut -d' ' -f3 "$tmp/b" | minof)
a_init=$(cut -d' ' -f4 "$tmp/a" | median)
fmt() { awk -v v="$1" 'BEGIN {printf "%.1f", v}'; }
echo "| $(basename "$model") | ${a_wall} s, $((a_rss / 1024)) MiB | ${b_wall} s, $((b_rss / 1024)) MiB |" \
     "$(ratio "$a_wall" "$b_wall") | $(fmt "$a_k") ms ($(fmt "$a_kmin")) | $(fmt "$a_init") ms | $(fmt "$b_k") ms ($(fmt "$b_kmin")) |" \
     "$(ratio "$a_k" "$b_k") | ${agree} |"
