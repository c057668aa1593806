"""Static int8 products of two activations against numpy, bit for bit.

    activation_matmul_check.py --quant-run BIN --work DIR

qnt-quantize makes attention's Q K^T and P V (a qnt.matmul whose
right-hand side is not a constant) a matmul of two per-tensor int8
activations with an int8 result. This writes one module of such products
(rank 2, 3 and 4, zero points anywhere in the grid, K up to 512 with
every input at the grid's extreme in the first case) and computes each
output in numpy from docs/Numerics.md's definition: the int32 sums of
(a - za) * (b - zb), then QuantMath's fixed-point requantization by
sa * sb / sy. Inputs are on their grids exactly (power-of-two scales), so
quant.qcast gives numpy's integers. Runs the module with the reference
lowering as plain loops and with the default (vectorized) lowering.
"""

import argparse
import math
import os
import subprocess
import sys

import numpy as np

# name, lhs shape, rhs shape
CASES = [
    ("extremes-k512", (2, 3, 512), (2, 512, 5)),
    ("2d", (7, 9), (9, 11)),
    ("qk-4d", (1, 4, 17, 16), (1, 4, 16, 17)),
    ("pv-4d", (1, 4, 17, 17), (1, 4, 17, 16)),
    ("m1-decode", (1, 6, 1, 64), (1, 6, 64, 40)),
]


def fixed_point(real):
    mantissa, exponent = math.frexp(real)
    mult = int(math.floor(math.ldexp(mantissa, 31) + 0.5))  # llround
    if mult == 1 << 31:
        mult //= 2
        exponent += 1
    return mult, 31 - exponent


def tensor(dims, elem):
    return "tensor<%s>" % "x".join([str(d) for d in dims] + [elem])


def qtype(scale, zp):
    return "!quant.uniform<i8:f32, %r:%d>" % (scale, zp)


def make_case(rng, i, case):
    name, sa_shape, sb_shape = case
    k = sa_shape[-1]
    sa, sb = 2.0 ** -int(rng.integers(3, 7)), 2.0 ** -int(rng.integers(3, 7))
    za, zb = int(rng.integers(-128, 128)), int(rng.integers(-128, 128))
    aq = rng.integers(-128, 128, sa_shape)
    bq = rng.integers(-128, 128, sb_shape)
    if i == 0:  # the largest products: (-128 - za) * (127 - zb) with za, zb far
        za, zb = 127, -128
        aq[:] = -128
        bq[:] = 127
    acc = np.matmul(aq - za, bq - zb)  # int64: exact
    # The output grid spans about the sums' range and 0 (a little clipping
    # at times), as a calibrated range does.
    lo, hi = min(int(acc.min()), 0), max(int(acc.max()), 0)
    unit = max(hi - lo, 1) / 255 * rng.uniform(0.8, 1.1)
    sy = float(sa * sb * unit)
    zy = int(np.clip(round(-128 - lo / unit), -128, 127))
    if i == 0:
        sy, zy = float(sa * sb * k * 255 * 255 / 100), 0  # -100 on the grid
    m, s = fixed_point(sa * sb / sy)
    expected = np.clip(((acc * m + (1 << (s - 1))) >> s) + zy, -128, 127)
    expected_f = (expected - zy).astype(np.float32) * np.float32(sy)
    out_shape = list(acc.shape)
    ta, tb = tensor(sa_shape, qtype(sa, za)), tensor(sb_shape, qtype(sb, zb))
    ty = tensor(out_shape, qtype(sy, zy))
    lines = [
        "  %%qa%d = quant.qcast %%a%d : %s to %s" % (i, i, tensor(sa_shape, "f32"), ta),
        "  %%qb%d = quant.qcast %%b%d : %s to %s" % (i, i, tensor(sb_shape, "f32"), tb),
        "  %%y%d = qnt.matmul %%qa%d, %%qb%d : (%s, %s) -> %s" % (i, i, i, ta, tb, ty),
        "  %%d%d = quant.dcast %%y%d : %s to %s" % (i, i, ty, tensor(out_shape, "f32")),
    ]
    inputs = [((aq - za) * sa).astype(np.float32), ((bq - zb) * sb).astype(np.float32)]
    args = ["%%a%d: %s" % (i, tensor(sa_shape, "f32")),
            "%%b%d: %s" % (i, tensor(sb_shape, "f32"))]
    return lines, args, inputs, expected_f, out_shape


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-run", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(11)
    os.makedirs(args.work, exist_ok=True)
    body, params, outs, inputs, expected = [], [], [], [], []
    for i, case in enumerate(CASES):
        lines, a, data, want, shape = make_case(rng, i, case)
        body += lines
        params += a
        inputs += data
        expected.append(want)
        outs.append(tensor(shape, "f32"))
    text = ["func.func @main(%s) -> (%s) {" % (", ".join(params), ", ".join(outs))]
    text += body
    text += ["  return %s : %s" % (", ".join("%%d%d" % i for i in range(len(CASES))),
                                   ", ".join(outs)), "}"]
    path = os.path.join(args.work, "products.mlir")
    with open(path, "w") as f:
        f.write("\n".join(text) + "\n")
    cmd_inputs = []
    for i, data in enumerate(inputs):
        npy = os.path.join(args.work, "in%d.npy" % i)
        np.save(npy, data)
        cmd_inputs += ["--input", "input%d=%s" % (i, npy)]
    failed = False
    for variant, flags in [("reference", ["--int8-kernels", "reference", "--vector-width", "0"]),
                           ("default", [])]:
        out_dir = os.path.join(args.work, variant)
        subprocess.run([args.quant_run, path, "--output-dir", out_dir] + cmd_inputs + flags,
                       check=True, stdout=subprocess.DEVNULL)
        for i, case in enumerate(CASES):
            got = np.load(os.path.join(out_dir, "output%d.npy" % i))
            bad = int((got != expected[i]).sum())
            failed |= bad != 0
            print("%s %s: %s x %s, %d distinct values, %s" % (
                variant, case[0], "x".join(map(str, case[1])), "x".join(map(str, case[2])),
                len(np.unique(got)), "ok" if bad == 0 else "FAIL (%d of %d differ)" % (bad, got.size)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
