"""TopK and integer element-wise ops through quant, against numpy.

    topk_int_check.py --quant-run BIN --quant-compile BIN --work DIR

TopK (k a constant, as real models have it; the node tests pass k as a
graph input, which quant needs at import): f32 rows with ties, NaNs and
signed zeros, and int32 rows, largest and smallest, along the last axis
and axis 0. The reference is Python's sort with the order quant documents
(docs/Dialects/Qnt.md, qnt.top_k): value first, NaN above every number,
ties by lower index. Both outputs must match exactly.

Integer element-wise ops on run-time int8/int32/int64 tensors: wrapping
Add/Sub/Mul, truncating total Div (x / 0 = 0, x / -1 = -x wrapping), Max,
Min, Pow, Clip, Equal/Greater and Where, each against its numpy
formula (docs/Numerics.md, "Integer element-wise ops"), exactly.

Then --emit=onnx must write models onnx.checker accepts. Exit 1 on any
failure.
"""

import argparse
import math
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

from jit_case import run_jit

ONNX_TYPE = {np.float32: TensorProto.FLOAT, np.int8: TensorProto.INT8,
             np.int32: TensorProto.INT32, np.int64: TensorProto.INT64}


def run(quant_run, path, inputs, outputs):
    """The named outputs, or None after a "FAIL: ..." line."""
    return run_jit(quant_run, path, inputs, "FAIL: " + path, outputs)


def topk_reference(x, k, axis, largest):
    x = np.moveaxis(x, axis, -1)
    values = np.zeros(x.shape[:-1] + (k,), x.dtype)
    indices = np.zeros(x.shape[:-1] + (k,), np.int64)
    for pos in np.ndindex(*x.shape[:-1]):
        row = x[pos]

        def key(i):
            v = float(row[i])
            if math.isnan(v):
                return (0 if largest else 1, 0.0, i)
            return (1 if largest else 0, -v if largest else v, i)
        order = sorted(range(len(row)), key=key)[:k]
        values[pos] = row[order]
        indices[pos] = order
    return np.moveaxis(values, -1, axis), np.moveaxis(indices, -1, axis)


def save(work, name, nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              initializer=list(initializers))
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 14)])
    path = os.path.join(work, name + ".onnx")
    onnx.save(model, path)
    return path


def check_topk(args, name, x, k, axis, largest):
    out_shape = list(x.shape)
    out_shape[axis] = k
    path = save(args.work, name, [
        helper.make_node("TopK", ["x", "k"], ["values", "indices"],
                         axis=axis - x.ndim if axis == 0 else axis,
                         largest=int(largest), name="topk")],
        [helper.make_tensor_value_info("x", ONNX_TYPE[x.dtype.type],
                                       list(x.shape))],
        [helper.make_tensor_value_info("values", ONNX_TYPE[x.dtype.type],
                                       out_shape),
         helper.make_tensor_value_info("indices", TensorProto.INT64,
                                       out_shape)],
        [helper.make_tensor("k", TensorProto.INT64, [1], [k])])
    got = run(args.quant_run, path, {"x": x}, ["values", "indices"])
    if got is None:
        return 1
    want = topk_reference(x, k, axis, largest)
    same_values = np.array_equal(got[0], want[0], equal_nan=True) and \
        np.array_equal(np.signbit(got[0]), np.signbit(want[0]))
    same_indices = np.array_equal(got[1], want[1])
    print("%s: %s values, %s indices" % (
        name, "same" if same_values else "FAIL", "same" if same_indices
        else "FAIL"))
    return 0 if same_values and same_indices else 1


def trunc_div(a, b):
    """quant's integer Div: truncating, x / 0 = 0, x / -1 = -x wrapping."""
    a64, b64 = a.astype(np.int64), b.astype(np.int64)
    safe = np.where((b64 == 0) | (b64 == -1), 1, b64)
    q = np.abs(a64) // np.abs(safe) * np.sign(a64) * np.sign(safe)
    q = np.where(b64 == 0, 0, np.where(b64 == -1, -a64, q))
    return q.astype(a.dtype)  # wraps, as numpy's cast does


