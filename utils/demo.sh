#!/usr/bin/env bash
#===- utils/demo.sh - Install, build, and run the main job ----------------===#
#
# Sets up like utils/check.sh (installs what is missing, builds), then runs
# quant's main job on the bundled example as far as the project goes today:
# the qnt graph in examples/cnn-block.mlir goes through graph cleanup
# (batch-norm folding, canonicalization). This script grows with the project:
# import from ONNX, calibration, int8 code generation, a native executable.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
source "$(dirname "$0")/lib.sh"

quant_install_packages
quant_build

opt="$QUANT_BUILD_DIR/bin/quant-opt"
example="$QUANT_ROOT/examples/cnn-block.mlir"
out="$QUANT_BUILD_DIR/demo"
mkdir -p "$out"

count_ops() { grep -cE "= qnt\.$1 " "$2" || true; }

quant_log "graph cleanup on $(basename "$example"): --qnt-fold-batch-norm --canonicalize"
"$opt" "$example" --qnt-fold-batch-norm --canonicalize -o "$out/cnn-block.folded.mlir"

printf '\n%-14s %8s %8s\n' op before after
for op in conv batch_norm relu clamp gemm constant; do
  printf '%-14s %8s %8s\n' "$op" "$(count_ops "$op" "$example")" \
    "$(count_ops "$op" "$out/cnn-block.folded.mlir")"
done
printf '\nfolded graph (%s):\n\n' "$out/cnn-block.folded.mlir"
"$opt" "$out/cnn-block.folded.mlir" --mlir-elide-resource-strings-if-larger=64
