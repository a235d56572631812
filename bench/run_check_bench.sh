#!/usr/bin/env bash
# Times every command of onnxscope on the two scale models
# (docs/performance.md#at-scale) against Python onnx's infer_shapes and
# onnxruntime session creation, with public tools only: each command runs
# RUNS times under /usr/bin/time; the median wall and CPU time, the largest
# peak RSS and the output size are printed, one Markdown row per command.
#   nodes100k  100,003 nodes, small weights inline (bench/gen_models.cc)
#   llm32      a 32-layer Llama-shaped decoder, 4,429 nodes, 6.3 GB of weights
#              in a sparse external data file (bench/gen_llm.cc)
#
# usage: bench/run_check_bench.sh [BUILD_DIR] [CACHE_DIR]
# Environment: RUNS (default 5); PYTHON (default /usr/bin/python3, with
# python3-onnx); ORT (an onnxruntime-node folder, e.g. from
# bench/ort/install.sh 1.30.0; none: no session creation); ORT_TIMEOUT
# (seconds, default 120).
set -euo pipefail

build=${1:-build}
cache=${2:-$build/bench-data}
runs=${RUNS:-5}
python=${PYTHON:-/usr/bin/python3}
ort_timeout=${ORT_TIMEOUT:-120}
onnxscope=$build/src/onnxscope
gen=$build/bench/onnxscope_bench_gen

mkdir -p "$cache"
[ -f "$cache/nodes100k.onnx" ] || "$gen" nodes100k "$cache/nodes100k.onnx"
[ -f "$cache/llm32/model.onnx" ] || "$gen" llm32 "$cache/llm32"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# row LABEL COMMAND...: RUNS runs; median wall, median CPU, max peak RSS, output bytes.
row() {
  local label=$1
  shift
  : >"$tmp/times"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/t" "$@" >"$tmp/out" 2>/dev/null || true
    tail -1 "$tmp/t" >>"$tmp/times"
  done
  local bytes wall cpu rss
  bytes=$(stat -c %s "$tmp/out")
  # Medians by sort(1), so that any POSIX awk will do (mawk has no asort).
  median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  wall=$(awk '{ print $1 }' "$tmp/times" | median)
  cpu=$(awk '{ print $2 + $3 }' "$tmp/times" | median)
  rss=$(awk '{ if ($4 > m) m = $4 } END { print m }' "$tmp/times")
  awk -v label="$label" -v wall="$wall" -v cpu="$cpu" -v rss="$rss" -v bytes="$bytes" \
    'BEGIN { printf "| %s | %.3f | %.3f | %.1f | %d |\n", label, wall, cpu, rss / 1024, bytes }'
}

echo "| command | median wall (s) | median CPU (s) | peak RSS (MiB) | output (bytes) |"
echo "|---|---:|---:|---:|---:|"
for model in "$cache/nodes100k.onnx" "$cache/llm32/model.onnx"; do
  name=$(basename "$(dirname "$model")")/$(basename "$model")
  row "$name: info" "$onnxscope" info "$model"
  row "$name: shapes" "$onnxscope" shapes "$model"
  row "$name: shapes --format json" "$onnxscope" shapes --format json "$model"
  row "$name: check" "$onnxscope" check "$model"
  row "$name: check --format json" "$onnxscope" check --format json "$model"
  row "$name: check -t all" "$onnxscope" check -t all "$model"
  row "$name: check -t all --format json" "$onnxscope" check -t all --format json "$model"
  row "$name: check -t all --format json --nodes" "$onnxscope" check -t all --format json --nodes "$model"
  row "$name: python onnx infer_shapes" "$python" -c "import sys, onnx, onnx.shape_inference as si; si.infer_shapes(onnx.load(sys.argv[1], load_external_data=False), data_prop=True)" "$model"
  if [ -n "${ORT:-}" ]; then
    row "$name: onnxruntime session creation" timeout "$ort_timeout" node -e \
      "require(process.argv[1] + '/node_modules/onnxruntime-node').InferenceSession.create(process.argv[2]).then(() => process.exit(0), e => { console.error(String(e)); process.exit(3); })" \
      "$ORT" "$model"
  fi
done
