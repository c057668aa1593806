#!/usr/bin/env bash
#===- utils/demo.sh - Install, build, and run the main job ----------------===#
#
# Sets up like utils/check.sh (installs what is missing, builds), then runs
# quant's main job on the bundled example as far as the project goes today:
# the Fashion-MNIST CNN (examples/fashion-mnist/cnn.onnx, trained by
# train.py) is compiled ahead of time to a native executable, which runs on
# the 256 bundled test images; the demo prints its accuracy and latency.
# This grows with the project: calibration and int8 come next.
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