def check_binary(args, op, dtype, a, b, want, **attrs):
    name = "%s_%s" % (op.lower(), np.dtype(dtype).name)
    shape_a, shape_b = list(a.shape), list(b.shape)
    out_type = TensorProto.BOOL if want.dtype == np.bool_ else \
        ONNX_TYPE[want.dtype.type]
    path = save(args.work, name,
                [helper.make_node(op, ["a", "b"], ["y"], name=op, **attrs)],
                [helper.make_tensor_value_info("a", ONNX_TYPE[a.dtype.type],
                                               shape_a),
                 helper.make_tensor_value_info("b", ONNX_TYPE[b.dtype.type],
                                               shape_b)],
                [helper.make_tensor_value_info("y", out_type,
                                               list(want.shape))])
    got = run(args.quant_run, path, {"a": a, "b": b}, ["y"])
    if got is None:
        return 1
    ok = got[0].dtype == want.dtype and np.array_equal(got[0], want)
    print("%s: %s" % (name, "same" if ok else "FAIL"))
    if not ok:
        bad = np.argwhere(got[0] != want)[:4]
        for i in bad:
            i = tuple(i)
            print("  at %s: quant %r, numpy %r" % (i, got[0][i], want[i]))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-run", required=True)
    ap.add_argument("--quant-compile", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(20261206)
    status = 0

    # f32 rows of 40 with ties (values from a small set), NaNs and +-0.
    x = rng.integers(-5, 6, size=(6, 40)).astype(np.float32) / 2
    x[1, [3, 17, 30]] = np.nan
    x[2, :] = np.nan
    x[3, [0, 5]] = [-0.0, 0.0]
    x[4] = rng.standard_normal(40).astype(np.float32)
    status |= check_topk(args, "topk_f32_largest", x, 7, 1, True)
    status |= check_topk(args, "topk_f32_smallest", x, 7, 1, False)
    status |= check_topk(args, "topk_f32_axis0", x, 4, 0, True)
    xi = rng.integers(-3, 4, size=(5, 33)).astype(np.int32)
    xi[0, :4] = [np.iinfo(np.int32).min, np.iinfo(np.int32).max, 0, -1]
    status |= check_topk(args, "topk_i32_largest", xi, 33, 1, True)
    status |= check_topk(args, "topk_i32_smallest", xi, 5, 1, False)

    # Integer element-wise ops, with the edges: 0 and -1 divisors, the
    # minimum, overflow.
    for dtype in (np.int8, np.int32, np.int64):
        info = np.iinfo(dtype)
        a = rng.integers(info.min, info.max, size=(4, 16), dtype=dtype,
                         endpoint=True)
        b = rng.integers(-6, 7, size=(1, 16), dtype=dtype)
        a[0, :3] = [info.min, info.max, info.min]
        b[0, :3] = [-1, -1, 0]
        with np.errstate(over="ignore"):
            status |= check_binary(args, "Add", dtype, a, b, a + b)
            status |= check_binary(args, "Sub", dtype, a, b, a - b)
            status |= check_binary(args, "Mul", dtype, a, b, a * b)
        status |= check_binary(args, "Div", dtype, a, b, trunc_div(a, b))
        status |= check_binary(args, "Max", dtype, a, b, np.maximum(a, b))
        status |= check_binary(args, "Min", dtype, a, b, np.minimum(a, b))
        status |= check_binary(args, "Equal", dtype, a, b, a == b)
        status |= check_binary(args, "Greater", dtype, a, b, a > b)
    # Pow on int32 (exact below 2^53, in range) and int64 with a float
    # exponent (truncated toward zero).
    base = rng.integers(-9, 10, size=(3, 8)).astype(np.int32)
    exponent = rng.integers(0, 7, size=(3, 8)).astype(np.int32)
    status |= check_binary(args, "Pow", np.int32, base, exponent,
                           (base.astype(np.int64) ** exponent).astype(
                               np.int32))
    base64 = rng.integers(1, 50, size=(3, 8)).astype(np.int64)
    fexp = np.full((3, 8), 0.5, np.float32)
    status |= check_binary(args, "Pow", np.int64, base64, fexp,
                           np.trunc(np.power(base64.astype(np.float32),
                                             fexp)).astype(np.int64))

    # Clip on int8 with constant bounds, Where on int64.
    c = rng.integers(-128, 128, size=(2, 30)).astype(np.int8)
    path = save(args.work, "clip_int8",
                [helper.make_node("Clip", ["x", "lo", "hi"], ["y"])],
                [helper.make_tensor_value_info("x", TensorProto.INT8, [2, 30])],
                [helper.make_tensor_value_info("y", TensorProto.INT8, [2, 30])],
                [helper.make_tensor("lo", TensorProto.INT8, [], [-20]),
                 helper.make_tensor("hi", TensorProto.INT8, [], [90])])
    got = run(args.quant_run, path, {"x": c}, ["y"])
    ok = got is not None and np.array_equal(got[0], np.clip(c, -20, 90))
    print("clip_int8: %s" % ("same" if ok else "FAIL"))
    status |= 0 if ok else 1
    cond = rng.integers(0, 2, size=(3, 1)).astype(bool)
    t = rng.integers(-2**62, 2**62, size=(3, 9)).astype(np.int64)
    f = rng.integers(-2**62, 2**62, size=(1, 9)).astype(np.int64)
    path = save(args.work, "where_int64",
                [helper.make_node("Where", ["c", "t", "f"], ["y"])],
                [helper.make_tensor_value_info("c", TensorProto.BOOL, [3, 1]),
                 helper.make_tensor_value_info("t", TensorProto.INT64, [3, 9]),
                 helper.make_tensor_value_info("f", TensorProto.INT64, [1, 9])],
                [helper.make_tensor_value_info("y", TensorProto.INT64, [3, 9])])
    got = run(args.quant_run, path, {"c": cond, "t": t, "f": f}, ["y"])
    ok = got is not None and np.array_equal(got[0], np.where(cond, t, f))
    print("where_int64: %s" % ("same" if ok else "FAIL"))
    status |= 0 if ok else 1

    for name in ("topk_f32_largest", "div_int32", "where_int64"):
        exported = os.path.join(args.work, name + ".export.onnx")
        r = subprocess.run([args.quant_compile,
                            os.path.join(args.work, name + ".onnx"),
                            "--emit=onnx", "-o", exported],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print("FAIL: export %s: %s" % (name, r.stderr.strip()))
            status = 1
            continue
        m = onnx.load(exported)
        onnx.checker.check_model(m)
        print("exported %s: %s" % (name, ", ".join(
            n.op_type for n in m.graph.node)))
    return status


if __name__ == "__main__":
    sys.exit(main())
