#!/usr/bin/env bash
# Runs, on a machine with an NVIDIA GPU, what utils/prepare_gpu_check.sh
# built (DIR, default .gpucheck): compares each GPU artifact's outputs with
# the x86-64 ones (int8: bit for bit; fp32: max |difference|), times them
# (median of 20 runs after warm-up, host<->device staging included) against
# quant's x86-64 detector and ONNX Runtime's CPU path on the same machine,
# prints per-kernel times (QUANT_CUDA_PROFILE) for the GEMMs, and builds and
# runs utils/cublaslt_int8_gemm.cu as the anchor when nvcc is there.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$(cd "${1:-$ROOT/.gpucheck}" && pwd)
PY=${PYTHON:-python3}
export LD_LIBRARY_PATH=$DIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
same() { # same A.npy B.npy: bit-identical, or max |a - b|
  $PY - "$1" "$2" <<'PYEOF'
import sys, numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
if a.dtype != np.float32:
    print("  %s: bit-identical: %s" % (sys.argv[2], bool(np.array_equal(a, b))))
else:
    print("  %s: bit-identical: %s, max |diff| %.3g" % (
        sys.argv[2], bool(np.array_equal(a, b)), float(np.abs(a - b).max())))
PYEOF
}
cd "$DIR/cnn"
echo "== CNN int8 (tensor cores), int8 (reference loops), fp32"
for exe in int8-gpu int8-gpu-ref fp32-gpu; do
  ./$exe --input image=eval.npy --output-dir out-$exe || exit 1
done
same x86-int8/logits.npy out-int8-gpu/logits.npy
same x86-int8/logits.npy out-int8-gpu-ref/logits.npy
same x86-fp32/logits.npy out-fp32-gpu/logits.npy
for exe in int8-gpu fp32-gpu int8-x86 fp32-x86; do
  echo "  $exe: $(./$exe --input image=eval.npy --bench 20 --threads 16)"
done
cd "$DIR/det"
echo "== PaddleOCR v4 detector int8"
./det-gpu --input x=page/0000.npy --output-dir out-gpu || exit 1
same x86-int8/sigmoid_0.tmp_0.npy out-gpu/sigmoid_0.tmp_0.npy
echo "  det-gpu: $(./det-gpu --input x=page/0000.npy --bench 20)"
echo "  det-x86 int8, 16 threads: $(./det-x86 --input x=page/0000.npy --bench 20 --threads 16)"
echo "  det-x86 int8, 1 thread: $(./det-x86 --input x=page/0000.npy --bench 5 --threads 1)"
$PY - <<'PYEOF'
import time, numpy as np, onnxruntime as ort
x = np.load("page/0000.npy")
for threads in (16, 1):
    o = ort.SessionOptions(); o.intra_op_num_threads = threads
    s = ort.InferenceSession("det.onnx", o, providers=["CPUExecutionProvider"])
    for _ in range(3): s.run(None, {"x": x})
    ms = []
    for _ in range(20 if threads > 1 else 5):
        t = time.perf_counter(); s.run(None, {"x": x}); ms.append((time.perf_counter() - t) * 1e3)
    print("  ORT %s fp32 CPU, %d thread(s): median %.3f ms" % (ort.__version__, threads, float(np.median(ms))))
PYEOF
echo "  the detector's total kernel time and its 10 slowest kernels (QUANT_CUDA_PROFILE):"
QUANT_CUDA_PROFILE=1 ./det-gpu --input x=page/0000.npy --bench 5 2>&1 >/dev/null | head -11
cd "$DIR/gemm"
echo "== int8 GEMM (M x K x N): quant's mma.sync kernel, per-kernel time"
for exe in gemm-*-gpu; do
  size=${exe#gemm-}; size=${size%-gpu}
  ./$exe --input input0=a-$size.npy --output-dir out-$size || exit 1
  same x86-$size/output0.npy out-$size/output0.npy
  QUANT_CUDA_PROFILE=1 ./$exe --input input0=a-$size.npy --bench 20 2>&1 | grep -E "qgemm|median"
done
if command -v nvcc >/dev/null; then
  nvcc -O2 -o /tmp/cublaslt_int8_gemm "$ROOT/utils/cublaslt_int8_gemm.cu" -lcublasLt &&
    for size in "1024 1024 1024" "2048 2048 2048"; do /tmp/cublaslt_int8_gemm $size 50; done
fi
