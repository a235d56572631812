#!/usr/bin/env bash
# Times `onnxscope info` against Python's onnx.load on two generated models
# (docs/performance.md#onnxscope-info):
#   nodes100k   a transformer-like model of >= 100,000 nodes, small weights inline
#   external1g  512 nodes whose 256 weights (1 GiB) live in weights.bin
#
# usage: bench/run_info_bench.sh [BUILD_DIR] [CACHE_DIR]
#   BUILD_DIR  CMake build folder (default ./build); onnxscope and
#              onnxscope_bench_gen are built there if missing
#   CACHE_DIR  where the models and hyperfine's JSON go (default BUILD_DIR/bench-data);
#              models are generated only if missing
# Environment: RUNS (hyperfine --min-runs, default 10), PYTHON (default /usr/bin/python3,
# Debian's python3-onnx).
#
# Prints the machine, the command line, hyperfine's output, then a Markdown
# table (also saved as CACHE_DIR/info-bench.md). Targets: each model under 1 s,
# external1g under 150 MB peak RSS, and onnxscope at least 5x faster than
# onnx.load. A missed target is reported as FAIL; the exit status stays 0,
# since this is a measurement, not a test.
set -euo pipefail

invocation="$0${*:+ $*}"
build=${1:-build}
cache=${2:-$build/bench-data}
runs=${RUNS:-10}
python=${PYTHON:-/usr/bin/python3}

die() { echo "run_info_bench.sh: $*" >&2; exit 1; }

command -v hyperfine >/dev/null || die "hyperfine is not installed (apt-get install hyperfine)"
[[ -x /usr/bin/time ]] || die "GNU time is not installed at /usr/bin/time (apt-get install time)"
"$python" -c 'import onnx' 2>/dev/null || die "$python cannot import onnx (apt-get install python3-onnx)"
[[ -f $build/CMakeCache.txt ]] || die "$build is not a CMake build folder; configure it first:
  cmake -S . -B $build -DCMAKE_BUILD_TYPE=Release"
[[ $runs -ge 10 ]] || die "RUNS must be at least 10"

onnxscope=$build/src/onnxscope
gen=$build/bench/onnxscope_bench_gen
if [[ ! -x $onnxscope || ! -x $gen ]]; then
  echo "Building onnxscope and onnxscope_bench_gen in $build ..." >&2
  cmake --build "$build" --target onnxscope onnxscope_bench_gen >&2
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
[[ $build_type == Release ]] || echo "warning: $build is a '${build_type:-default}' build, not Release" >&2

mkdir -p "$cache"
m100k=$cache/nodes100k.onnx
m1g=$cache/external1g/model.onnx
case "$m100k$m1g" in *[\"\'\\\$\`]*) die "the cache path must not contain quotes, backslashes, \$ or backticks";; esac
if [[ ! -s $m100k ]]; then
  "$gen" nodes100k "$m100k"
fi
if [[ ! -s $m1g || ! -f $cache/external1g/weights.bin ||
      $(stat -c %s "$cache/external1g/weights.bin") -ne $((1 << 30)) ]]; then
  "$gen" external1g "$cache/external1g"
fi

# --- helpers ---------------------------------------------------------------
if command -v jq >/dev/null; then
  # stats FILE INDEX -> "mean stddev min max" in seconds (hyperfine's JSON export)
  stats() { jq -r ".results[$2] | \"\(.mean) \(.stddev // 0) \(.min) \(.max)\"" "$1"; }
  # json_field JSONPATH < json
  json_field() { jq -r "$1"; }
else
  stats() {
    "$python" -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]
print(r["mean"], r.get("stddev") or 0, r["min"], r["max"])' "$1" "$2"
  }
  json_field() {
    "$python" -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].lstrip(".").split("."): v = v[k]
print(v)' "$1"
  }
fi

# peak_rss_kib CMD... -> the largest maximum resident set size (KiB) over 3 runs
peak_rss_kib() {
  local max=0 kib out
  out=$(mktemp)
  for _ in 1 2 3; do
    /usr/bin/time -f %M -o "$out" "$@" >/dev/null
    kib=$(tail -n 1 "$out")
    if (( kib > max )); then max=$kib; fi
  done
  rm -f "$out"
  echo "$max"
}

