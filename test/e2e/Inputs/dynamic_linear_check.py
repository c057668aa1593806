"""qnt.dynamic_linear against numpy, value for value.

    dynamic_linear_check.py --quant-run BIN --work DIR --scaling MODE
                            [--shape TxK] [--vector-width N]

Writes a module with one qnt.dynamic_linear (input [2, T, K], a seeded
per-channel int8 weight [16, K], a bias), an input whose tokens span
different ranges (one all zero, one with a NaN for
the per-token modes), runs it with quant-run (the JIT) and compares
with docs/Numerics.md's arithmetic written in numpy (f32 throughout):
scales, zero points, int8 inputs, int32 sums, f32(acc) * f32(s_x * s_w)
+ b. The outputs must be equal bit for bit, except where numpy's result
is NaN (both NaN). Prints "max |diff| 0" and "ok", or what differs.
"""

import argparse
import os
import subprocess
import sys

import numpy as np

N = 16


def reference(x, wq, sw, b, mode):
    f = np.float32
    per_token = mode.startswith("per_token")
    absmax = mode.endswith("absmax")
    k = x.shape[-1]
    t = x.reshape(-1, k).astype(f)
    rows = t if per_token else t.reshape(1, -1)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if absmax:
            hi = np.array([np.nanmax(np.abs(r)) if np.any(~np.isnan(r)) else f(0) for r in rows], f)
            hi = np.maximum(hi, f(0))
            scale = (hi / f(127)).astype(f)
        else:
            lo = np.array([min(f(0), np.nanmin(r)) for r in rows], f)
            hi = np.array([max(f(0), np.nanmax(r)) for r in rows], f)
            scale = ((hi - lo) / f(255)).astype(f)
        scale = np.where(scale == 0, f(1), scale).astype(f)
        if absmax:
            zp = np.zeros_like(scale)
            qmin = -127
        else:
            zp = np.clip(np.round(f(-128) - lo / scale), -128, 127).astype(f)
            qmin = -128
        s_tok = scale if per_token else np.repeat(scale, t.shape[0])
        z_tok = zp if per_token else np.repeat(zp, t.shape[0])
        q = np.round((t / s_tok[:, None]).astype(f)) + z_tok[:, None]
        q = np.clip(q, qmin, 127)
        q = np.where(np.isnan(t), z_tok[:, None], q)
        acc = (q.astype(np.int64) - z_tok[:, None].astype(np.int64)) @ wq.astype(np.int64).T
        assert np.abs(acc).max() < 2**31
        c = (s_tok[:, None] * sw[None, :]).astype(f)
        y = (acc.astype(f) * c).astype(f) + b[None, :]
    return y.astype(f).reshape(x.shape[:-1] + (N,))


def quantize_rows(t, mode):
    """t: [S, K] f32, one slot per row (per token) or one for all: the
    zero-point-centred int64 values and the f32 scale per row."""
    f = np.float32
    per_token = mode.startswith("per_token")
    absmax = mode.endswith("absmax")
    rows = t if per_token else t.reshape(1, -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if absmax:
            hi = np.array([np.nanmax(np.abs(r)) if np.any(~np.isnan(r)) else f(0) for r in rows], f)
            scale = (np.maximum(hi, f(0)) / f(127)).astype(f)
        else:
            lo = np.array([min(f(0), np.nanmin(r)) for r in rows], f)
            hi = np.array([max(f(0), np.nanmax(r)) for r in rows], f)
            scale = ((hi - lo) / f(255)).astype(f)
        scale = np.where(scale == 0, f(1), scale).astype(f)
        zp = np.zeros_like(scale) if absmax else np.clip(np.round(f(-128) - lo / scale), -128, 127).astype(f)
        s_tok = scale if per_token else np.repeat(scale, t.shape[0])
        z_tok = zp if per_token else np.repeat(zp, t.shape[0])
        q = np.clip(np.round((t / s_tok[:, None]).astype(f)) + z_tok[:, None], -127 if absmax else -128, 127)
        q = np.where(np.isnan(t), z_tok[:, None], q)
    return q.astype(np.int64) - z_tok[:, None].astype(np.int64), s_tok


def reference_matmul(a, b, mode):
    """a [B, M, K] x b [B, K, N]: rows of a, columns of b."""
    f = np.float32
    per_token = mode.startswith("per_token")
    out = []
    qa_all, sa_all = quantize_rows(a.reshape(-1, a.shape[-1]), mode) if not per_token else (None, None)
    bt = np.swapaxes(b, 1, 2)  # [B, N, K]
    qb_all, sb_all = quantize_rows(bt.reshape(-1, bt.shape[-1]), mode) if not per_token else (None, None)
    m, n = a.shape[1], b.shape[2]
    for i in range(a.shape[0]):
        if per_token:
            qa, sa = quantize_rows(a[i], mode)
            qb, sb = quantize_rows(bt[i], mode)
        else:
            qa, sa = qa_all[i * m:(i + 1) * m], sa_all[i * m:(i + 1) * m]
            qb, sb = qb_all[i * n:(i + 1) * n], sb_all[i * n:(i + 1) * n]
        acc = qa @ qb.T
        out.append((acc.astype(f) * (sa[:, None] * sb[None, :]).astype(f)).astype(f))
    return np.stack(out)


def dense(a):
    return "dense<" + np.array2string(a, separator=", ", floatmode="unique",
                                      threshold=10**6).replace("\n", "") + ">"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-run", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--scaling", required=True)
    ap.add_argument("--shape", default="5x40")
    ap.add_argument("--vector-width", default=None)
    ap.add_argument("--op", choices=["linear", "matmul"], default="linear")
    ap.add_argument("--transposed-rhs", action="store_true",
                    help="matmul: pass the rhs as [3, 7, K] and transpose it in the "
                         "module (attention's K^T, which the lowering reads in place)")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    tokens, k = (int(v) for v in args.shape.split("x"))
    rng = np.random.default_rng(7)
    if args.op == "matmul":
        return check_matmul(args, tokens, k, rng)
    wq = rng.integers(-127, 128, (N, k)).astype(np.int8)
    sw = (rng.uniform(0.001, 0.02, N)).astype(np.float32)
    b = rng.normal(0, 1, N).astype(np.float32)
    x = (rng.normal(0, 1, (2, tokens, k)) * rng.uniform(0.01, 50, (2, tokens, 1))).astype(np.float32)
    x[0, 0] = 0.0
    x[1, 0] += 3.0  # all positive-ish: the zero point moves
    if args.scaling.startswith("per_token"):
        x[0, 1, 3] = np.nan
    np.save(os.path.join(args.work, "x.npy"), x)
    scales = ", ".join(repr(float(v)) for v in sw)
    weight_type = f"tensor<{N}x{k}x!quant.uniform<i8<-127:127>:f32:0, {{{scales}}}>>"
    mlir = f"""func.func @main(%x: tensor<2x{tokens}x{k}xf32>) -> tensor<2x{tokens}x{N}xf32> {{
  %wq = qnt.constant {dense(wq)} : tensor<{N}x{k}xi8>
  %w = quant.scast %wq : tensor<{N}x{k}xi8> to {weight_type}
  %b = qnt.constant {dense(b)} : tensor<{N}xf32>
  %y = qnt.dynamic_linear %x, %w, %b {{scaling = #qnt.dynamic_scaling<{args.scaling}>}} : (tensor<2x{tokens}x{k}xf32>, {weight_type}, tensor<{N}xf32>) -> tensor<2x{tokens}x{N}xf32>
  return %y : tensor<2x{tokens}x{N}xf32>
}}
"""
    path = os.path.join(args.work, "model.mlir")
    open(path, "w").write(mlir)
    cmd = [args.quant_run, path, "--input", f"{args.work}/x.npy", "--output-dir", args.work]
    if args.vector_width is not None:
        cmd += ["--vector-width", args.vector_width]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode:
        sys.exit(run.stderr)
    outs = [f for f in os.listdir(args.work) if f.endswith(".npy") and f != "x.npy"]
    got = np.load(os.path.join(args.work, outs[0]))
    want = reference(x, wq, sw, b, args.scaling)
    both_nan = np.isnan(got) & np.isnan(want)
    diff = np.where(both_nan, 0, np.abs(got.astype(np.float64) - want.astype(np.float64)))
    bad = int(((got != want) & ~both_nan).sum())
    print(f"max |diff| {diff.max():.9g} ({bad} of {got.size} differ)")
    print("ok" if bad == 0 else "DIFFERENT")
    return 0 if bad == 0 else 1


