"""Run-time quantization ops through quant's JIT, against numpy.

    integer_quant_check.py --quant-run BIN --work DIR

The ops ONNX Runtime's quantize_dynamic writes and ONNX's node tests use,
with everything the importer cannot fold: MatMulInteger (per-row and
per-column zero points, sums past 2^24 that a float path would round),
ConvInteger (padding with the zero point, per-channel weight zero
points), DynamicQuantizeLinear (including an all-zero input), and
QuantizeLinear / DequantizeLinear whose scale and zero point are graph
inputs (ties, saturation, per axis, uint8 and int8). Then the whole
quantize_dynamic chain: DynamicQuantizeLinear -> MatMulInteger -> Cast ->
Mul -> Add; Div, Max, Min, Less, Clip, TopK and Cast on uint8
(zero-extended), and a
constant-grid QuantizeLinear -> DequantizeLinear pair run
by quant-run's JIT (its rounding kept). Each reference follows ONNX's formula in the types ONNX
names (float32 steps in float32), so every output must match exactly.
Exit 1 on any failure.
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from jit_case import run_jit, work_args

TYPES = {np.dtype(np.float32): TensorProto.FLOAT,
         np.dtype(np.int8): TensorProto.INT8,
         np.dtype(np.uint8): TensorProto.UINT8,
         np.dtype(np.int32): TensorProto.INT32,
         np.dtype(np.bool_): TensorProto.BOOL,
         np.dtype(np.int64): TensorProto.INT64}


def save(work, name, nodes, inputs, outputs, inits=(), opset=13):
    """A one-graph model: `inputs` and `inits` are {name: array};
    `outputs` {name: (dtype, shape)}."""
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(k, TYPES[v.dtype], list(v.shape))
         for k, v in inputs.items()],
        [helper.make_tensor_value_info(k, TYPES[np.dtype(t)], list(s))
         for k, (t, s) in outputs.items()],
        initializer=[numpy_helper.from_array(v, k) for k, v in inits])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(model, full_check=True)
    path = os.path.join(work, name + ".onnx")
    onnx.save(model, path)
    return path


def compare(name, got, want):
    """Same dtype (a uint8 output is uint8 in the ABI), shape and values."""
    ok = True
    for g, w in zip(got, want):
        if g.dtype != w.dtype or g.shape != w.shape or \
                not np.array_equal(g, w):
            ok = False
            if g.shape == w.shape:
                bad = np.argwhere(g != w)[:4]
                for i in bad:
                    i = tuple(i)
                    print("  at %s: quant %r, numpy %r" % (i, g[i], w[i]))
            else:
                print("  quant %s %s, numpy %s %s" % (g.dtype, g.shape,
                                                      w.dtype, w.shape))
    print("%s: %s" % (name, "same" if ok else "FAIL"))
    return 0 if ok else 1


def run_case(args, name, nodes, inputs, outputs, want, inits=(), opset=13):
    path = save(args.work, name, nodes, inputs, outputs, inits, opset)
    got = run_jit(args.quant_run, path, inputs, "FAIL: " + name,
                  list(outputs))
    if got is None:
        return 1
    return compare(name, got, want)


def quantize(x, scale, zero, dtype):
    """ONNX QuantizeLinear in float32: saturate(round_half_even(x / s) + z)."""
    info = np.iinfo(dtype)
    q = np.round(x / scale) + zero.astype(np.float32)
    return np.clip(q, info.min, info.max).astype(dtype)


def dynamic_quantize(x):
    """ONNX DynamicQuantizeLinear, each step in float32."""
    lo = np.minimum(x.min(), np.float32(0))
    hi = np.maximum(x.max(), np.float32(0))
    # No range (an all-zero x): scale 1, as ONNX Runtime takes it.
    scale = np.float32(1) if hi == lo else np.float32((hi - lo) / np.float32(255))
    with np.errstate(invalid="ignore", divide="ignore"):
        zero = np.round(np.clip(np.float32(0) - lo / scale, 0, 255))
        zero = np.float32(0) if np.isnan(zero) else zero
        q = np.clip(np.round(x / scale) + zero, 0, 255)
    q = np.where(np.isnan(q), zero, q)
    return q.astype(np.uint8), scale, np.uint8(zero)


def conv_integer(x, w, xz, wz, pad, stride):
    """ONNX ConvInteger in int64: x padded with its zero point."""
    x = x.astype(np.int64) - np.int64(xz)
    w = w.astype(np.int64) - wz.astype(np.int64).reshape(-1, 1, 1, 1)
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, wd = x.shape
    m, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    y = np.zeros((n, m, oh, ow), np.int64)
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            y[:, :, i, j] = np.einsum("nchw,mchw->nm", patch, w)
    return y.astype(np.int32)


def main():
    args = work_args(__doc__)
    rng = np.random.default_rng(20261207)
    status = 0

    # MatMulInteger: uint8 x int8 with K = 1024 and the extremes, so that
    # |sums| pass 2^24 (66.6M here); per-row and per-column zero points.
    a = rng.integers(0, 256, size=(3, 1024), dtype=np.uint8)
    a[0] = 255
    b = rng.integers(-128, 128, size=(1024, 5), dtype=np.int8)
    b[:, 0] = -128
    az = np.array([0, 128, 3], np.uint8)
    bz = np.array([127, 0, -5, 1, 2], np.int8)
    want = (a.astype(np.int64) - az[:, None]) @ (b.astype(np.int64) - bz[None])
    status |= run_case(
        args, "matmulinteger_k1024",
        [helper.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["y"])],
        {"a": a}, {"y": (np.int32, (3, 5))}, [want.astype(np.int32)],
        [("b", b), ("az", az), ("bz", bz)])

    # Batched, both operands and both (scalar) zero points at run time.
    a3 = rng.integers(-128, 128, size=(2, 3, 64), dtype=np.int8)
    b3 = rng.integers(-128, 128, size=(2, 64, 4), dtype=np.int8)
    az3, bz3 = np.array(-7, np.int8), np.array(9, np.int8)
    want = np.matmul(a3.astype(np.int64) - az3, b3.astype(np.int64) - bz3)
    status |= run_case(
        args, "matmulinteger_batched_runtime",
        [helper.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["y"])],
        {"a": a3, "b": b3, "az": az3, "bz": bz3},
        {"y": (np.int32, (2, 3, 4))}, [want.astype(np.int32)])

    # A 3-D constant B with a per-column zero point (the last axis, not
    # the second), and N-D zero points of the operands' ranks.
    a3c = rng.integers(-128, 128, size=(2, 3, 4), dtype=np.int8)
    b3c = rng.integers(-128, 128, size=(2, 4, 5), dtype=np.int8)
    bz5 = np.array([1, -2, 3, -4, 5], np.int8)
    want = np.matmul(a3c.astype(np.int64), b3c.astype(np.int64) - bz5)
    status |= run_case(
        args, "matmulinteger_3d_constant_b",
        [helper.make_node("MatMulInteger", ["a", "b", "", "bz"], ["y"])],
        {"a": a3c}, {"y": (np.int32, (2, 3, 5))}, [want.astype(np.int32)],
        [("b", b3c), ("bz", bz5)])
    azn = rng.integers(-5, 5, size=(2, 3, 1), dtype=np.int8)
    bzn = rng.integers(-5, 5, size=(2, 1, 5), dtype=np.int8)
    want = np.matmul(a3c.astype(np.int64) - azn, b3c.astype(np.int64) - bzn)
    status |= run_case(
        args, "matmulinteger_nd_zero_points",
        [helper.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["y"])],
        {"a": a3c}, {"y": (np.int32, (2, 3, 5))}, [want.astype(np.int32)],
        [("b", b3c), ("az", azn), ("bz", bzn)])

    # Depthwise ConvInteger (group = channels).
    xdw = rng.integers(0, 256, size=(1, 3, 6, 6), dtype=np.uint8)
    wdw = rng.integers(0, 256, size=(3, 1, 3, 3), dtype=np.uint8)
    xzd, wzd = np.array(7, np.uint8), np.array([0, 100, 200], np.uint8)
    want = np.concatenate(
        [conv_integer(xdw[:, c:c + 1], wdw[c:c + 1], xzd, wzd[c:c + 1], 1, 1)
         for c in range(3)], axis=1)
    status |= run_case(
        args, "convinteger_depthwise",
        [helper.make_node("ConvInteger", ["x", "w", "xz", "wz"], ["y"],
                          pads=[1, 1, 1, 1], group=3)],
        {"x": xdw}, {"y": (np.int32, (1, 3, 6, 6))}, [want],
        [("w", wdw), ("xz", xzd), ("wz", wzd)])

    # ConvInteger: stride 2, pads of the zero point, per-channel w_zp.
    x = rng.integers(0, 256, size=(1, 3, 9, 9), dtype=np.uint8)
    w = rng.integers(0, 256, size=(4, 3, 3, 3), dtype=np.uint8)
    xz, wz = np.array(100, np.uint8), np.array([0, 128, 255, 7], np.uint8)
    status |= run_case(
        args, "convinteger_stride2_pad1",
        [helper.make_node("ConvInteger", ["x", "w", "xz", "wz"], ["y"],
                          pads=[1, 1, 1, 1], strides=[2, 2])],
        {"x": x}, {"y": (np.int32, (1, 4, 5, 5))},
        [conv_integer(x, w, xz, wz, 1, 2)], [("w", w), ("xz", xz), ("wz", wz)])

    # DynamicQuantizeLinear: mixed signs, all positive, all zero.
    for tag, xd in [("mixed", rng.standard_normal((4, 33)).astype(np.float32)),
                    ("positive", rng.random((4, 33)).astype(np.float32) + 1),
                    ("zeros", np.zeros((4, 33), np.float32))]:
        y, s, z = dynamic_quantize(xd)
        status |= run_case(
            args, "dynamicquantizelinear_" + tag,
            [helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"])],
            {"x": xd},
            {"y": (np.uint8, (4, 33)), "s": (np.float32, ()),
             "z": (np.uint8, ())},
            [y, np.asarray(s, np.float32), np.asarray(z, np.uint8)], opset=11)

    # QuantizeLinear with its grid as graph inputs: exact ties (x / s =
    # k + 0.5), saturation on both sides, uint8 and int8, per axis.
    xq = (np.arange(-300, 300, dtype=np.float32) * 0.25).reshape(4, 150)
    for dtype, zero in [(np.uint8, 128), (np.int8, -3)]:
        s, z = np.array(0.5, np.float32), np.array(zero, dtype)
        status |= run_case(
            args, "quantizelinear_runtime_" + np.dtype(dtype).name,
            [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"])],
            {"x": xq, "s": s, "z": z}, {"y": (dtype, (4, 150))},
            [quantize(xq, s, z, dtype)])
    s4 = np.array([0.5, 0.25, 2.0, 1.0], np.float32)
    z4 = np.array([0, 10, -20, 127], np.int8)
    status |= run_case(
        args, "quantizelinear_runtime_axis0",
        [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], axis=0)],
        {"x": xq, "s": s4, "z": z4}, {"y": (np.int8, (4, 150))},
        [quantize(xq, s4[:, None], z4[:, None], np.int8)])

    # DequantizeLinear of graph inputs: uint8 per axis, int32 per tensor.
    xd8 = rng.integers(0, 256, size=(2, 3, 5), dtype=np.uint8)
    sd = np.array([0.5, 0.125, 3.0], np.float32)
    zd = np.array([0, 128, 255], np.uint8)
    want = ((xd8.astype(np.int32) - zd[None, :, None].astype(np.int32))
            .astype(np.float32) * sd[None, :, None])
    status |= run_case(
        args, "dequantizelinear_runtime_uint8_axis1",
        [helper.make_node("DequantizeLinear", ["x", "s", "z"], ["y"])],
        {"x": xd8, "s": sd, "z": zd}, {"y": (np.float32, (2, 3, 5))}, [want])
    xd32 = rng.integers(-2**30, 2**30, size=(7,), dtype=np.int32)
    s32 = np.array(0.001, np.float32)
    status |= run_case(
        args, "dequantizelinear_runtime_int32",
        [helper.make_node("DequantizeLinear", ["x", "s"], ["y"])],
        {"x": xd32, "s": s32}, {"y": (np.float32, (7,))},
        [xd32.astype(np.float32) * s32])

    # ONNX Runtime's quantize_dynamic form of a linear layer.
    xf = rng.standard_normal((4, 16)).astype(np.float32)
    wq = rng.integers(0, 256, size=(16, 8), dtype=np.uint8)
    wz, ws = np.array(131, np.uint8), np.array(0.02, np.float32)
    bias = rng.standard_normal(8).astype(np.float32)
    yq, ys, yz = dynamic_quantize(xf)
    acc = ((yq.astype(np.int64) - np.int64(yz)) @
           (wq.astype(np.int64) - np.int64(wz))).astype(np.int32)
    want = acc.astype(np.float32) * np.float32(ys * ws) + bias
    status |= run_case(
        args, "quantize_dynamic_linear",
        [helper.make_node("DynamicQuantizeLinear", ["x"], ["q", "qs", "qz"]),
         helper.make_node("MatMulInteger", ["q", "w", "qz", "wz"], ["acc"]),
         helper.make_node("Cast", ["acc"], ["accf"], to=TensorProto.FLOAT),
         helper.make_node("Mul", ["qs", "ws"], ["scale"]),
         helper.make_node("Mul", ["accf", "scale"], ["scaled"]),
         helper.make_node("Add", ["scaled", "bias"], ["y"])],
        {"x": xf}, {"y": (np.float32, (4, 8))}, [want],
        [("w", wq), ("wz", wz), ("ws", ws), ("bias", bias)])

    # uint8 (held as i8 bits) where the sign matters: Div, Max, Min and
    # Less on the zero-extended values; Cast to and from float.
    ua = rng.integers(0, 256, size=(3, 17), dtype=np.uint8)
    ub = rng.integers(1, 256, size=(1, 17), dtype=np.uint8)
    ua[0, :4], ub[0, :4] = [255, 200, 128, 127], [1, 3, 255, 128]
    for op, want in [("Div", ua // ub), ("Max", np.maximum(ua, ub)),
                     ("Min", np.minimum(ua, ub)), ("Less", ua < ub)]:
        status |= run_case(
            args, "%s_uint8" % op.lower(),
            [helper.make_node(op, ["a", "b"], ["y"])], {"a": ua, "b": ub},
            {"y": (want.dtype, want.shape)}, [want], opset=14)
    # Clip with uint8 bounds, then TopK, on the unsigned values.
    uc = np.array([[0, 2, 150, 201, 255, 199, 128, 127]], np.uint8)
    clipped = np.clip(uc, 3, 200)
    order = np.argsort(-clipped.astype(np.int64), axis=1, kind="stable")[:, :3]
    status |= run_case(
        args, "clip_topk_uint8",
        [helper.make_node("Clip", ["a", "lo", "hi"], ["c"]),
         helper.make_node("TopK", ["c", "k"], ["y", "i"])],
        {"a": uc}, {"y": (np.uint8, (1, 3)), "i": (np.int64, (1, 3))},
        [np.take_along_axis(clipped, order, 1), order],
        [("lo", np.array(3, np.uint8)), ("hi", np.array(200, np.uint8)),
         ("k", np.array([3], np.int64))], opset=14)
    status |= run_case(
        args, "cast_uint8_to_float",
        [helper.make_node("Cast", ["a"], ["y"], to=TensorProto.FLOAT)],
        {"a": ua}, {"y": (np.float32, ua.shape)}, [ua.astype(np.float32)])
    fu = np.array([0.0, 1.9, 127.0, 128.0, 200.5, 255.0], np.float32)
    status |= run_case(
        args, "cast_float_to_uint8",
        [helper.make_node("Cast", ["a"], ["y"], to=TensorProto.UINT8)],
        {"a": fu}, {"y": (np.uint8, fu.shape)}, [fu.astype(np.uint8)])

    # A constant-grid QuantizeLinear whose output is a graph output: its
    # storage integers leave as the graph's uint8.
    sq, zq = np.array(0.25, np.float32), np.array(100, np.uint8)
    status |= run_case(
        args, "quantizelinear_graph_output",
        [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"])],
        {"x": xq}, {"y": (np.uint8, (4, 150))},
        [quantize(xq, sq, zq, np.uint8)], [("s", sq), ("z", zq)])

    # A constant-grid QDQ pair on a graph input, run by quant-run's JIT:
    # the output is on the grid (dcast(qcast(x)) must not fold to x).
    xr = (rng.standard_normal((3, 7)) * 3).astype(np.float32)
    sr, zr = np.array(0.1, np.float32), np.array(-20, np.int8)
    want = (quantize(xr, sr, zr, np.int8).astype(np.float32) -
            np.float32(zr)) * sr
    status |= run_case(
        args, "qdq_pair_jit",
        [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"]),
         helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"])],
        {"x": xr}, {"y": (np.float32, (3, 7))}, [want],
        [("s", sr), ("z", zr)])

    raise SystemExit(status)


if __name__ == "__main__":
    main()
