"""A two-layer MLP with activation outlier channels, for SmoothQuant.

    smoothquant_outliers.py DIR [--seed 3]

Writes DIR/outliers.onnx: y = (x W1 + b1) W2 + b2 (MatMul + Add, as
exporters write Linear), x [64, 32], hidden 64, out 16, where four hidden
channels have 40-80x the scale of the others (their W1 columns and b1
entries are scaled), the pattern SmoothQuant (Xiao et al. 2022) targets:
per-tensor int8 of the hidden activation spends its 256 levels on four
channels. Also DIR/calib/*.npy (32 samples) and DIR/eval/*.npy (8 other
samples) of x ~ N(0, 1), and DIR/float/<i>/y.npy, the float outputs of the
eval samples computed by numpy in float64.
"""

import argparse
import os

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--seed", type=int, default=3)
args = ap.parse_args()
rng = np.random.default_rng(args.seed)

tokens, d_in, hidden, d_out = 64, 32, 64, 16
w1 = rng.standard_normal((d_in, hidden)) / np.sqrt(d_in)
b1 = rng.standard_normal(hidden) * 0.1
outliers = [5, 17, 40, 58]
for c, scale in zip(outliers, [40.0, 60.0, 80.0, 50.0]):
    w1[:, c] *= scale
    b1[c] *= scale
w2 = rng.standard_normal((hidden, d_out)) / np.sqrt(hidden)
# Outlier channels carry as much signal per unit as the others.
w2[outliers, :] /= 40.0
b2 = rng.standard_normal(d_out) * 0.1
w1, b1, w2, b2 = (a.astype(np.float32) for a in (w1, b1, w2, b2))

nodes = [
    helper.make_node("MatMul", ["x", "w1"], ["h0"], name="fc1"),
    helper.make_node("Add", ["h0", "b1"], ["h"], name="fc1_bias"),
    helper.make_node("MatMul", ["h", "w2"], ["y0"], name="fc2"),
    helper.make_node("Add", ["y0", "b2"], ["y"], name="fc2_bias"),
]
graph = helper.make_graph(
    nodes, "outliers",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [tokens, d_in])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [tokens, d_out])],
    [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(b1, "b1"),
     numpy_helper.from_array(w2, "w2"), numpy_helper.from_array(b2, "b2")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
os.makedirs(args.dir, exist_ok=True)
onnx.save(model, os.path.join(args.dir, "outliers.onnx"))

for name, count in (("calib", 32), ("eval", 8)):
    os.makedirs(os.path.join(args.dir, name), exist_ok=True)
    for i in range(count):
        x = rng.standard_normal((tokens, d_in)).astype(np.float32)
        np.save(os.path.join(args.dir, name, "%04d.npy" % i), x)
        if name == "eval":
            y = (x.astype(np.float64) @ w1 + b1) @ w2 + b2
            out = os.path.join(args.dir, "float", str(i))
            os.makedirs(out, exist_ok=True)
            np.save(os.path.join(out, "y.npy"), y.astype(np.float32))
