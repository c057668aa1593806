#!/usr/bin/env python3
"""Writes examples/cnn-block.onnx: a small CNN shaped for Fashion-MNIST.

conv3x3 + BatchNorm + Relu, MaxPool, depthwise conv3x3 (multiplier 2) +
BatchNorm + Relu6 (Clip), GlobalAveragePool, Flatten, Gemm, Softmax, with
a dynamic batch dim, as PyTorch exports it (opset 13). Weights are random
with a fixed seed (this is the import/cleanup demo; trained models come with
the end-to-end example). Run with Debian's python3 (python3-onnx):

    /usr/bin/python3 examples/make_cnn_block.py
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(20261122)


def param(name, *shape, scale=0.2, offset=0.0):
    return numpy_helper.from_array(
        (rng.standard_normal(shape) * scale + offset).astype(np.float32), name)


inits = [
    param("conv1.weight", 8, 1, 3, 3), param("conv1.bias", 8),
    param("bn1.weight", 8, offset=1.0), param("bn1.bias", 8),
    param("bn1.running_mean", 8), param("bn1.running_var", 8, scale=0.1, offset=1.0),
    param("conv2.weight", 16, 1, 3, 3),
    param("bn2.weight", 16, offset=1.0), param("bn2.bias", 16),
    param("bn2.running_mean", 16), param("bn2.running_var", 16, scale=0.1, offset=1.0),
    param("fc.weight", 10, 16), param("fc.bias", 10),
    numpy_helper.from_array(np.array(0, np.float32), "zero"),
    numpy_helper.from_array(np.array(6, np.float32), "six"),
]
nodes = [
    helper.make_node("Conv", ["image", "conv1.weight", "conv1.bias"], ["c1"],
                     name="/features/conv1/Conv", pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
    helper.make_node("BatchNormalization",
                     ["c1", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"],
                     ["n1"], name="/features/bn1/BatchNormalization"),
    helper.make_node("Relu", ["n1"], ["r1"], name="/features/relu1/Relu"),
    helper.make_node("MaxPool", ["r1"], ["p1"], name="/features/pool1/MaxPool",
                     kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Conv", ["p1", "conv2.weight"], ["c2"], name="/features/conv2/Conv",
                     pads=[1, 1, 1, 1], group=8, kernel_shape=[3, 3]),
    helper.make_node("BatchNormalization",
                     ["c2", "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var"],
                     ["n2"], name="/features/bn2/BatchNormalization"),
    helper.make_node("Clip", ["n2", "zero", "six"], ["r2"], name="/features/relu2/Clip"),
    helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="/pool/GlobalAveragePool"),
    helper.make_node("Flatten", ["g"], ["f"], name="/Flatten"),
    helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits"], name="/fc/Gemm",
                     transB=1),
    helper.make_node("Softmax", ["logits"], ["probs"], name="/Softmax", axis=1),
]
graph = helper.make_graph(
    nodes, "cnn_block",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 1, 28, 28])],
    [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", 10])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="quant-examples")
model.ir_version = 7
onnx.checker.check_model(model)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cnn-block.onnx")
onnx.save(model, out)
print(out)
