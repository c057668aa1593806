#!/usr/bin/env bash
#===- utils/fuzz-importer.sh - Fuzz the ONNX importer ---------------------===#
#
#   utils/fuzz-importer.sh [SECONDS]     (default 600)
#
# Builds quant-import-fuzzer with libFuzzer, ASan and UBSan in build-fuzz/,
# seeds a corpus with the ONNX node-test models, the importer's test models
# and the cached real models, and fuzzes for SECONDS. Crashing inputs land in
# build-fuzz/crashes/; each one found so far is a regression test under
# test/Import/fuzz-regressions.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
source "$(dirname "$0")/lib.sh"
seconds="${1:-600}"

QUANT_BUILD_DIR="$QUANT_ROOT/build-fuzz" QUANT_BUILD_TYPE=RelWithDebInfo \
  QUANT_CMAKE_ARGS="-DQUANT_SANITIZE=ON -DQUANT_BUILD_FUZZERS=ON" quant_build
fuzz="$QUANT_ROOT/build-fuzz"
corpus="$fuzz/corpus"
mkdir -p "$corpus" "$fuzz/crashes"

# Seeds: node tests, the lit models, the small real models (< 2 MB).
for f in /usr/share/libonnx-testdata/data/node/*/model.onnx; do
  cp "$f" "$corpus/node-$(basename "$(dirname "$f")").onnx"
done
gen="$QUANT_ROOT/test/Import/Inputs/onnx_models.py"
for name in $(python3 -c "import sys; sys.path.insert(0, '$(dirname "$gen")'); import onnx_models; print(' '.join(onnx_models.MODELS))"); do
  mkdir -p "$fuzz/seedgen/$name"
  /usr/bin/python3 "$gen" "$name" "$fuzz/seedgen/$name/model.onnx" 2>/dev/null &&
    cp "$fuzz/seedgen/$name/model.onnx" "$corpus/lit-$name.onnx" || true
done
find "${QUANT_CACHE_DIR:-$HOME/.cache/quant}/models" -name '*.onnx' -size -2M \
  -exec cp {} "$corpus/" \; 2>/dev/null || true

ASAN_OPTIONS=detect_leaks=0 "$fuzz/bin/quant-import-fuzzer" "$corpus" \
  -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=2000000 \
  -artifact_prefix="$fuzz/crashes/" -print_final_stats=1
