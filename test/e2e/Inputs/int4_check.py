#!/usr/bin/env python3
"""int4 layers against an independent numpy model, bit for bit.

    int4_check.py --bin BUILD/bin --work DIR

For each case (a Conv, Gemm or MatMul ONNX model with random weights) it
  1. writes calibration samples and a held-out input,
  2. runs `quant-compile --precision=int4 --group-size=G --emit=mlir`
     (int4 group-wise weights, an int8 input, f32 result),
  3. runs the .mlir with quant-run under --int8-kernels=reference (the
     linalg reference lowering) and under each kernel copy this CPU runs
     (--int8-kernels=generic, avx2, avxvnni, avx512vnni: every copy has
     the int4 kernels),
  4. computes the layer with numpy as docs/Numerics.md ("int4 weights")
     defines it: weights quantized per (output channel, group) on [-7, 7]
     with scale f32(max|w| / 7), the input on the int8 grid quant-compile
     chose (read from the .mlir), i32 sums per group, then
     y = bias + sum over groups in order of f32(sum_g) * f32(s_x * s_w),
and prints "NAME: SHAPE ok" when every run equals numpy exactly, or FAIL,
then the --int8-kernels values it ran.
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from int8_sweep import cpu_has  # the script's own folder

F32 = np.float32
KERNELS = ("generic", "avx2", "avxvnni", "avx512vnni")


def f32_scale(amax):
    return F32(np.float64(amax) / 7.0) if amax > 0 else F32(1.0)


def quantize_groups(w2d, group):
    """w2d: [out][in * taps] float32 as [out][in][taps]."""
    out_ch, in_ch, taps = w2d.shape
    groups = in_ch // group
    q = np.zeros(w2d.shape, np.int64)
    scales = np.zeros((out_ch, groups), np.float32)
    for o in range(out_ch):
        for g in range(groups):
            block = w2d[o, g * group:(g + 1) * group, :]
            s = f32_scale(np.abs(block.astype(np.float64)).max())
            scales[o, g] = s
            q[o, g * group:(g + 1) * group, :] = np.clip(
                np.rint(block / s), -8, 7)
    return q, scales


def combine(sums, scales, sx, bias):
    """sums: [..., out, groups] int; f32 in ascending group order."""
    acc = np.zeros(sums.shape[:-1], np.float32)
    c = (np.float64(sx) * scales.astype(np.float64)).astype(np.float32)
    for g in range(sums.shape[-1]):
        acc = (acc + sums[..., g].astype(np.float32) * c[:, g]).astype(F32)
    if bias is not None:
        acc = (acc + bias).astype(F32)
    return acc


def input_grid(mlir_text):
    m = re.search(r"quant\.qcast %\S+ : \S+ to tensor<[0-9x]+x!quant\.uniform<i8:f32, "
                  r"([0-9.eE+-]+)(?::(-?\d+))?>>", mlir_text)
    if not m:
        sys.exit("no int8 input grid in the .mlir")
    return F32(float(m.group(1))), int(m.group(2) or 0)


def quantize_input(x, sx, zp):
    return np.clip(np.rint(x / sx) + zp, -128, 127).astype(np.int64)


def conv_case(rng, name, n, ic, h, w, oc, k, stride, pad, dil, group, bias):
    x = rng.uniform(-1, 1, (n, ic, h, w)).astype(F32)
    wt = rng.normal(0, 0.5, (oc, ic, k, k)).astype(F32)
    b = rng.normal(0, 0.1, oc).astype(F32) if bias else None
    inits = [numpy_helper.from_array(wt, "w")]
    inputs = ["x", "w"]
    if bias:
        inits.append(numpy_helper.from_array(b, "b"))
        inputs.append("b")
    oh = (h + 2 * pad - dil * (k - 1) - 1) // stride + 1
    ow = (w + 2 * pad - dil * (k - 1) - 1) // stride + 1
    node = helper.make_node("Conv", inputs, ["y"], strides=[stride] * 2,
                            pads=[pad] * 4, dilations=[dil] * 2,
                            kernel_shape=[k, k], name="layer")
    graph = helper.make_graph(
        [node], name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [n, oc, oh, ow])], inits)

    def reference(xq, zp, sx):
        g = group if ic % group == 0 else ic
        q, scales = quantize_groups(wt.reshape(oc, ic, k * k), g)
        q = q.reshape(oc, ic, k, k)
        xp = np.pad(xq - zp, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        sums = np.zeros((n, oh, ow, oc, ic // g), np.int64)
        for i in range(oh):
            for j in range(ow):
                win = xp[:, :, i * stride:i * stride + dil * (k - 1) + 1:dil,
                         j * stride:j * stride + dil * (k - 1) + 1:dil]
                prod = np.einsum("ncab,ocab->noc", win, q)
                sums[:, i, j] = prod.reshape(n, oc, ic // g, g).sum(-1)
        y = combine(sums, scales, sx, b)  # [n, oh, ow, oc]
        return y.transpose(0, 3, 1, 2)

    return graph, x, reference, group


def matmul_case(rng, name, op, m, k, n, group, trans_b=False, bias=False):
    x = rng.uniform(-2, 1, (m, k)).astype(F32)
    wkn = rng.normal(0, 0.3, (k, n)).astype(F32)
    b = rng.normal(0, 0.1, n).astype(F32) if bias else None
    stored = wkn.T.copy() if trans_b else wkn
    inits = [numpy_helper.from_array(stored, "w")]
    inputs = ["x", "w"]
    attrs = {}
    if op == "Gemm":
        attrs["transB"] = 1 if trans_b else 0
        if bias:
            inits.append(numpy_helper.from_array(b, "b"))
            inputs.append("b")
    node = helper.make_node(op, inputs, ["y"], name="layer", **attrs)
    graph = helper.make_graph(
        [node], name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])], inits)

    def reference(xq, zp, sx):
        g = group if k % group == 0 else k
        q, scales = quantize_groups(wkn.T.reshape(n, k, 1), g)
        q = q.reshape(n, k)
        sums = ((xq - zp)[:, None, :] * q[None, :, :]).reshape(m, n, k // g, g).sum(-1)
        return combine(sums, scales, sx, b)

    return graph, x, reference, group


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    cases = [
        # name, model (..., group size, ...)
        ("conv-groups", conv_case(rng, "c1", 1, 8, 7, 6, 3, 3, 1, 1, 1, 4, True)),
        ("conv-stride-dilation", conv_case(rng, "c2", 2, 8, 9, 9, 4, 3, 2, 2, 2, 2, True)),
        # 6 input channels, group 4: one group per output channel.
        ("conv-one-group", conv_case(rng, "c3", 1, 6, 5, 5, 5, 1, 1, 0, 1, 4, False)),
        ("gemm-transb", matmul_case(rng, "g1", "Gemm", 3, 64, 5, 32, True, True)),
        ("gemm", matmul_case(rng, "g2", "Gemm", 4, 48, 6, 16, False, True)),
        ("matmul", matmul_case(rng, "m1", "MatMul", 2, 96, 7, 32)),
        # The W4A8 GEMM's blocks of 32 channels: a GEMV (one row) over 3
        # blocks, the last partial; 7 rows (tiles of 4 or 2 plus a tail),
        # several groups; K = 30 (not whole k-quads: the reference loops).
        ("gemv", matmul_case(rng, "v1", "MatMul", 1, 256, 70, 32)),
        ("gemm-rows", matmul_case(rng, "g3", "Gemm", 7, 128, 40, 64, True, True)),
        ("matmul-k30", matmul_case(rng, "m2", "MatMul", 3, 30, 9, 32)),
    ]
    failed = False
    variants = ["reference"] + [k for k in KERNELS if cpu_has(k)]
    for name, (graph, x, reference, group) in cases:
        d = os.path.join(args.work, name)
        os.makedirs(os.path.join(d, "calib"), exist_ok=True)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        onnx.save(model, os.path.join(d, "model.onnx"))
        for i in range(4):
            sample = rng.uniform(-1, 1, x.shape).astype(F32) * (1.5 if i == 0 else 1)
            np.save(os.path.join(d, "calib", "%d.npy" % i), sample)
        np.save(os.path.join(d, "x.npy"), x)
        mlir = os.path.join(d, "int4.mlir")
        subprocess.run([os.path.join(args.bin, "quant-compile"),
                        os.path.join(d, "model.onnx"), "--precision=int4",
                        "--group-size=%d" % group, "--calibration-data",
                        os.path.join(d, "calib"), "--emit=mlir", "-o", mlir],
                       check=True)
        text = open(mlir).read()
        if "xi4>" not in text:
            print("%s: FAIL (no int4 weight in the .mlir)" % name)
            failed = True
            continue
        sx, zp = input_grid(text)
        expected = reference(quantize_input(x, sx, zp), zp, sx)
        ok = True
        for kernels in variants:
            out = os.path.join(d, "out-" + kernels)
            subprocess.run([os.path.join(args.bin, "quant-run"), mlir, "--input",
                            os.path.join(d, "x.npy"), "--output-dir", out,
                            "--int8-kernels", kernels], check=True,
                           stdout=subprocess.DEVNULL)
            got = np.load(os.path.join(out, "y.npy"))
            if got.shape != expected.shape or not np.array_equal(got, expected):
                diff = np.abs(got.astype(np.float64) - expected).max() \
                    if got.shape == expected.shape else "shape"
                print("%s: FAIL with --int8-kernels=%s (max diff %s)" % (name, kernels, diff))
                ok = False
        failed |= not ok
        if ok:
            print("%s: %s ok" % (name, "x".join(map(str, expected.shape))))
    print("int4 runs: %s" % ", ".join(variants))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
