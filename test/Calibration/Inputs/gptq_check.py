"""qnt-gptq's weights and figures against a numpy GPTQ.

    gptq_check.py --quant-opt BIN --work DIR --layer gemm|conv
                  [--bits 4|8] [--group-size G] [--act-order]

Builds a one-layer model (a trans_b gemm 8x64 on 16x64 inputs, or a 3x3
conv 6x4x3x3 with stride 2 and padding 1 on 2x4x8x8 inputs; seeded
weights, inline constants) and 24 calibration samples with correlated
features, runs `qnt-calibrate, qnt-gptq, qnt-quantize` and checks:
  - numpy's GPTQ (float64: H = E[x x^T] from its own im2col, 1% dampening,
    numpy's Cholesky and inverse, the static scales f32(max |w| / qmax) per
    output channel and group) chooses the same integers as the pass;
  - the "output error A -> B" line: A = nearest rounding's
    E[((w_q - w) x)^2] summed over rows, B = GPTQ's (relative 1e-6), and
    B <= A;
  - the weights the pass wrote are s * q and qnt.weight_scales holds s;
  - qnt-quantize then stores exactly q (the i4/i8 constant).
Prints the figures and "ok", or what differs; exit 1 on a difference.
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np

SAMPLES = 24


def dense(a):
    return "dense<" + np.array2string(
        a, separator=", ", floatmode="unique", threshold=10**6
    ).replace("\n", "") + ">"


def model(layer, w, b):
    if layer == "gemm":
        return f"""func.func @main(%x: tensor<16x64xf32>) -> tensor<16x8xf32> {{
  %w = qnt.constant {dense(w)} : tensor<8x64xf32>
  %b = qnt.constant {dense(b)} : tensor<8xf32>
  %0 = qnt.gemm %x, %w, %b {{trans_b = true}} : (tensor<16x64xf32>, tensor<8x64xf32>, tensor<8xf32>) -> tensor<16x8xf32> loc("fc")
  return %0 : tensor<16x8xf32>
}}
"""
    return f"""func.func @main(%x: tensor<2x4x8x8xf32>) -> tensor<2x6x4x4xf32> {{
  %w = qnt.constant {dense(w)} : tensor<6x4x3x3xf32>
  %b = qnt.constant {dense(b)} : tensor<6xf32>
  %0 = qnt.conv %x, %w, %b {{dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}} : (tensor<2x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32> loc("conv")
  return %0 : tensor<2x6x4x4xf32>
}}
"""


def patches(layer, x):
    if layer == "gemm":
        return x.reshape(-1, 64).astype(np.float64)
    n, c, h, wd = x.shape
    padded = np.zeros((n, c, h + 2, wd + 2))
    padded[:, :, 1:-1, 1:-1] = x
    rows = []
    for i in range(n):
        for oy in range(4):
            for ox in range(4):
                rows.append(padded[i, :, 2 * oy:2 * oy + 3, 2 * ox:2 * ox + 3].ravel())
    return np.array(rows)


def quantize(w, s, qmax):
    """QuantMath's quantize(): f32 quotient, half to even, clipped."""
    return np.clip(np.round((np.float32(w) / np.float32(s)).astype(np.float64)), -qmax, qmax)


def gptq(rows, s, hess, qmax, act_order):
    n = rows.shape[1]
    order = np.arange(n)
    if act_order:
        order = np.array(sorted(range(n), key=lambda i: (-hess[i, i], i)))
    h = hess[np.ix_(order, order)].copy()
    dead = np.diag(h) == 0
    h[dead, dead] = 1
    h += 0.01 * np.mean(np.diag(h)) * np.eye(n)
    u = np.linalg.cholesky(np.linalg.inv(h)).T
    q = np.zeros_like(rows)
    for r in range(rows.shape[0]):
        w = rows[r, order].copy()
        sr = s[r, order]
        for i in range(n):
            v = quantize(w[i], sr[i], qmax)
            q[r, order[i]] = v
            e = (w[i] - sr[i] * v) / u[i, i]
            w[i + 1:] -= e * u[i, i + 1:]
    return q


def errors(w, s, q, hess):
    d = s * q - w
    return float(np.einsum("rf,fg,rg->", d, hess, d))


def parse_constant(text, shape_text, dtype):
    """A qnt.constant of tensor<SHAPE DTYPE>: inline dense<...>, or a
    dense_resource blob (hex: 4 bytes of alignment, then the data)."""
    tail = r"> : tensor<" + re.escape(shape_text) + dtype + ">"
    m = re.search(r"qnt\.constant dense<(.*?)" + tail, text)
    if m and m.group(1).startswith('"0x'):
        # Hex form: one byte per element (i4: the low nibble, two's
        # complement).
        raw = np.frombuffer(bytes.fromhex(m.group(1)[3:-1]), np.uint8).astype(np.int64)
        if dtype == "i4":
            return np.where(raw & 8, (raw & 15) - 16, raw & 15).astype(np.float64)
        return raw.astype(np.int8).astype(np.float64)
    if m:
        return np.array(eval(m.group(1)), dtype=np.float64)
    m = re.search(r"qnt\.constant dense_resource<([^>]*)" + tail, text)
    if not m:
        return None
    blob = re.search(re.escape(m.group(1)) + r': "0x([0-9A-Fa-f]*)"', text)
    if not blob:
        return None
    raw = bytes.fromhex(blob.group(1))[4:]
    kind = {"f32": "<f4", "i8": "i1", "i32": "<i4"}[dtype]
    return np.frombuffer(raw, kind).astype(np.float64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-opt", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--layer", choices=["gemm", "conv"], required=True)
    ap.add_argument("--bits", type=int, default=4)
    ap.add_argument("--group-size", type=int, default=16)
    ap.add_argument("--act-order", action="store_true")
    args = ap.parse_args()
    os.makedirs(os.path.join(args.work, "calib"), exist_ok=True)
    rng = np.random.default_rng(20261207)
    qmax = 7 if args.bits == 4 else 127
    if args.layer == "gemm":
        w = rng.normal(0, 0.5, (8, 64)).astype(np.float32)
        b = rng.normal(0, 0.1, 8).astype(np.float32)
        mix = rng.normal(0, 1, (64, 64)) * rng.uniform(0.1, 2, 64)
        xs = [(rng.normal(0.3, 1, (16, 64)) @ mix).astype(np.float32) for _ in range(SAMPLES)]
        channels, taps = 64, 1
    else:
        w = rng.normal(0, 0.5, (6, 4, 3, 3)).astype(np.float32)
        b = rng.normal(0, 0.1, 6).astype(np.float32)
        xs = []
        for _ in range(SAMPLES):
            base = rng.normal(0.5, 1, (2, 4, 8, 8))
            xs.append((base + np.roll(base, 1, 3) + np.roll(base, 1, 2) + base[:, :1]).astype(np.float32))
        channels, taps = 4, 9
    for i, x in enumerate(xs):
        np.save(os.path.join(args.work, "calib", f"{i:03d}.npy"), x)
    src = os.path.join(args.work, "model.mlir")
    open(src, "w").write(model(args.layer, w, b))
    opts = f"data={args.work}/calib weight-bits={args.bits} group-size={args.group_size}"
    if args.act_order:
        opts += " act-order=true"
    rounded_path = os.path.join(args.work, "rounded.mlir")
    run = subprocess.run(
        [args.quant_opt, src, f"--qnt-calibrate=data={args.work}/calib",
         f"--qnt-gptq={opts}", "-o", rounded_path],
        capture_output=True, text=True)
    if run.returncode:
        sys.exit(run.stderr)
    print(run.stderr.strip())
    line = re.search(r"output error ([0-9.e+-]+) -> ([0-9.e+-]+)", run.stderr)
    quantized = subprocess.run(
        [args.quant_opt, rounded_path,
         f"--qnt-quantize=weight-bits={args.bits} group-size={args.group_size}"],
        capture_output=True, text=True, check=True).stdout

    rows = w.reshape(w.shape[0], -1).astype(np.float64)
    p = np.concatenate([patches(args.layer, x) for x in xs])
    hess = p.T @ p / len(p)
    # Static scales: f32(max |w| / qmax) per row and group of input
    # channels (int4), per row (int8).
    group = args.group_size if args.bits == 4 and channels % args.group_size == 0 else channels
    group_of = (np.arange(rows.shape[1]) // taps) // group
    s = np.zeros_like(rows)
    for g in np.unique(group_of):
        cols = group_of == g
        amax = np.abs(rows[:, cols]).max(axis=1, keepdims=True)
        s[:, cols] = (amax / qmax).astype(np.float32).astype(np.float64)
    nearest = quantize(rows, s, qmax)
    want = gptq(rows, s, hess, qmax, args.act_order)
    problems = []

    text = open(rounded_path).read()
    shape = "8x64x" if args.layer == "gemm" else "6x4x3x3x"
    got = parse_constant(text, shape, "f32")
    if got is None:
        sys.exit("no rounded weight constant in the pass's output")
    got = got.reshape(rows.shape)
    q = np.round(got / s)
    if np.abs(got - s * q).max() > 1e-6 * np.abs(got).max():
        problems.append("weights are not s * q")
    differ = int((q != want).sum())
    print(f"numpy GPTQ: {differ} of {q.size} values differ")
    if differ:
        problems.append(f"{differ} values differ from numpy's GPTQ")
    scales = re.search(r"qnt\.weight_scales = array<f32: ([^>]*)>", text)
    if not scales:
        problems.append("no qnt.weight_scales")
    else:
        listed = np.array([float(v) for v in scales.group(1).split(",")])
        expected = np.array([s[r, group_of == g][0] for r in range(rows.shape[0]) for g in np.unique(group_of)])
        if listed.shape != expected.shape or np.any(listed.astype(np.float32) != expected.astype(np.float32)):
            problems.append(f"qnt.weight_scales {listed} != {expected}")

    before, after = errors(rows, s, nearest, hess), errors(rows, s, want, hess)
    print(f"numpy: nearest {before:.6g}, gptq {after:.6g} ({100 * after / before:.1f}%)")
    if not line:
        problems.append("no 'output error' line")
    else:
        for name, mine, theirs in (("nearest", before, float(line.group(1))),
                                   ("gptq", after, float(line.group(2)))):
            if abs(mine - theirs) > 1e-3 * max(mine, 1e-12):
                problems.append(f"{name} error: pass {theirs}, numpy {mine}")
    if after > before:
        problems.append("gptq is above nearest rounding")

    storage = "i4" if args.bits == 4 else "i8"
    stored = parse_constant(quantized, shape, storage)
    if stored is None:
        problems.append(f"no {storage} weight after qnt-quantize")
    elif not np.array_equal(stored.reshape(q.shape), q):
        problems.append(f"qnt-quantize stored other values ({int((stored.reshape(q.shape) != q).sum())} differ)")
    if "qnt.weight_scales" in quantized:
        problems.append("qnt.weight_scales left on the quantized op")
    for p_ in problems:
        print("DIFFERENT:", p_)
    print("ok" if not problems else "failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
