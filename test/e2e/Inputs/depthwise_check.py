"""int8 depthwise convs against numpy, bit for bit.

    depthwise_check.py --quant-run BIN --work DIR [--kernels LIST]

Writes one module of int8 depthwise convs (qnt.conv with group = C, weight
[C, 1, KH, KW]) of varied shapes, strides, dilations, asymmetric pads,
zero points and per-channel weight scales, and computes each output in
numpy from docs/Numerics.md's definition: the int32 sum of
(x - zp_x) * w over the taps of the zero-point-padded input plus the int32
bias, then QuantMath's fixed-point requantization (multiplier and shift
from the double s_x * s_w[c] / s_y, (acc * m + 2^(shift-1)) >> shift, plus
the output zero point, clamped). Inputs are on the input grid exactly
(power-of-two input scales), so quant.qcast gives the integers numpy uses.
Runs the module with the reference lowering as plain loops
(--int8-kernels=reference --vector-width 0) and with each kernel in
--kernels this CPU has; prints one line per case and variant, and FAIL
with the differing count on any difference.
"""

import argparse
import math
import os
import subprocess
import sys

import numpy as np

from int8_sweep import cpu_has  # this folder is sys.path[0]

# name, C, H, W, KH, KW, stride, dilation, pads [top, left, bottom, right]
CASES = [
    ("3x3-s1-p1", 8, 9, 11, 3, 3, (1, 1), (1, 1), (1, 1, 1, 1)),
    ("3x3-s2-p1", 5, 10, 13, 3, 3, (2, 2), (1, 1), (1, 1, 1, 1)),
    ("5x5-s1-p2", 4, 12, 7, 5, 5, (1, 1), (1, 1), (2, 2, 2, 2)),
    ("5x5-s2-asym", 3, 11, 16, 5, 5, (2, 2), (1, 1), (1, 2, 2, 1)),
    ("3x5-s2x1-dil2", 6, 13, 14, 3, 5, (2, 1), (2, 2), (2, 0, 1, 3)),
    ("1x1", 7, 5, 5, 1, 1, (1, 1), (1, 1), (0, 0, 0, 0)),
    ("7x7-s3", 2, 20, 23, 7, 7, (3, 3), (1, 1), (3, 3, 3, 3)),
    ("3x3-1x1-out", 9, 3, 3, 3, 3, (1, 1), (1, 1), (0, 0, 0, 0)),
    ("3x3-wide", 3, 4, 150, 3, 3, (1, 1), (1, 1), (1, 1, 1, 1)),
    # The kernels' other paths: horizontal stride + dilation past 5, stride
    # 4, the largest kernel, rows past one column chunk, dilation 32.
    ("3x3-s3-d3", 4, 17, 29, 3, 3, (3, 3), (3, 3), (2, 2, 2, 2)),
    ("5x5-s4-d2", 3, 23, 41, 5, 5, (4, 4), (2, 2), (3, 1, 0, 4)),
    ("8x8-s1", 2, 15, 19, 8, 8, (1, 1), (1, 1), (3, 4, 4, 3)),
    ("3x3-ow300", 2, 3, 300, 3, 3, (1, 1), (1, 1), (1, 1, 1, 1)),
    ("8x8-d32", 2, 230, 231, 8, 8, (1, 1), (32, 32), (1, 2, 1, 0)),
]


def fixed_point(real):
    mantissa, exponent = math.frexp(real)
    mult = int(math.floor(math.ldexp(mantissa, 31) + 0.5))  # llround
    if mult == 1 << 31:
        mult //= 2
        exponent += 1
    return mult, 31 - exponent


def qtype(scale, zp):
    return "!quant.uniform<i8:f32, %r:%d>" % (scale, zp)


def tensor(dims, elem):
    return "tensor<%s>" % "x".join([str(d) for d in dims] + [elem])


def dense(values):
    return "dense<%s>" % np.array2string(
        values, separator=", ", threshold=1 << 30, max_line_width=1 << 30)


