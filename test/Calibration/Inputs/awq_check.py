"""qnt-awq's factors, errors and clipping against numpy.

    awq_check.py --quant-opt BIN --work DIR [--bits 4|8] [--group-size G]
                 [--no-clip]

Builds a one-layer model (a trans_b gemm 8x64 on 16x64 inputs whose 64
channels have magnitudes spread over two decades, as activation outliers
are; seeded weights, inline constants) and 24 calibration samples, runs
`qnt-calibrate, qnt-awq` and checks in numpy:
  - H = E[x x^T] and m = E[|x|] of the input rows; for alpha = 0, 0.05,
    ..., 0.95: s = m^alpha / sqrt(max * min) and the output error
    sum_n d^T H d with d = Q(W s) / s - W (int4 groups of G input channels,
    or int8 per output channel; scales f32(max |w| / qmax), QuantMath's
    rounding); the least error's alpha is the one the pass printed, and
    the nearest / scaled errors match (relative 1e-3);
  - the weights the pass wrote are f32(W s) and the inserted multiplier is
    f32(1 / s) (the input is a function argument: nothing to fold into);
  - int4 with clipping: per output channel and group the ratio in
    {1, 0.95, ..., 0.5} with the least d_g^T H'_g d_g on the scaled inputs
    (H' = H / (s s^T)); qnt.weight_scales holds those scales and the
    printed clipped error matches.
Prints the figures and "ok", or what differs; exit 1 on a difference.
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np

SAMPLES = 24
K, N = 64, 8


def dense(a):
    return "dense<" + np.array2string(
        a, separator=", ", floatmode="unique", threshold=10**6
    ).replace("\n", "") + ">"


def model(w, b):
    return f"""func.func @main(%x: tensor<16x{K}xf32>) -> tensor<16x{N}xf32> {{
  %w = qnt.constant {dense(w)} : tensor<{N}x{K}xf32>
  %b = qnt.constant {dense(b)} : tensor<{N}xf32>
  %0 = qnt.gemm %x, %w, %b {{trans_b = true}} : (tensor<16x{K}xf32>, tensor<{N}x{K}xf32>, tensor<{N}xf32>) -> tensor<16x{N}xf32> loc("fc")
  return %0 : tensor<16x{N}xf32>
}}
"""


def f32(v):
    return np.asarray(v, np.float32).astype(np.float64)


def quantize(v, scale, qmax):
    return np.clip(np.round((np.float32(v) / np.float32(scale)).astype(np.float64)), -qmax, qmax)


def grid_error(wt, s, hess, bits, group, given=None):
    """wt: [N, K]. Returns (error, scales [N, groups])."""
    qmax = 7 if bits == 4 else 127
    rows = f32(wt * s)
    groups = K // group
    scales = np.zeros((N, groups))
    d = np.zeros_like(rows)
    for g in range(groups):
        cols = slice(g * group, (g + 1) * group)
        amax = np.abs(rows[:, cols]).max(axis=1)
        sc = f32(amax / qmax) if given is None else given[:, g]
        scales[:, g] = sc
        q = quantize(rows[:, cols], sc[:, None], qmax)
        d[:, cols] = sc[:, None] * q / s[cols] - wt[:, cols]
    return float(np.einsum("nk,kl,nl->", d, hess, d)), scales


def parse_blob(text, name, count):
    blob = re.search(re.escape(name) + r': "0x([0-9A-Fa-f]*)"', text)
    if not blob:
        return None
    return np.frombuffer(bytes.fromhex(blob.group(1))[4:], "<f4").astype(np.float64)[:count]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-opt", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--bits", type=int, default=4)
    ap.add_argument("--group-size", type=int, default=16)
    ap.add_argument("--no-clip", action="store_true")
    args = ap.parse_args()
    os.makedirs(os.path.join(args.work, "calib"), exist_ok=True)
    rng = np.random.default_rng(20261208)
    w = rng.normal(0, 0.5, (N, K)).astype(np.float32)
    b = rng.normal(0, 0.1, N).astype(np.float32)
    magnitude = np.exp(rng.uniform(np.log(0.1), np.log(10), K))
    xs = [(rng.normal(0, 1, (16, K)) * magnitude).astype(np.float32) for _ in range(SAMPLES)]
    for i, x in enumerate(xs):
        np.save(os.path.join(args.work, "calib", f"{i:03d}.npy"), x)
    src = os.path.join(args.work, "model.mlir")
    open(src, "w").write(model(w, b))
    opts = f"data={args.work}/calib weight-bits={args.bits} group-size={args.group_size}"
    if args.no_clip:
        opts += " clip=false"
    out_path = os.path.join(args.work, "awq.mlir")
    run = subprocess.run(
        [args.quant_opt, src, f"--qnt-calibrate=data={args.work}/calib",
         f"--qnt-awq={opts}", "-o", out_path],
        capture_output=True, text=True)
    if run.returncode:
        sys.exit(run.stderr)
    print(run.stderr.strip())
    line = re.search(r"output error ([0-9.e+-]+) -> ([0-9.e+-]+) \(alpha ([0-9.]+)\)"
                     r"(?: -> ([0-9.e+-]+) \(clipped\))?", run.stderr)
    text = open(out_path).read()

    x = np.concatenate(xs).astype(np.float64)
    hess = x.T @ x / len(x)
    m = np.abs(x).mean(axis=0)
    wt = w.astype(np.float64)
    group = args.group_size if args.bits == 4 and K % args.group_size == 0 else K
    problems = []
    errors = []
    for step in range(20):
        alpha = step / 20
        s = m ** alpha
        s = s / np.sqrt(s.max() * s.min())
        errors.append((grid_error(wt, s, hess, args.bits, group)[0], alpha, s))
    nearest = errors[0][0]
    best = min(errors, key=lambda e: e[0])
    print(f"numpy: nearest {nearest:.6g}, best alpha {best[1]:.2f} error {best[0]:.6g}")
    if not line:
        sys.exit("no 'output error' line")
    for name, mine, theirs in (("nearest", nearest, float(line.group(1))),
                               ("scaled", best[0], float(line.group(2)))):
        if abs(mine - theirs) > 1e-3 * mine:
            problems.append(f"{name} error: pass {theirs}, numpy {mine}")
    if abs(float(line.group(3)) - best[1]) > 1e-9:
        problems.append(f"alpha: pass {line.group(3)}, numpy {best[1]}")
    if best[1] == 0:
        problems.append("the test data should make alpha > 0")
    s = best[2]

    got_w = parse_blob(text, "fc.awq.weight", N * K)
    if got_w is None or np.abs(got_w.reshape(N, K) - f32(wt * s)).max() > 1e-6 * np.abs(wt * s).max():
        problems.append("the rewritten weights are not f32(W s)")
    inverse = parse_blob(text, "fc.awq.inverse", K)
    if inverse is None or np.abs(inverse - f32(1 / s)).max() > 1e-6 * np.abs(1 / s).max():
        problems.append("the multiplier is not f32(1 / s)")
    if "qnt.mul" not in text:
        problems.append("no explicit qnt.mul")

    scales_attr = re.search(r"qnt\.weight_scales = array<f32: ([^>]*)>", text)
    if args.bits == 4 and not args.no_clip:
        rows = f32(wt * s)
        hs = hess / np.outer(s, s)
        clipped = np.zeros((N, K // group))
        for n in range(N):
            for g in range(K // group):
                cols = slice(g * group, (g + 1) * group)
                amax = np.abs(rows[n, cols]).max()
                best_e, best_s = np.inf, None
                for step in range(11):
                    sc = f32(amax * (1 - 0.05 * step) / 7)
                    d = sc * quantize(rows[n, cols], sc, 7) - rows[n, cols]
                    e = d @ hs[cols, cols] @ d
                    if e < best_e:
                        best_e, best_s = e, sc
                clipped[n, g] = best_s
        after = grid_error(wt, s, hess, 4, group, clipped)[0]
        print(f"numpy: clipped error {after:.6g}")
        if not scales_attr:
            problems.append("no qnt.weight_scales")
        else:
            listed = np.array([float(v) for v in scales_attr.group(1).split(",")])
            if listed.size != clipped.size or np.any(listed.astype(np.float32) != clipped.ravel().astype(np.float32)):
                problems.append("qnt.weight_scales differ from numpy's clipping")
        if not line.group(4) or abs(float(line.group(4)) - after) > 1e-3 * after:
            problems.append(f"clipped error: pass {line.group(4)}, numpy {after}")
        if after > best[0]:
            problems.append("clipping made it worse")
    elif scales_attr:
        problems.append("qnt.weight_scales without clipping")
    for p_ in problems:
        print("DIFFERENT:", p_)
    print("ok" if not problems else "failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
