#!/usr/bin/env bash
#===- utils/demo.sh - Install, build, and run the main job ----------------===#
#
# Sets up like utils/check.sh (installs what is missing, builds), then runs
# quant's main job on the bundled example as far as the project goes today:
# the Fashion-MNIST CNN (examples/fashion-mnist/cnn.onnx, trained by
# train.py) is compiled ahead of time to a native executable, which runs on
# the 256 bundled test images; the demo prints its accuracy and latency.
# Then the same model in int8 (calibrated on 1024 Fashion-MNIST training
# images, disjoint from the test images) side by side: accuracy, latency
# and size (int8 convs and GEMMs on the VNNI/AVX2 microkernels this CPU has).
#
#===----------------------------------------------------------------------===#
set -euo pipefail
source "$(dirname "$0")/lib.sh"

quant_install_packages
quant_build

bin="$QUANT_BUILD_DIR/bin"
example="$QUANT_ROOT/examples/fashion-mnist"
out="$QUANT_BUILD_DIR/demo"
mkdir -p "$out"

quant_log "compile cnn.onnx (batch 256) to a native executable for this CPU"
"$bin/quant-compile" "$example/cnn.onnx" --input-shape image=256x1x28x28 \
  --emit=exe -o "$out/cnn"
"$out/cnn" --print-signature

quant_log "run it on the 256 bundled test images"
"$out/cnn" --input image="$example/samples.npy" --output-dir "$out/cnn-out"
/usr/bin/python3 - "$out/cnn-out/logits.npy" "$example/labels.npy" <<'PY'
import json, os, sys
import numpy as np
logits, labels = np.load(sys.argv[1]), np.load(sys.argv[2])
ref = json.load(open(os.path.join(os.path.dirname(sys.argv[2]), "reference.json")))["cnn"]
names = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
         "Sneaker", "Bag", "Ankle boot"]
pred = logits.argmax(1)
print(f"accuracy on the {len(labels)} samples: {100 * (pred == labels).mean():.2f}% "
      f"(PyTorch, whole test set: {ref['accuracy']:.2f}%)")
print("first 8:", ", ".join(f"{names[p]}{'' if p == l else ' (wrong: ' + names[l] + ')'}"
                            for p, l in zip(pred[:8], labels[:8])))
PY

quant_log "latency (batch of 256 images)"
for threads in 1 2; do
  "$out/cnn" --input image="$example/samples.npy" --bench 20 --threads "$threads"
done

quant_log "int8: calibrate on 1024 training images, compile, compare with fp32"
/usr/bin/python3 - "$out/calib" <<'PY'
import gzip, os, sys
import numpy as np
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
path = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
with gzip.open(path) as f:
    raw = np.frombuffer(f.read(), np.uint8, offset=16)[:1024 * 784]
images = ((raw.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0) - 0.5) / 0.5
for i in range(4):
    np.save(os.path.join(out, f"{i:04d}.npy"), images[i * 256:(i + 1) * 256])
PY
"$bin/quant-compile" "$example/cnn.onnx" --input-shape image=256x1x28x28 \
  --precision=int8 --calibration-data "$out/calib" --emit=exe -o "$out/cnn-int8"
"$out/cnn-int8" --input image="$example/samples.npy" --output-dir "$out/cnn-int8-out"
fp32_ms=$("$out/cnn" --input image="$example/samples.npy" --bench 20 | sed -n 's/^median \([0-9.]*\) ms.*/\1/p')
int8_ms=$("$out/cnn-int8" --input image="$example/samples.npy" --bench 20 | sed -n 's/^median \([0-9.]*\) ms.*/\1/p')
/usr/bin/python3 - "$out" "$example/labels.npy" "$fp32_ms" "$int8_ms" <<'PY'
import os, sys
import numpy as np
out, labels = sys.argv[1], np.load(sys.argv[2])
fp32_ms, int8_ms = float(sys.argv[3]), float(sys.argv[4])
rows = []
for name, exe, ms in [("fp32", "cnn", fp32_ms), ("int8", "cnn-int8", int8_ms)]:
    pred = np.load(os.path.join(out, exe + "-out", "logits.npy")).argmax(1)
    rows.append((name, 100 * (pred == labels).mean(), ms,
                 os.path.getsize(os.path.join(out, exe)) / 1024))
print(f"{'':6}{'accuracy':>10}{'ms/256 images':>16}{'executable':>12}")
for name, acc, ms, kb in rows:
    print(f"{name:6}{acc:9.2f}%{ms:16.3f}{kb:10.0f} KB")
print("int8 runs the reference integer loops (scalar; VNNI kernels are not "
      "written yet), so it is slower than fp32 today.")
PY