def run_and_compare(args, mlir, inputs, want):
    path = os.path.join(args.work, "model.mlir")
    open(path, "w").write(mlir)
    cmd = [args.quant_run, path, "--output-dir", args.work]
    for name in inputs:
        cmd += ["--input", f"{name}={args.work}/{name}.npy"]
    if args.vector_width is not None:
        cmd += ["--vector-width", args.vector_width]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode:
        sys.exit(run.stderr)
    got = np.load(os.path.join(args.work, "output0.npy"))
    both_nan = np.isnan(got) & np.isnan(want)
    diff = np.where(both_nan, 0, np.abs(got.astype(np.float64) - want.astype(np.float64)))
    bad = int(((got != want) & ~both_nan).sum())
    print(f"max |diff| {diff.max():.9g} ({bad} of {got.size} differ)")
    print("ok" if bad == 0 else "DIFFERENT")
    return 0 if bad == 0 else 1


def check_matmul(args, tokens, k, rng):
    """qnt.dynamic_matmul of [3, T, K] x [3, K, 7] activations."""
    n = 7
    a = (rng.normal(0, 1, (3, tokens, k)) * rng.uniform(0.01, 50, (3, tokens, 1))).astype(np.float32)
    b = (rng.normal(0, 1, (3, k, n)) * rng.uniform(0.01, 50, (3, 1, n))).astype(np.float32)
    a[0, 0] = 0.0
    b[1, :, 2] += 4.0
    if args.scaling.startswith("per_token"):
        a[2, 1, 3] = np.nan
    np.save(os.path.join(args.work, "input0.npy"), a)
    if args.transposed_rhs:
        np.save(os.path.join(args.work, "input1.npy"), np.ascontiguousarray(b.transpose(0, 2, 1)))
        rhs = (f"%bt: tensor<3x{n}x{k}xf32>",
               f"  %b = qnt.transpose %bt {{perm = array<i64: 0, 2, 1>}} : "
               f"(tensor<3x{n}x{k}xf32>) -> tensor<3x{k}x{n}xf32>\n")
    else:
        np.save(os.path.join(args.work, "input1.npy"), b)
        rhs = (f"%b: tensor<3x{k}x{n}xf32>", "")
    mlir = f"""func.func @main(%a: tensor<3x{tokens}x{k}xf32>, {rhs[0]}) -> tensor<3x{tokens}x{n}xf32> {{
{rhs[1]}  %y = qnt.dynamic_matmul %a, %b {{scaling = #qnt.dynamic_scaling<{args.scaling}>}} : (tensor<3x{tokens}x{k}xf32>, tensor<3x{k}x{n}xf32>) -> tensor<3x{tokens}x{n}xf32>
  return %y : tensor<3x{tokens}x{n}xf32>
}}
"""
    return run_and_compare(args, mlir, ["input0", "input1"], reference_matmul(a, b, args.scaling))


if __name__ == "__main__":
    sys.exit(main())
