"""A small detector neck in ONNX: squeeze-excitation blocks and an FPN.

    make_fpn_model.py OUT_DIR

Writes OUT_DIR/fpn.onnx (input x: 1x3x32x32, output y: 1x4x32x32) and
OUT_DIR/calib/*.npy (8 samples, seeds 100-107) and OUT_DIR/eval.npy
(seed 2),
smooth random images (noise blurred by 2x2 means, as natural images are
correlated). The graph has what PaddleOCR's detector neck has between its
layers:
  c1 = relu(conv(x)) at 32x32, c2 = relu(conv(c1, stride 2)) at 16x16,
  c3 = relu(conv(c2, stride 2)) at 8x8;
  rse(t) = t + t * hard_sigmoid(conv(relu(conv(GlobalAveragePool(t)))))
  for t = conv(c) of each level (a residual squeeze-excitation block);
  p3 = rse3, p2 = rse2 + Resize(p3, nearest, 2x),
  p1 = rse1 + Resize(p2, nearest, 2x) (the FPN's top-down adds);
  y = conv(Concat(p1, Resize(p2), Resize(p3, 4x))).
Weights are seeded (numpy default_rng(0)).
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "calib"), exist_ok=True)
    rng = np.random.default_rng(0)
    inits, nodes = [], []
    counter = [0]

    def name(prefix):
        counter[0] += 1
        return "%s_%d" % (prefix, counter[0])

    def conv(x, cin, cout, k=1, stride=1, bias=True):
        w = name("w")
        inits.append(numpy_helper.from_array(
            (rng.normal(0, 1, (cout, cin, k, k)) / np.sqrt(cin * k * k)).astype(np.float32), w))
        ins = [x, w]
        if bias:
            b = name("b")
            inits.append(numpy_helper.from_array(
                rng.normal(0, 0.1, cout).astype(np.float32), b))
            ins.append(b)
        y = name("conv")
        nodes.append(helper.make_node(
            "Conv", ins, [y], name=y, kernel_shape=[k, k], strides=[stride, stride],
            pads=[k // 2] * 4))
        return y

    def op(kind, ins, **attrs):
        y = name(kind.lower())
        nodes.append(helper.make_node(kind, ins, [y], name=y, **attrs))
        return y

    def resize(x, factor):
        scales = name("scales")
        inits.append(numpy_helper.from_array(
            np.array([1, 1, factor, factor], np.float32), scales))
        return op("Resize", [x, "", scales], mode="nearest",
                  coordinate_transformation_mode="asymmetric", nearest_mode="floor")

    def rse(t, c):
        g = op("GlobalAveragePool", [t])
        g = op("Relu", [conv(g, c, c // 2)])
        g = op("HardSigmoid", [conv(g, c // 2, c)], alpha=1.0 / 6, beta=0.5)
        return op("Add", [t, op("Mul", [t, g])])

    c1 = op("Relu", [conv("x", 3, 8, k=3)])
    c2 = op("Relu", [conv(c1, 8, 16, k=3, stride=2)])
    c3 = op("Relu", [conv(c2, 16, 16, k=3, stride=2)])
    r1, r2, r3 = (rse(conv(c, cin, 8, bias=False), 8)
                  for c, cin in ((c1, 8), (c2, 16), (c3, 16)))
    p3 = r3
    p2 = op("Add", [r2, resize(p3, 2)])
    p1 = op("Add", [r1, resize(p2, 2)])
    cat = op("Concat", [p1, resize(p2, 2), resize(p3, 4)], axis=1)
    y = conv(cat, 24, 4, k=3)
    nodes.append(helper.make_node("Identity", [y], ["y"], name="out"))
    graph = helper.make_graph(
        nodes, "fpn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 32, 32])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "fpn.onnx"))

    def image(seed):
        r = np.random.default_rng(seed)
        x = r.normal(0, 1, (1, 3, 33, 33))
        x = (x[:, :, 1:, 1:] + x[:, :, :-1, 1:] + x[:, :, 1:, :-1] + x[:, :, :-1, :-1]) / 2
        return x.astype(np.float32)

    for i in range(8):
        np.save(os.path.join(out, "calib", "%d.npy" % i), image(100 + i))
    np.save(os.path.join(out, "eval.npy"), image(2))


if __name__ == "__main__":
    main()
