#!/usr/bin/env python3
"""quant against ONNX Runtime on a QDQ model someone else quantized.

    /usr/bin/python3 utils/bench_qdq_import.py MODEL.onnx [--batch 500]

Compiles MODEL.onnx (a Fashion-MNIST classifier in QDQ form, input
`image`, output `logits`) with quant through the Python package, with no
calibration data, and runs it and ONNX Runtime (npm onnxruntime-node,
utils/ort-run.js) on the full Fashion-MNIST test set. Prints:
- the top-1 agreement between the two;
- the largest logit difference in LSB of the output's scale (the last
  DequantizeLinear's);
- each one's accuracy.
For example, on examples/fashion-mnist/torch_qdq.py's PyTorch export.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "examples", "fashion-mnist"))
import quant  # noqa: E402
from evaluate import load_test_set  # noqa: E402


def output_scale(model_path):
    graph = onnx.load(model_path).graph
    values = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for n in graph.node:
        if n.op_type == "Constant":
            values[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    producer = {o: n for n in graph.node for o in n.output}
    last = producer[graph.output[0].name]
    if last.op_type != "DequantizeLinear":
        sys.exit("bench_qdq_import: the output is not written by a DequantizeLinear")
    return float(values[last.input[1]])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--batch", type=int, default=500)
    args = ap.parse_args()
    images, labels = load_test_set()
    work = tempfile.mkdtemp(prefix="quant-qdq-")
    lib = quant.compile_file(args.model, os.path.join(work, "model.so"),
                             input_shapes={"image": [args.batch, 1, 28, 28]})
    model = quant.Model(lib)
    ours, theirs = [], []
    ort_modules = os.path.join(os.environ.get("QUANT_CACHE_DIR", os.path.expanduser("~/.cache/quant")),
                               "ort", "node_modules")
    for i in range(0, len(images), args.batch):
        batch = images[i:i + args.batch]
        ours.append(model.run(image=batch)["logits"])
        np.save(os.path.join(work, "x.npy"), batch)
        subprocess.run(["node", os.path.join(ROOT, "utils", "ort-run.js"), args.model,
                        "--input", "image=" + os.path.join(work, "x.npy"),
                        "--output-dir", os.path.join(work, "ort")], check=True,
                       capture_output=True, env=dict(os.environ, ORT_NODE_MODULES=ort_modules))
        theirs.append(np.load(os.path.join(work, "ort", "logits.npy")))
    ours, theirs = np.concatenate(ours), np.concatenate(theirs)
    lsb = np.abs(ours.astype(np.float64) - theirs) / output_scale(args.model)
    print("%s: %d test images; top-1 agreement quant vs ONNX Runtime %.2f%%; "
          "max |logit difference| %.0f LSB (%d of %d logits differ); accuracy "
          "quant %.2f%%, ONNX Runtime %.2f%%"
          % (os.path.basename(args.model), len(labels),
             100.0 * (ours.argmax(1) == theirs.argmax(1)).mean(), lsb.max(),
             int((lsb > 0.5).sum()), lsb.size, 100.0 * (ours.argmax(1) == labels).mean(),
             100.0 * (theirs.argmax(1) == labels).mean()))


if __name__ == "__main__":
    main()
