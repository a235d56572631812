#!/usr/bin/env bash
# measure.sh [--releases "1.10.0 1.11.0 ..."] [--probes DIR] [--onnxscope PATH]
#            [--out DIR] [--cache DIR] [--jobs N] [--limits-only]
#
# Regenerates onnxscope's measured onnxruntime support tables
# (share/ort/ort-cpu-MAJOR.MINOR.txt): emits the probe models with
# `onnxscope probe emit` (unless --probes names a folder that has them),
# then for each release installs onnxruntime-node (install.sh), creates a
# session for every probe (run_probes.js) and turns the results into the
# release's table with `onnxscope probe table`.
#
# Default releases: the newest patch release of every minor release from 1.10
# to 1.30 that the npm registry has; pre-release versions (with a '-') are
# never used, so a minor release with only a dev build is skipped and named.
#
# --cache DIR   where installs, probes and results go
#               (default ${XDG_CACHE_HOME:-$HOME/.cache}/onnxscope)
# --jobs N      child processes in parallel (default: 2)
# --limits-only measure only the model-level probes (IR, opsets of every
#               domain, session facts) and rewrite those lines of the
#               existing tables, keeping their operator lines (seconds per
#               release instead of minutes)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
FIRST_MINOR=10
LAST_MINOR=30

releases=""
probes=""
onnxscope=""
out="$repo/share/ort"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/onnxscope"
jobs=2
limits_only=0

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --releases) releases=$2; shift 2 ;;
    --probes) probes=$2; shift 2 ;;
    --onnxscope) onnxscope=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --limits-only) limits_only=1; shift ;;
    -h|--help) usage ;;
    *) echo "measure.sh: unknown argument '$1'" >&2; usage ;;
  esac
done

# The onnxscope executable: --onnxscope, else the build tree, else PATH.
if [ -z "$onnxscope" ]; then
  for c in "$repo/build/src/onnxscope" "$repo/build/onnxscope"; do
    if [ -x "$c" ]; then onnxscope=$c; break; fi
  done
  [ -n "$onnxscope" ] || onnxscope=$(command -v onnxscope || true)
fi
if [ -z "$onnxscope" ] || ! [ -x "$onnxscope" ]; then
  echo "measure.sh: no onnxscope executable (build it with 'make', or pass --onnxscope PATH)" >&2
  exit 1
fi

if [ -z "$releases" ]; then
  echo "finding the releases of onnxruntime-node on the npm registry" >&2
  versions_json=$(npm view onnxruntime-node versions --json 2>/dev/null)
  picked=$(node -e '
    const [first, last] = [Number(process.argv[1]), Number(process.argv[2])];
    const all = JSON.parse(process.argv[3]);
    const newest = new Map(), devOnly = new Set();
    for (const v of all) {
      const m = /^1\.(\d+)\.(\d+)(-.*)?$/.exec(v);
      if (!m) continue;
      const minor = Number(m[1]), patch = Number(m[2]);
      if (minor < first || minor > last) continue;
      if (m[3]) { devOnly.add(minor); continue; }
      if (!newest.has(minor) || newest.get(minor) < patch) newest.set(minor, patch);
    }
    const out = [], skipped = [];
    for (let minor = first; minor <= last; minor++) {
      if (newest.has(minor)) out.push(`1.${minor}.${newest.get(minor)}`);
      else skipped.push(`1.${minor} (${devOnly.has(minor) ? "pre-release builds only" : "not on the registry"})`);
    }
    console.log(out.join(" "));
    for (const s of skipped) console.error(`skipping ${s}`);
  ' "$FIRST_MINOR" "$LAST_MINOR" "$versions_json")
  releases=$picked
fi
[ -n "$releases" ] || { echo "measure.sh: no releases to measure" >&2; exit 1; }
echo "releases: $releases" >&2

if [ -z "$probes" ]; then
  probes=$cache/probes
  echo "emitting probes into $probes" >&2
  rm -rf "$probes.new"
  "$onnxscope" probe emit --out "$probes.new" >&2
  rm -rf "$probes"
  mv "$probes.new" "$probes"
fi
manifest=$probes/manifest.tsv
[ -f "$manifest" ] || { echo "measure.sh: no $manifest" >&2; exit 1; }

has_table=1
if ! "$onnxscope" probe table --help >/dev/null 2>&1; then
  has_table=0
  echo "measure.sh: '$onnxscope probe table' is not available: stopping at the results files" >&2
fi

mkdir -p "$out" "$cache/results"
summary=()
for v in $releases; do
  start=$(date +%s)
  dir=$("$here/install.sh" "$v" "$cache/ort")
  results=$cache/results/ort-cpu-$v.jsonl
  filter=()
  update=()
  if [ "$limits_only" = 1 ]; then
    results=$cache/results/ort-cpu-$v.limits.jsonl
    filter=(--filter '^(opset|ir|session)/')
  fi
  node "$here/run_probes.js" --ort "$dir" --manifest "$manifest" --out "$results" --jobs "$jobs" "${filter[@]}"
  line="$v: results $results"
  if [ "$has_table" = 1 ]; then
    mm=$(echo "$v" | cut -d. -f1,2)
    table=$out/ort-cpu-$mm.txt
    tmp=$(mktemp "$out/.ort-cpu-$mm.txt.XXXXXX")
    if [ "$limits_only" = 1 ]; then
      [ -f "$table" ] || { rm -f "$tmp"; echo "measure.sh: --limits-only needs the table $table" >&2; exit 1; }
      update=(--update "$table")
    fi
    if "$onnxscope" probe table --manifest "$manifest" --results "$results" --release "$v" "${update[@]}" > "$tmp"; then
      chmod 644 "$tmp"
      mv "$tmp" "$table"
      line="$line, table $table"
    else
      rm -f "$tmp"
      echo "measure.sh: 'onnxscope probe table' failed for $v" >&2
      exit 1
    fi
  fi
  summary+=("$line ($(( $(date +%s) - start )) s)")
done

echo "done:" >&2
printf '  %s\n' "${summary[@]}" >&2
