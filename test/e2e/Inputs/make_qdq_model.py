"""Writes a small QDQ model in the form ONNX Runtime's quantize_static makes.

    python3 make_qdq_model.py MODEL.onnx INPUT.npy [--qoperator]

The model has what quant's own exporter never writes:
  - uint8 activations (QuantizeLinear without a zero point input is uint8;
    here every activation zero point is uint8), per-channel int8 conv
    weights with an int32 bias, and a Relu between the conv and its
    QuantizeLinear (the ReLU the output grid computes: zero point 0);
  - a MaxPool and a Flatten between QDQ pairs;
  - a conv with a per-tensor weight and a float bias;
  - a Gemm (transB) with one weight at -128 (int8's full range, as tools
    that quantize on [-128, 127] write), the first graph output;
  - a MatMul whose weight is uint8 with a nonzero zero point, which quant
    keeps float (its int8 weights need zero point 0), the second graph
    output.
With --qoperator the same layers are in ONNX Runtime's QOperator form
instead: QLinearConv (the ReLU in its output grid, int32 biases) and
QLinearMatMul (per-column and uint8 weights, no bias), with
DequantizeLinear/QuantizeLinear around the float MaxPool and Flatten.
Scales are chosen from the float model's ranges on 64 seeded inputs
(minmax, as quantize_static's default); INPUT.npy is 16 other inputs.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(20261206)


def u8_params(lo, hi):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = np.float32((hi - lo) / 255.0)
    zp = np.uint8(np.clip(np.round(-lo / scale), 0, 255))
    return scale, zp


def main():
    path, input_path = sys.argv[1], sys.argv[2]
    qoperator = "--qoperator" in sys.argv[3:]
    w1 = rng.normal(0, 0.3, (8, 3, 3, 3)).astype(np.float32)
    b1 = rng.normal(0, 0.1, 8).astype(np.float32)
    w2 = rng.normal(0, 0.2, (8, 8, 3, 3)).astype(np.float32)
    b2 = rng.normal(0, 0.1, 8).astype(np.float32)
    w3 = rng.normal(0, 0.1, (10, 8 * 4 * 4)).astype(np.float32)
    b3 = rng.normal(0, 0.1, 10).astype(np.float32)
    w4 = rng.normal(0, 0.1, (8 * 4 * 4, 4)).astype(np.float32)

    def conv(x, w, b):
        n, c, h, wd = x.shape
        xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        out = np.zeros((n, w.shape[0], h, wd), np.float32)
        for ky in range(3):
            for kx in range(3):
                out += np.einsum("nchw,oc->nohw", xp[:, :, ky:ky + h, kx:kx + wd], w[:, :, ky, kx])
        return out + b[None, :, None, None]

    def forward(x):
        h1 = np.maximum(conv(x, w1, b1), 0)
        p = h1.reshape(h1.shape[0], 8, 4, 2, 4, 2).max(axis=(3, 5))
        h2 = conv(p, w2, b2)
        f = h2.reshape(h2.shape[0], -1)
        return x, h1, p, h2, f, f @ w3.T + b3, f @ w4

    calib = rng.normal(0, 1, (64, 3, 8, 8)).astype(np.float32)
    vals = forward(calib)
    names = ["x", "h1", "p", "h2", "f", "y", "z"]
    params = {n: u8_params(float(v.min()), float(v.max())) for n, v in zip(names, vals)}
    params["p"] = params["h1"]  # max pool keeps its input's grid
    params["f"] = params["h2"]  # so does flatten

    inits, nodes = [], []

    def init(name, array):
        inits.append(numpy_helper.from_array(array, name))
        return name

    def q(x, name):
        s, z = params[name]
        init(name + "_s", np.array(s, np.float32))
        init(name + "_z", np.array(z, np.uint8))
        nodes.append(helper.make_node("QuantizeLinear", [x, name + "_s", name + "_z"], [name + "_q"]))
        nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"], [name + "_dq"]))
        return name + "_dq"

    def weight_per_channel(name, w, low=-127):
        s = (np.abs(w).reshape(w.shape[0], -1).max(axis=1) / 127).astype(np.float32)
        wq = np.clip(np.round(w / s.reshape(-1, *([1] * (w.ndim - 1)))), -127, 127).astype(np.int8)
        if low == -128:
            # Tools that quantize on [-128, 127] write -128 too.
            wq.flat[0] = -128
        init(name + "_q", wq)
        init(name + "_s", s)
        init(name + "_z", np.zeros(w.shape[0], np.int8))
        nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"],
                                      [name + "_dq"], axis=0))
        return name + "_dq", s

    def weight_per_tensor(name, w, dtype=np.int8, zp=0):
        if dtype == np.int8:
            s = np.float32(np.abs(w).max() / 127)
            wq = np.clip(np.round(w / s), -127, 127).astype(np.int8)
        else:
            s = np.float32((w.max() - w.min()) / 255)
            zp = int(np.clip(np.round(-w.min() / s), 0, 255))
            wq = np.clip(np.round(w / s) + zp, 0, 255).astype(np.uint8)
        init(name + "_q", wq)
        init(name + "_s", np.array(s, np.float32))
        init(name + "_z", np.array(zp, dtype))
        nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"],
                                      [name + "_dq"]))
        return name + "_dq"

    x = q("x", "x")
    w1n, s1 = weight_per_channel("w1", w1)
    b1q = np.round(b1 / (params["x"][0] * s1)).astype(np.int32)
    init("b1_q", b1q)
    init("b1_s", (params["x"][0] * s1).astype(np.float32))
    init("b1_z", np.zeros(8, np.int32))
    nodes.append(helper.make_node("DequantizeLinear", ["b1_q", "b1_s", "b1_z"], ["b1_dq"], axis=0))
    nodes.append(helper.make_node("Conv", [x, w1n, "b1_dq"], ["c1"], pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("Relu", ["c1"], ["r1"]))
    h1 = q("r1", "h1")
    nodes.append(helper.make_node("MaxPool", [h1], ["mp"], kernel_shape=[2, 2], strides=[2, 2]))
    p = q("mp", "p")
    w2n = weight_per_tensor("w2", w2)
    params_w2_scale = [float(numpy_helper.to_array([t for t in inits if t.name == "w2_s"][0]))]
    init("b2", b2)
    nodes.append(helper.make_node("Conv", [p, w2n, "b2"], ["c2"], pads=[1, 1, 1, 1]))
    h2 = q("c2", "h2")
    nodes.append(helper.make_node("Flatten", [h2], ["fl"], axis=1))
    f = q("fl", "f")
    w3n, s3 = weight_per_channel("w3", w3, low=-128)
    b3q = np.round(b3 / (params["h2"][0] * s3)).astype(np.int32)
    init("b3_q", b3q)
    init("b3_s", (params["h2"][0] * s3).astype(np.float32))
    init("b3_z", np.zeros(10, np.int32))
    nodes.append(helper.make_node("DequantizeLinear", ["b3_q", "b3_s", "b3_z"], ["b3_dq"], axis=0))
    nodes.append(helper.make_node("Gemm", [f, w3n, "b3_dq"], ["g"], transB=1))
    q("g", "y")
    w4n = weight_per_tensor("w4", w4, np.uint8)
    nodes.append(helper.make_node("MatMul", [f, w4n], ["mm"]))
    q("mm", "z")

    if qoperator:
        b2q = np.round(b2 / (params["p"][0] * params_w2_scale[0])).astype(np.int32)
        init("b2_q", b2q)
        init("w3t_q", np.ascontiguousarray(numpy_helper.to_array(
            [t for t in inits if t.name == "w3_q"][0]).T))
        nodes = [
            helper.make_node("QuantizeLinear", ["x", "x_s", "x_z"], ["x_q"]),
            helper.make_node("QLinearConv", ["x_q", "x_s", "x_z", "w1_q", "w1_s", "w1_z",
                                             "h1_s", "h1_z", "b1_q"], ["h1_q"], pads=[1, 1, 1, 1]),
            helper.make_node("DequantizeLinear", ["h1_q", "h1_s", "h1_z"], ["h1_dq"]),
            helper.make_node("MaxPool", ["h1_dq"], ["mp"], kernel_shape=[2, 2], strides=[2, 2]),
            helper.make_node("QuantizeLinear", ["mp", "p_s", "p_z"], ["p_q"]),
            helper.make_node("QLinearConv", ["p_q", "p_s", "p_z", "w2_q", "w2_s", "w2_z",
                                             "h2_s", "h2_z", "b2_q"], ["h2_q"], pads=[1, 1, 1, 1]),
            helper.make_node("DequantizeLinear", ["h2_q", "h2_s", "h2_z"], ["h2_dq"]),
            helper.make_node("Flatten", ["h2_dq"], ["fl"], axis=1),
            helper.make_node("QuantizeLinear", ["fl", "f_s", "f_z"], ["f_q"]),
            helper.make_node("QLinearMatMul", ["f_q", "f_s", "f_z", "w3t_q", "w3_s", "w3_z",
                                               "y_s", "y_z"], ["y_q"]),
            helper.make_node("DequantizeLinear", ["y_q", "y_s", "y_z"], ["y_dq"]),
            helper.make_node("QLinearMatMul", ["f_q", "f_s", "f_z", "w4_q", "w4_s", "w4_z",
                                               "z_s", "z_z"], ["z_q"]),
            helper.make_node("DequantizeLinear", ["z_q", "z_s", "z_z"], ["z_dq"]),
        ]

    used = {i for n in nodes for i in n.input}
    inits = [t for t in inits if t.name in used]
    graph = helper.make_graph(
        nodes, "qdq",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [16, 3, 8, 8])],
        [helper.make_tensor_value_info("y_dq", TensorProto.FLOAT, [16, 10]),
         helper.make_tensor_value_info("z_dq", TensorProto.FLOAT, [16, 4])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)
    np.save(input_path, rng.normal(0, 1, (16, 3, 8, 8)).astype(np.float32))


if __name__ == "__main__":
    main()
