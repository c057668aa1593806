"""qnt-adaround's weights and figures against numpy.

    adaround_check.py --quant-opt BIN --work DIR --layer gemm|conv
                      [--bits 4|8] [--bias-correction]

Builds a one-layer model (a trans_b gemm 2x8, or a 3x3 conv with stride 2
and padding 1 on a 1x6x6 input; seeded weights, inline constants) and 24
calibration samples whose features are correlated, runs
`qnt-calibrate, qnt-adaround, qnt-quantize` and checks in numpy:
  - H = E[x x^T] of the layer's input rows or im2col patches (numpy's own
    im2col), and with it the "output error A -> B" line the pass printed:
    A is nearest rounding's E[((w_q - w) x)^2] summed over rows, B the
    rounded weights' (relative 1e-3);
  - the rounded weights are s * q with s the scale qnt-quantize uses
    (max |w| / qmax per output channel: int4 groups are whole rows here)
    and q = floor or ceil of w / s, the largest |w| of a row unmoved;
  - B <= A, and B >= the best of all 2^n up/down choices of each row
    (brute force; the ratio is printed: how close AdaRound comes to the
    optimum is measured over many random layers in
    test/Unit/AdaRoundTest.cpp, not on this one);
  - qnt-quantize stores exactly q (the i4/i8 constant after it);
  - with --bias-correction: H is the covariance, and the bias moved by
    -(w_q - w) E[x].
Prints the figures and "ok", or what differs; exit 1 on a difference.
"""

import argparse
import itertools
import os
import re
import subprocess
import sys

import numpy as np

SAMPLES = 24


def model(layer, w, b):
    def dense(a):
        return "dense<" + np.array2string(
            a, separator=", ", floatmode="unique", threshold=10**6
        ).replace("\n", "") + ">"

    if layer == "gemm":
        return f"""func.func @main(%x: tensor<16x8xf32>) -> tensor<16x2xf32> {{
  %w = qnt.constant {dense(w)} : tensor<2x8xf32>
  %b = qnt.constant {dense(b)} : tensor<2xf32>
  %0 = qnt.gemm %x, %w, %b {{trans_b = true}} : (tensor<16x8xf32>, tensor<2x8xf32>, tensor<2xf32>) -> tensor<16x2xf32> loc("fc")
  return %0 : tensor<16x2xf32>
}}
"""
    return f"""func.func @main(%x: tensor<2x1x6x6xf32>) -> tensor<2x1x3x3xf32> {{
  %w = qnt.constant {dense(w)} : tensor<1x1x3x3xf32>
  %b = qnt.constant {dense(b)} : tensor<1xf32>
  %0 = qnt.conv %x, %w, %b {{dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}} : (tensor<2x1x6x6xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<2x1x3x3xf32> loc("conv")
  return %0 : tensor<2x1x3x3xf32>
}}
"""


def patches(layer, x):
    """The rows the weight rows multiply: gemm input rows, conv im2col."""
    if layer == "gemm":
        return x.reshape(-1, 8).astype(np.float64)
    n, _, h, wd = x.shape
    padded = np.zeros((n, h + 2, wd + 2))
    padded[:, 1:-1, 1:-1] = x[:, 0]
    rows = []
    for i in range(n):
        for oy in range(3):
            for ox in range(3):
                rows.append(padded[i, 2 * oy:2 * oy + 3, 2 * ox:2 * ox + 3].ravel())
    return np.array(rows)


def errors(w, s, q, hess):
    d = s * q - w
    return float(np.einsum("rf,fg,rg->", d, hess, d))


