#!/usr/bin/env bash
#===- utils/demo.sh - Install, build, and run the main job ----------------===#
#
# Sets up like utils/check.sh (installs what is missing, builds), then runs
# quant's main job on the bundled example as far as the project goes today:
# import examples/cnn-block.onnx with a fixed batch size, then graph cleanup
# (batch-norm folding, canonicalization), printing what changed. This script
# grows with the project: calibration, int8 code generation, a native
# executable with accuracy and latency.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
source "$(dirname "$0")/lib.sh"

quant_install_packages
quant_build

bin="$QUANT_BUILD_DIR/bin"
model="$QUANT_ROOT/examples/cnn-block.onnx"
out="$QUANT_BUILD_DIR/demo"
mkdir -p "$out"

quant_log "import $(basename "$model") with batch 1"
"$bin/quant-import" "$model" --input-shape image=1x1x28x28 --mlir-print-debuginfo \
  -o "$out/cnn-block.mlir"

quant_log "graph cleanup: --qnt-fold-batch-norm --canonicalize"
"$bin/quant-opt" "$out/cnn-block.mlir" --qnt-fold-batch-norm --canonicalize \
  --mlir-print-debuginfo -o "$out/cnn-block.folded.mlir"

count_ops() { grep -cE "= qnt\.$1 " "$2" || true; }
printf '\n%-20s %8s %8s\n' op imported cleaned
for op in conv batch_norm relu clamp max_pool global_average_pool reshape gemm softmax constant; do
  printf '%-20s %8s %8s\n' "$op" "$(count_ops "$op" "$out/cnn-block.mlir")" \
    "$(count_ops "$op" "$out/cnn-block.folded.mlir")"
done
printf '\ncleaned graph (%s keeps the ONNX node names as locations):\n\n' \
  "$out/cnn-block.folded.mlir"
"$bin/quant-opt" "$out/cnn-block.folded.mlir" --mlir-elide-elementsattrs-if-larger=4 |
  grep -E "qnt\.[a-z_]+ %|func.func|return" | grep -v "qnt.constant" | cut -c1-150