# --- machine and command ---------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
mem_gib=$(awk '/^MemTotal:/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
pyver=$("$python" -c 'import onnx, sys, google.protobuf as pb
from google.protobuf.internal import api_implementation as api
print(f"Python {sys.version.split()[0]}, onnx {onnx.__version__}, protobuf {pb.__version__} ({api.Type()} backend)")')
machine="${cpu:-unknown CPU}, nproc $(nproc), ${mem_gib} GiB RAM, Linux $(uname -r | cut -d- -f1); $(hyperfine --version); $pyver; onnxscope $("$onnxscope" --version 2>/dev/null | awk '{print $NF}') ($build_type)"
echo "Machine: $machine" >&2
echo "Command: $invocation" >&2

# --- measurements ----------------------------------------------------------
declare -A mean sd min max rss nodes bytes
for model in nodes100k external1g; do
  if [[ $model == nodes100k ]]; then m=$m100k; else m=$m1g; fi
  json=$cache/hyperfine-$model.json
  scope_cmd="$(printf %q "$onnxscope") info --format json $(printf %q "$m") >/dev/null"
  py_cmd="$python -c 'import onnx; onnx.load(\"$m\")'"
  echo "== $model: $m" >&2
  hyperfine --warmup 2 --min-runs "$runs" --export-json "$json" \
    -n "onnxscope info ($model)" "$scope_cmd" \
    -n "python onnx.load ($model)" "$py_cmd" >&2
  i=0
  for tool in onnxscope python; do
    read -r "mean[$model,$tool]" "sd[$model,$tool]" "min[$model,$tool]" "max[$model,$tool]" < <(stats "$json" $i)
    i=$((i + 1))
  done
  rss[$model,onnxscope]=$(peak_rss_kib "$onnxscope" info --format json "$m")
  rss[$model,python]=$(peak_rss_kib "$python" -c "import onnx; onnx.load(\"$m\")")
  nodes[$model]=$("$onnxscope" info --format json "$m" | json_field .nodes.total)
  bytes[$model]=$(stat -c %s "$m")
  if [[ $model == external1g ]]; then
    bytes[$model]=$(( bytes[$model] + $(stat -c %s "$cache/external1g/weights.bin") ))
  fi
done
echo "== baseline: python3 -c 'import onnx' (no model)" >&2
hyperfine --warmup 2 --min-runs "$runs" --export-json "$cache/hyperfine-import.json" \
  -n "python import onnx" "$python -c 'import onnx'" >&2
read -r import_mean _ _ _ < <(stats "$cache/hyperfine-import.json" 0)

# --- report ----------------------------------------------------------------
# ms SECONDS [REFERENCE]: milliseconds, with decimals chosen by the size of REFERENCE (default SECONDS)
ms() { awk -v s="$1" -v r="${2:-$1}" 'BEGIN { r *= 1000; printf(r < 10 ? "%.2f" : (r < 100 ? "%.1f" : "%.0f"), s * 1000) }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# check VALUE OP LIMIT -> PASS/FAIL
check() { awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
  ok = (op == "<") ? a < b : a >= b; print ok ? "PASS" : "FAIL" }'; }

report=$(
  echo "Machine: $machine"
  echo
  echo "Command: \`$invocation\`"
  echo
  echo "| Model | Tool | Mean wall (ms) | Min (ms) | Peak RSS (MiB) | python / onnxscope | Targets |"
  echo "|---|---|---:|---:|---:|---:|---|"
  for model in nodes100k external1g; do
    size=$(awk -v b="${bytes[$model]}" 'BEGIN { printf(b >= 1073741824 ? "%.2f GiB" : "%.1f MiB", b >= 1073741824 ? b / 1073741824 : b / 1048576) }')
    ratio=$(awk -v p="${mean[$model,python]}" -v o="${mean[$model,onnxscope]}" 'BEGIN { printf "%.1f", p / o }')
    ratio_min=$(awk -v p="${min[$model,python]}" -v o="${min[$model,onnxscope]}" 'BEGIN { printf "%.1f", p / o }')
    t_time=$(check "${mean[$model,onnxscope]}" "<" 1)
    t_ratio=$(check "$(awk -v p="${mean[$model,python]}" -v o="${mean[$model,onnxscope]}" 'BEGIN { print p / o }')" ">=" 5)
    targets="< 1 s: $t_time; >= 5x: $t_ratio"
    if [[ $model == external1g ]]; then
      # 150 MB = 150e6 bytes (about 143 MiB)
      t_rss=$(check "$(( rss[$model,onnxscope] * 1024 ))" "<" 150000000)
      targets="$targets; < 150 MB RSS: $t_rss"
    fi
    label="$model (${nodes[$model]} nodes, $size)"
    printf '| %s | onnxscope info | %s ± %s | %s | %s | %sx (min: %sx) | %s |\n' "$label" \
      "$(ms "${mean[$model,onnxscope]}")" "$(ms "${sd[$model,onnxscope]}" "${mean[$model,onnxscope]}")" "$(ms "${min[$model,onnxscope]}")" \
      "$(mib "${rss[$model,onnxscope]}")" "$ratio" "$ratio_min" "$targets"
    printf '| %s | python onnx.load | %s ± %s | %s | %s | | |\n' "$label" \
      "$(ms "${mean[$model,python]}")" "$(ms "${sd[$model,python]}" "${mean[$model,python]}")" "$(ms "${min[$model,python]}")" \
      "$(mib "${rss[$model,python]}")"
  done
  echo
  echo "Mean ± standard deviation over hyperfine's runs (--warmup 2, at least $runs runs); the ratio is of the"
  echo "means (of the minimums in parentheses); targets are checked on the means; peak RSS is the largest of"
  echo "3 runs of /usr/bin/time -f %M. Of python's time, $(ms "$import_mean") ms is starting the interpreter and"
  echo "importing onnx (\`python3 -c 'import onnx'\` alone)."
)
echo
echo "$report"
echo "$report" > "$cache/info-bench.md"
echo >&2
echo "Saved: $cache/info-bench.md, $cache/hyperfine-{nodes100k,external1g,import}.json" >&2