def parse_constant(text, shape_text, dtype):
    m = re.search(r"qnt\.constant dense<(.*?)> : tensor<" + re.escape(shape_text) + dtype + ">", text)
    if not m:
        return None
    return np.array(eval(m.group(1)), dtype=np.float64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-opt", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--layer", choices=["gemm", "conv"], required=True)
    ap.add_argument("--bits", type=int, default=4)
    ap.add_argument("--bias-correction", action="store_true")
    args = ap.parse_args()
    os.makedirs(os.path.join(args.work, "calib"), exist_ok=True)
    rng = np.random.default_rng(20261206)
    qmax = 7 if args.bits == 4 else 127
    if args.layer == "gemm":
        w = rng.normal(0, 0.5, (2, 8)).astype(np.float32)
        b = np.array([0.25, -0.5], np.float32)
        mix = rng.normal(0, 1, (8, 8))
        xs = [(rng.normal(0.3, 1, (16, 8)) @ mix).astype(np.float32) for _ in range(SAMPLES)]
    else:
        w = rng.normal(0, 0.5, (1, 1, 3, 3)).astype(np.float32)
        b = np.array([0.125], np.float32)
        xs = []
        for _ in range(SAMPLES):
            base = rng.normal(0.5, 1, (2, 1, 6, 6))
            # Neighbouring pixels correlate, as in images.
            xs.append((base + np.roll(base, 1, 3) + np.roll(base, 1, 2)).astype(np.float32))
    for i, x in enumerate(xs):
        np.save(os.path.join(args.work, "calib", f"{i:03d}.npy"), x)
    src = os.path.join(args.work, "model.mlir")
    open(src, "w").write(model(args.layer, w, b))
    opts = f"data={args.work}/calib weight-bits={args.bits}"
    if args.bias_correction:
        opts += " bias-correction=true"
    rounded_path = os.path.join(args.work, "rounded.mlir")
    run = subprocess.run(
        [args.quant_opt, src, f"--qnt-calibrate=data={args.work}/calib",
         f"--qnt-adaround={opts}", "-o", rounded_path],
        capture_output=True, text=True)
    if run.returncode:
        sys.exit(run.stderr)
    line = re.search(r"output error ([0-9.e+-]+) -> ([0-9.e+-]+)", run.stderr)
    moved = re.search(r"(\d+) of (\d+) weights rounded the other way", run.stderr)
    print(run.stderr.strip())
    quantized = subprocess.run(
        [args.quant_opt, rounded_path,
         f"--qnt-quantize=weight-bits={args.bits} group-size=32"],
        capture_output=True, text=True, check=True).stdout

    rows = w.reshape(w.shape[0], -1).astype(np.float64)
    p = np.concatenate([patches(args.layer, x) for x in xs])
    hess = p.T @ p / len(p)
    mean = p.mean(axis=0)
    if args.bias_correction:
        hess = hess - np.outer(mean, mean)
    # The scale qnt-quantize computes: an f32 max |w| / qmax per row.
    s = (np.abs(rows).max(axis=1, keepdims=True) / qmax).astype(np.float32).astype(np.float64)
    s = np.broadcast_to(s, rows.shape)
    x = rows / s
    nearest = np.clip(np.round(x), -qmax, qmax)
    problems = []

    text = open(rounded_path).read()
    shape = "2x8x" if args.layer == "gemm" else "1x1x3x3x"
    got = parse_constant(text, shape, "f32")
    if got is None:
        sys.exit("no rounded weight constant in the pass's output")
    got = got.reshape(rows.shape)
    q = got / s
    if np.abs(q - np.round(q)).max() > 1e-3:
        problems.append(f"weights not on the grid: {q}")
    q = np.round(q)
    if not np.all((q == np.floor(x)) | (q == np.ceil(x)) | (q == nearest)):
        problems.append("a value is neither floor nor ceil of w / s")
    ends = np.abs(nearest) >= qmax
    if not np.all(q[ends] == nearest[ends]):
        problems.append("a grid end moved")

    before, after = errors(rows, s, nearest, hess), errors(rows, s, q, hess)
    print(f"numpy: nearest {before:.6g}, adaround {after:.6g}")
    if not line:
        problems.append("no 'output error' line")
    else:
        for name, mine, theirs in (("nearest", before, float(line.group(1))),
                                   ("adaround", after, float(line.group(2)))):
            if abs(mine - theirs) > 1e-3 * max(mine, 1e-12) + 1e-9:
                problems.append(f"{name} error: pass {theirs}, numpy {mine}")
    if moved and int(moved.group(1)) != int((q != nearest).sum()):
        problems.append(f"moved: pass {moved.group(1)}, numpy {(q != nearest).sum()}")
    if after > before * (1 + 1e-9):
        problems.append("adaround is above nearest")
    best = 0.0
    for r in range(rows.shape[0]):
        free = [f for f in range(rows.shape[1]) if not ends[r, f] and x[r, f] != np.floor(x[r, f])]
        row_best = np.inf
        for bitsel in itertools.product((0, 1), repeat=len(free)):
            cand = nearest[r].copy()
            for f, up in zip(free, bitsel):
                cand[f] = np.floor(x[r, f]) + up
            row_best = min(row_best, errors(rows[r:r + 1], s[r:r + 1], cand[None], hess))
        best += row_best
    print(f"brute force best {best:.6g}; adaround / best {after / best:.3f}")
    if after < best * (1 - 1e-6):
        problems.append("adaround is below the brute-force optimum")

    storage = "i4" if args.bits == 4 else "i8"
    stored = parse_constant(quantized, shape, storage)
    if stored is None:
        problems.append(f"no {storage} weight after qnt-quantize")
    elif not np.array_equal(stored.reshape(q.shape), q):
        problems.append(f"qnt-quantize stored {stored.ravel()} for {q.ravel()}")

    if args.bias_correction:
        bias = parse_constant(text, "2x" if args.layer == "gemm" else "1x", "f32")
        want = b - (s * q - rows) @ mean
        print(f"bias {bias} (numpy {want})")
        if bias is None or np.abs(bias - want).max() > 1e-4:
            problems.append("bias correction differs")
    for p_ in problems:
        print("DIFFERENT:", p_)
    print("ok" if not problems else "failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
