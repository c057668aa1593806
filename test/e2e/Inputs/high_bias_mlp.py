#!/usr/bin/env python3
"""DIR/mlp.onnx (x[8x16] -> Gemm 16->32 -> Relu -> Gemm 32->10) whose first
bias is large on half the channels, so those never go below a positive
floor, and DIR/calib/0.npy, 1.npy (two batches of x)."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(5)
w1 = rng.normal(0, 0.2, (32, 16)).astype(np.float32)
b1 = np.where(np.arange(32) % 2 == 0, 6.0, 0.0).astype(np.float32)
w2 = rng.normal(0, 0.3, (10, 32)).astype(np.float32)
b2 = rng.normal(0, 0.1, 10).astype(np.float32)
nodes = [helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], transB=1, name="fc1"),
         helper.make_node("Relu", ["h"], ["r"], name="relu"),
         helper.make_node("Gemm", ["r", "w2", "b2"], ["y"], transB=1, name="fc2")]
graph = helper.make_graph(
    nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8, 16])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [8, 10])],
    [numpy_helper.from_array(a, n) for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.save(model, os.path.join(out, "mlp.onnx"))
for i in range(2):
    np.save(os.path.join(out, "calib", "%d.npy" % i), rng.normal(0, 1, (8, 16)).astype(np.float32))