def make_case(rng, i, case):
    name, c, h, w, kh, kw, stride, dil, pads = case
    eh, ew = (kh - 1) * dil[0] + 1, (kw - 1) * dil[1] + 1
    oh = (h + pads[0] + pads[2] - eh) // stride[0] + 1
    ow = (w + pads[1] + pads[3] - ew) // stride[1] + 1
    sx = 2.0 ** -int(rng.integers(4, 8))
    zx = int(rng.integers(-128, 128))
    xq = rng.integers(-128, 128, (1, c, h, w))
    if i == 0:  # extremes: every input at -128 and weights at +-127
        xq[:] = -128
    sw = rng.uniform(0.002, 0.02, c)
    wq = rng.integers(-127, 128, (c, 1, kh, kw)).astype(np.int8)
    if i == 0:
        wq[:] = np.where(rng.random(wq.shape) < 0.5, -127, 127)
    bias = rng.integers(-3000, 3001, c).astype(np.int32)
    sy = float(sx * sw.mean() * kh * kw * 60 * rng.uniform(0.1, 1.0))
    zy = int(rng.integers(-128, 128))
    qmin = zy if i % 3 == 1 else -128  # a fused ReLU's grid now and then

    # numpy: int32 sums over the zero-point-padded input, then QuantMath.
    padded = np.full((1, c, h + pads[0] + pads[2], w + pads[1] + pads[3]),
                     zx, np.int64)
    padded[:, :, pads[0]:pads[0] + h, pads[1]:pads[1] + w] = xq
    acc = np.zeros((1, c, oh, ow), np.int64) + bias[None, :, None, None]
    for y in range(kh):
        for x in range(kw):
            rows = padded[:, :, y * dil[0]:y * dil[0] + (oh - 1) * stride[0] + 1:stride[0],
                          x * dil[1]:x * dil[1] + (ow - 1) * stride[1] + 1:stride[1]]
            acc += (rows - zx) * wq[None, :, 0, y, x, None, None]
    expected = np.empty(acc.shape, np.int64)
    for ch in range(c):
        m, s = fixed_point(sx * float(sw[ch]) / sy)
        v = (acc[:, ch] * m + (1 << (s - 1))) >> s
        expected[:, ch] = np.clip(v + zy, qmin, 127)
    # The dcast'ed output: (q - zp) * s in f32.
    expected_f = ((expected - zy).astype(np.float32) * np.float32(sy))

    tin = tensor([1, c, h, w], qtype(sx, zx))
    tw = tensor([c, 1, kh, kw], "!quant.uniform<i8<-127:127>:f32:0, {%s}>"
                % ",".join(repr(float(v)) for v in sw))
    tb = tensor([c], "!quant.uniform<i32:f32:0, {%s}>"
                % ",".join(repr(sx * float(v)) for v in sw))
    grid = ("!quant.uniform<i8<%d:127>:f32, %r:%d>" % (qmin, sy, zy)
            if qmin != -128 else qtype(sy, zy))
    tout = tensor([1, c, oh, ow], grid)
    lines = [
        "  %%x%d = quant.qcast %%a%d : %s to %s" % (i, i, tensor([1, c, h, w], "f32"), tin),
        "  %%w%d = qnt.constant %s : %s" % (i, dense(wq), tensor([c, 1, kh, kw], "i8")),
        "  %%wq%d = quant.scast %%w%d : %s to %s" % (i, i, tensor([c, 1, kh, kw], "i8"), tw),
        "  %%b%d = qnt.constant %s : %s" % (i, dense(bias), tensor([c], "i32")),
        "  %%bq%d = quant.scast %%b%d : %s to %s" % (i, i, tensor([c], "i32"), tb),
        "  %%y%d = qnt.conv %%x%d, %%wq%d, %%bq%d {dilations = array<i64: %d, %d>, "
        "group = %d : i64, pads = array<i64: %s>, strides = array<i64: %d, %d>} : "
        "(%s, %s, %s) -> %s" % (i, i, i, i, dil[0], dil[1], c,
                                ", ".join(map(str, pads)), stride[0], stride[1],
                                tin, tw, tb, tout),
        "  %%d%d = quant.dcast %%y%d : %s to %s" % (i, i, tout, tensor([1, c, oh, ow], "f32")),
    ]
    data = ((xq - zx) * sx).astype(np.float32)
    return lines, data, expected_f, (name, [1, c, h, w], [1, c, oh, ow])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-run", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--kernels", default="generic,avx2,avxvnni,avx512vnni")
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    os.makedirs(args.work, exist_ok=True)
    body, ins, outs, inputs, expected, names = [], [], [], [], [], []
    for i, case in enumerate(CASES):
        lines, data, want, info = make_case(rng, i, case)
        body += lines
        ins.append("%%a%d: %s" % (i, tensor(info[1], "f32")))
        outs.append(tensor(info[2], "f32"))
        inputs.append(data)
        expected.append(want)
        names.append(info)
    text = ["func.func @main(%s) -> (%s) {" % (", ".join(ins), ", ".join(outs))]
    text += body
    text += ["  return %s : %s" % (", ".join("%%d%d" % i for i in range(len(CASES))),
                                   ", ".join(outs)), "}"]
    path = os.path.join(args.work, "depthwise.mlir")
    with open(path, "w") as f:
        f.write("\n".join(text) + "\n")
    cmd_inputs = []
    for i, data in enumerate(inputs):
        npy = os.path.join(args.work, "in%d.npy" % i)
        np.save(npy, data)
        cmd_inputs += ["--input", "input%d=%s" % (i, npy)]
    variants = [("reference", ["--int8-kernels", "reference", "--vector-width", "0"])]
    variants += [(k, ["--int8-kernels", k])
                 for k in args.kernels.split(",") if k and cpu_has(k)]
    failed = False
    for variant, flags in variants:
        out_dir = os.path.join(args.work, variant)
        subprocess.run([args.quant_run, path, "--output-dir", out_dir]
                       + cmd_inputs + flags, check=True, stdout=subprocess.DEVNULL)
        for i, (name, ishape, oshape) in enumerate(names):
            got = np.load(os.path.join(out_dir, "output%d.npy" % i))
            bad = int((got != expected[i]).sum())
            status = "ok" if bad == 0 else "FAIL (%d of %d differ)" % (bad, got.size)
            failed |= bad != 0
            print("%s %s: %s -> %s, %d distinct values, %s" % (
                variant, name, "x".join(map(str, ishape)), "x".join(map(str, oshape)),
                len(np.unique(got)), status))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
