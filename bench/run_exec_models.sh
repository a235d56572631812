#!/usr/bin/env bash
# The executor benchmark of docs/performance.md: writes the four models of
# bench/gen_exec.cc (ResNet-18, MobileNetV3-Large, a 2-layer transformer
# encoder at batch 4 and sequence 33, a U-Net at 512x512) and times each
# against onnxruntime-node with bench/run_exec_bench.sh (one thread each).
#
# usage: bench/run_exec_models.sh BUILD_DIR [MODEL...]
# Environment: as bench/run_exec_bench.sh (RUNS, THREADS, ORT).
set -euo pipefail

build=${1:?usage: bench/run_exec_models.sh BUILD_DIR [MODEL...]}
shift
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(resnet18 mobilenetv3 encoder2 unet)
here=$(cd "$(dirname "$0")" && pwd)

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "| model | onnxscope: wall, peak RSS | onnxruntime: wall, peak RSS | wall ratio | onnxscope kernels, median (fastest) | onnxscope reading initializers | onnxruntime run(), median (fastest) | kernel ratio | outputs agree |"
echo "|---|---|---|---|---|---|---|---|---|"
for m in "${models[@]}"; do
  "$build/bench/onnxscope_bench_gen" "$m" "$dir/$m.onnx" >/dev/null
  binds=()
  [ "$m" = encoder2 ] && binds=(--bind batch=4 --bind seq=33)
  "$here/run_exec_bench.sh" "$build" "$dir/$m.onnx" "${binds[@]}"
done
