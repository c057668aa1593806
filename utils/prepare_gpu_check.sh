#!/usr/bin/env bash
# Builds what utils/gpu_check.sh runs on a machine with an NVIDIA GPU (and
# no quant toolchain): in OUT (default .gpucheck, which git ignores), the
# Fashion-MNIST CNN and the PaddleOCR detector compiled for --target=nvptx
# (int8 on tensor cores, the CNN also with the reference integer loops and
# in fp32), their x86-64 int8 outputs, quant's x86-64 detector, the
# detector's ONNX file for ONNX Runtime's CPU path, and int8 GEMMs with
# their x86-64 outputs.
#
#   [MCPU=sm_90] utils/prepare_gpu_check.sh [OUT]
#
# Needs the PaddleOCR models (utils/fetch-models.sh) and about 35 MB in OUT.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/.gpucheck}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
CHIP=${MCPU:-sm_90}
BIN=$ROOT/build/bin
PY=/usr/bin/python3
DET=${QUANT_MODEL_CACHE:-$HOME/.cache/quant/models}/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx
rm -rf "$OUT" && mkdir -p "$OUT"/{cnn,det,gemm}
grep -qx '/.gpucheck/' "$ROOT/.git/info/exclude" 2>/dev/null ||
  echo /.gpucheck/ >>"$ROOT/.git/info/exclude"

echo "== Fashion-MNIST CNN (batch 64)"
cd "$OUT/cnn"
$PY -c "import numpy as np; s = np.load('$ROOT/examples/fashion-mnist/samples.npy'); import os; os.makedirs('calib', exist_ok=True); np.save('calib/0.npy', s[128:192]); np.save('calib/1.npy', s[192:256]); np.save('eval.npy', s[0:64])"
CNN=$ROOT/examples/fashion-mnist/cnn.onnx
$BIN/quant-compile $CNN --input-shape image=64x1x28x28 --precision=int8 \
  --calibration-data calib --emit=mlir -o int8.mlir
$BIN/quant-compile int8.mlir --emit=exe -o int8-x86
./int8-x86 --input image=eval.npy --output-dir x86-int8 >/dev/null
$BIN/quant-compile $CNN --input-shape image=64x1x28x28 --emit=exe -o fp32-x86
./fp32-x86 --input image=eval.npy --output-dir x86-fp32 >/dev/null
$BIN/quant-compile int8.mlir --target=nvptx --mcpu=$CHIP --emit=exe -o int8-gpu
$BIN/quant-compile int8.mlir --target=nvptx --mcpu=$CHIP --int8-kernels=reference \
  --emit=exe -o int8-gpu-ref
$BIN/quant-compile $CNN --input-shape image=64x1x28x28 --target=nvptx \
  --mcpu=$CHIP --emit=exe -o fp32-gpu
rm -rf calib int8.mlir *.h

echo "== PaddleOCR v4 detector (1x3x640x640)"
cd "$OUT/det"
$PY "$ROOT/test/Models/Inputs/ocr_calibration_set.py" calib 4 --size 640x640 --seed 1
$PY "$ROOT/test/Models/Inputs/ocr_calibration_set.py" page 1 --size 640x640 --seed 7
$BIN/quant-compile "$DET" --input-shape x=1x3x640x640 --precision=int8 \
  --calibration-data calib --emit=mlir -o int8.mlir
$BIN/quant-compile int8.mlir --emit=exe -o det-x86
./det-x86 --input x=page/0000.npy --output-dir x86-int8 --threads 2 >/dev/null
$BIN/quant-compile int8.mlir --target=nvptx --mcpu=$CHIP --emit=exe -o det-gpu
cp "$DET" det.onnx
rm -rf calib int8.mlir *.h

echo "== int8 GEMMs"
cd "$OUT/gemm"
for size in 1024x1024x1024 2048x2048x2048; do
  $PY - "$size" <<PYEOF
import sys, numpy as np
sys.path.insert(0, "$ROOT/utils")
from bench_gemm import write_module
m, k, n = (int(d) for d in sys.argv[1].split("x"))
rng = np.random.default_rng(0)
write_module("gemm.mlir", m, k, n, rng)
np.save("a-%s.npy" % sys.argv[1], rng.integers(-128, 128, (m, k)).astype(np.int8))
PYEOF
  $BIN/quant-compile gemm.mlir --emit=exe -o gemm-x86
  ./gemm-x86 --input input0=a-$size.npy --output-dir x86-$size >/dev/null
  $BIN/quant-compile gemm.mlir --target=nvptx --mcpu=$CHIP --emit=exe -o gemm-$size-gpu
  rm -f gemm.mlir gemm-x86 *.h
done
# The x86-64 executables' OpenMP runtime, for a machine without LLVM 22.
mkdir -p "$OUT/lib" && cp -L /usr/lib/llvm-22/lib/libomp.so.5 "$OUT/lib/"
du -sh "$OUT"
