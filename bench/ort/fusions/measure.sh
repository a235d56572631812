#!/usr/bin/env bash
# Measures onnxruntime's graph fusions that change kernels (the probes of
# make_probes.py) on every installed release and writes share/ort/fusions.txt.
#
# usage: bench/ort/fusions/measure.sh [VERSION...]
# PYTHON: a Python 3 with numpy and onnx (default python3).
# Releases default to every install of bench/ort/install.sh in the cache
# (${XDG_CACHE_HOME:-~/.cache}/onnxscope/ort/VERSION).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/onnxscope
versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then
  mapfile -t versions < <(ls "$cache/ort" | sort -V)
fi
probes=$(mktemp -d)
trap 'rm -rf "$probes"' EXIT
"${PYTHON:-python3}" "$here/make_probes.py" "$probes"
out="$root/share/ort/fusions.txt"
{
  echo "# onnxruntime's graph fusions that change kernels, measured by bench/ort/fusions/measure.sh:"
  echo "# fusion RELEASE PROBE LEVEL OUTCOME [: MESSAGE]"
  echo "# built RELEASE PROBE LEVEL WINDOW : WHAT (docs/support-tables.md#fusions)"
  for v in "${versions[@]}"; do
    node "$here/run.js" "$cache/ort/$v" "$probes"
  done
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out ($(grep -c '^fusion' "$out") fusion lines, $(grep -c '^built' "$out") built lines, releases: ${versions[*]})"
