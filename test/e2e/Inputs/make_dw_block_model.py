"""A MobileNet-style block whose conv output channels span very different
ranges, for test/e2e/equalize-activations.test.

    make_dw_block_model.py OUT_DIR

Writes OUT_DIR/block.onnx: x [1, 3, 32, 32] -> conv 3x3 (3 -> 16; output
channel c scaled by 10^(-1.5 + 2.7 c / 15), spans about 500x apart) -> a
per-channel mul and add (a batch norm as PaddlePaddle exports it) ->
hardswish written out (x * clip(x + 3, 0, 6) / 6) -> depthwise conv 3x3 ->
relu -> conv 1x1 (16 -> 8) -> y; and OUT_DIR/calib/*.npy (16 samples, seed
1) and OUT_DIR/eval/*.npy (8 samples, seed 2: other images than the
calibration's), smooth random images.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def images(seed, count):
    rng = np.random.RandomState(seed)
    out = []
    for _ in range(count):
        x = rng.randn(1, 3, 36, 36).astype(np.float32)
        # A 5x5 box blur: smooth, image-like values.
        k = np.ones(5, np.float32) / 5
        x = np.apply_along_axis(lambda r: np.convolve(r, k, "valid"), 2, x)
        x = np.apply_along_axis(lambda r: np.convolve(r, k, "valid"), 3, x)
        out.append(np.ascontiguousarray(x * 2.0, dtype=np.float32))
    return out


def main():
    out = sys.argv[1]
    rng = np.random.RandomState(0)
    c = 16
    spread = 10.0 ** (-1.5 + 2.7 * np.arange(c) / (c - 1))
    w1 = (rng.randn(c, 3, 3, 3) * 0.3 * spread[:, None, None, None]).astype(np.float32)
    b1 = (rng.randn(c) * 0.1 * spread).astype(np.float32)
    gamma = rng.uniform(0.5, 1.5, (1, c, 1, 1)).astype(np.float32)
    beta = rng.uniform(-0.5, 0.5, (1, c, 1, 1)).astype(np.float32)
    wd = (rng.randn(c, 1, 3, 3) * 0.4).astype(np.float32)
    bd = (rng.randn(c) * 0.05).astype(np.float32)
    w2 = (rng.randn(8, c, 1, 1) * 0.3).astype(np.float32)
    b2 = (rng.randn(8) * 0.05).astype(np.float32)
    inits = [numpy_helper.from_array(a, n) for a, n in [
        (w1, "w1"), (b1, "b1"), (gamma, "gamma"), (beta, "beta"), (wd, "wd"),
        (bd, "bd"), (w2, "w2"), (b2, "b2"),
        (np.array(3.0, np.float32), "three"), (np.array(0.0, np.float32), "zero"),
        (np.array(6.0, np.float32), "six")]]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["y"], name="conv",
                         pads=[1, 1, 1, 1]),
        helper.make_node("Mul", ["y", "gamma"], ["g"], name="bn_mul"),
        helper.make_node("Add", ["g", "beta"], ["h"], name="bn_add"),
        helper.make_node("Add", ["h", "three"], ["t"], name="hs_add"),
        helper.make_node("Clip", ["t", "zero", "six"], ["cl"], name="hs_clip"),
        helper.make_node("Mul", ["h", "cl"], ["m"], name="hs_mul"),
        helper.make_node("Div", ["m", "six"], ["z"], name="hs_div"),
        helper.make_node("Conv", ["z", "wd", "bd"], ["d"], name="dw",
                         pads=[1, 1, 1, 1], group=c),
        helper.make_node("Relu", ["d"], ["r"], name="relu"),
        helper.make_node("Conv", ["r", "w2", "b2"], ["out"], name="project"),
    ]
    graph = helper.make_graph(
        nodes, "dw_block",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 8, 32, 32])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    os.makedirs(out, exist_ok=True)
    onnx.save(model, os.path.join(out, "block.onnx"))
    for name, seed, count in (("calib", 1, 16), ("eval", 2, 8)):
        os.makedirs(os.path.join(out, name), exist_ok=True)
        for i, x in enumerate(images(seed, count)):
            np.save(os.path.join(out, name, "%02d.npy" % i), x)


main()
