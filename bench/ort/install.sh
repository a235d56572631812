#!/usr/bin/env bash
# install.sh VERSION [CACHE]
#
# Installs onnxruntime-node@VERSION into CACHE/VERSION (default cache:
# ${XDG_CACHE_HOME:-$HOME/.cache}/onnxscope/ort) and prints that directory.
# Idempotent: an install that is present and loads is kept as it is.
#
# --ignore-scripts is mandatory: the package's postinstall script downloads
# GPU (CUDA/TensorRT) binaries from outside the npm registry, which is neither
# possible nor needed here; the CPU binaries ship inside the npm tarball.
set -euo pipefail

usage() { echo "usage: $0 VERSION [CACHE]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
version=$1
case $version in ''|*/*|-*) usage ;; esac
cache=${2:-${XDG_CACHE_HOME:-$HOME/.cache}/onnxscope/ort}
dir=$cache/$version

# A release is usable when its package loads and reports the version asked
# for (old releases have no `env.versions`; the package.json is checked then).
loads() {
  (cd "$1" && node -e '
    const want = process.argv[1];
    const pkg = require.resolve("onnxruntime-node/package.json", { paths: [process.cwd()] });
    const have = require(pkg).version;
    require("onnxruntime-node");
    if (have !== want) { console.error(`installed ${have}, wanted ${want}`); process.exit(1); }
  ' "$version") >/dev/null 2>&1
}

if [ -d "$dir" ] && loads "$dir"; then
  echo "$dir"
  exit 0
fi

mkdir -p "$cache"
# Install into a temporary directory next to the final one and rename it into
# place, so that an interrupted install never looks complete.
tmp=$(mktemp -d "$cache/.install-$version.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
printf '{ "name": "onnxscope-ort-%s", "private": true }\n' "$version" > "$tmp/package.json"
echo "installing onnxruntime-node@$version (npm install --ignore-scripts)" >&2
(cd "$tmp" && npm install --ignore-scripts --no-audit --no-fund --no-save --loglevel=error \
  "onnxruntime-node@$version" >&2)
if ! loads "$tmp"; then
  echo "onnxruntime-node@$version installed but does not load:" >&2
  (cd "$tmp" && node -e 'require("onnxruntime-node")') >&2 || true
  exit 1
fi
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
echo "$dir"
