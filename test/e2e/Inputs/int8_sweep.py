"""Random int8 conv and gemm ops: optimized builds against the reference.

    int8_sweep.py --quant-run BIN --work DIR [--modules 50] [--ops 20]
                  [--products 4] [--seed 1]
                  [--kernels generic,avx2,avxvnni,avx512vnni]
                  [--aarch64 QUANT_COMPILE --qemu "qemu-aarch64-static -L DIR"]

Writes modules of independent quantized ops (2-D convs, one in three
depthwise, with random channels, odd spatial sizes, kernels, strides, pads,
dilations; gemms with random M, K, N and
trans_b; one op in six an int4 gemm, see int4_op), each between quant.qcast
and quant.dcast (an int4 gemm's result is f32 already), with random input
scales and zero points, per-channel weight scales, int8 weights, int32
biases and output scales chosen so that some results saturate. Inputs
reach past the representable range (qcast saturation). Each module runs
through quant-run's JIT with the reference lowering as plain loops
(--int8-kernels=reference --vector-width 0), with the reference lowering
vectorized (--int8-kernels=reference), and with the microkernels of each
instruction set in --kernels (those this CPU lacks are skipped); every
output must be bit-identical to the plain loops. With --aarch64, the
variants are instead AArch64 executables (quant-compile --target=aarch64
--mcpu=neoverse-v1 with the generic, dotprod and i8mm kernels, and the
reference lowering vectorized) run under --qemu. One op in eight is large
(more channels, batch 2, panels of several tiles) and one in forty is a
gemm whose K (up to 66000) brings the int32 accumulator within 1% of
2^31 (inputs and weights at the ends of their grids). Each module also
has --products static int8 products of two activations (product_op:
attention's Q K^T and P V, qnt.matmul of two per-tensor int8 operands,
ranks 2 to 4, decode-shaped single rows, the rhs transposed before or
after its qcast, K up to the exact int32 bound), drawn from a generator
of their own so the other ops stay those of earlier sweeps. Prints one
summary line; exits 1 on the first difference.
"""

import argparse
import os
import subprocess
import sys

import numpy as np


def qtype(scale, zp):
    return "!quant.uniform<i8:f32, %r:%d>" % (scale, zp)


def wtype(scales, axis):
    return "!quant.uniform<i8<-127:127>:f32:%d, {%s}>" % (
        axis, ",".join(repr(s) for s in scales))


def btype(scales):
    return "!quant.uniform<i32:f32:0, {%s}>" % ",".join(repr(s) for s in scales)


def dense(values):
    return "dense<%s>" % np.array2string(
        values, separator=", ", threshold=1 << 30, max_line_width=1 << 30)


def shape(dims, elem):
    return "tensor<%s>" % "x".join([str(d) for d in dims] + [elem])


def make_op(rng, i):
    """(mlir lines, input shape, output shape, input type)."""
    sx, zx = float(rng.uniform(0.005, 0.05)), int(rng.integers(-128, 128))
    if rng.random() < 1 / 6:
        return int4_op(rng, i, sx, zx)
    kind = rng.random()
    if kind < 0.025:
        # Near the accumulator bound: every product is 255 * 127 (input at
        # 127 with zero point -128, weight 127): K * 32385 + bias < 2^31.
        return bound_op(rng, i, sx)
    large = kind > 0.875
    batch = 2 if large and rng.random() < 0.5 else 1
    if rng.random() < 0.5:
        c, m = int(rng.integers(1, 9)), int(rng.integers(1, 18))
        if large:
            c, m = int(rng.integers(8, 41)), int(rng.integers(9, 41))
        kh, kw = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        pads = [int(v) for v in rng.integers(0, 3, 4)]
        # One conv in four is dilated (by 2 in either dim).
        dil = [int(v) for v in rng.integers(1, 3, 2)] if rng.random() < 0.25 else [1, 1]
        eh, ew = (kh - 1) * dil[0] + 1, (kw - 1) * dil[1] + 1
        top = 31 if large else 13
        h = int(rng.integers(max(1, eh - pads[0] - pads[2]), top + eh - kh))
        w = int(rng.integers(max(1, ew - pads[1] - pads[3]), top + ew - kw))
        stride = [int(v) for v in rng.integers(1, 4, 2)]
        # One conv in twenty has short rows up to 500 wide: strided ones
        # then take the kernels' stride-phase layout (rows of >= 4 tiles).
        if rng.random() < 0.05:
            h = int(rng.integers(max(1, eh - pads[0] - pads[2]), eh + 3))
            w = int(rng.integers(200, 501))
        oh = (h + pads[0] + pads[2] - eh) // stride[0] + 1
        ow = (w + pads[1] + pads[3] - ew) // stride[1] + 1
        # One conv in three is depthwise (group = channels = c).
        group = 1
        if rng.random() < 1 / 3:
            m = group = c
        in_shape, out_shape = [batch, c, h, w], [batch, m, oh, ow]
        w_shape, axis = [m, c // group, kh, kw], 0
        k = c // group * kh * kw
        channels = m
    else:
        mm, k, n = int(rng.integers(1, 10)), int(rng.integers(1, 301)), int(rng.integers(1, 34))
        if large:
            mm, n = int(rng.integers(9, 40)), int(rng.integers(40, 150))
        trans = bool(rng.random() < 0.5)
        in_shape, out_shape = [mm, k], [mm, n]
        w_shape, axis = ([n, k], 0) if trans else ([k, n], 1)
        channels = n
    sw = rng.uniform(0.002, 0.02, channels)
    wq = rng.integers(-127, 128, w_shape).astype(np.int8)
    # Output scale: around the accumulator's typical magnitude, sometimes
    # small enough to saturate.
    sy = float(sx * sw.mean() * np.sqrt(k) * 40 * rng.uniform(0.05, 2.0))
    zy = int(rng.integers(-128, 128))
    has_bias = rng.random() < 0.7
    b = rng.integers(-5000, 5001, channels).astype(np.int32)
    tin, tout = shape(in_shape, qtype(sx, zx)), shape(out_shape, qtype(sy, zy))
    tw = shape(w_shape, wtype(sw, axis))
    lines = [
        "  %%x%d = quant.qcast %%a%d : %s to %s" % (i, i, shape(in_shape, "f32"), tin),
        "  %%w%d = qnt.constant %s : %s" % (i, dense(wq), shape(w_shape, "i8")),
        "  %%wq%d = quant.scast %%w%d : %s to %s" % (i, i, shape(w_shape, "i8"), tw),
    ]
    operands, types = ["%%x%d" % i, "%%wq%d" % i], [tin, tw]
    if has_bias:
        tb = shape([channels], btype(sx * sw))
        lines += ["  %%b%d = qnt.constant %s : %s" % (i, dense(b), shape([channels], "i32")),
                  "  %%bq%d = quant.scast %%b%d : %s to %s" % (i, i, shape([channels], "i32"), tb)]
        operands.append("%%bq%d" % i)
        types.append(tb)
    if len(in_shape) == 4:
        attrs = ("{dilations = array<i64: %s>, group = %d : i64, pads = array<i64: %s>, "
                 "strides = array<i64: %s>}" % (", ".join(map(str, dil)), group,
                                                 ", ".join(map(str, pads)),
                                                 ", ".join(map(str, stride))))
        name = "qnt.conv"
    else:
        attrs = "{trans_b = %s}" % ("true" if trans else "false")
        name = "qnt.gemm"
    lines += ["  %%y%d = %s %s %s : (%s) -> %s" % (i, name, ", ".join(operands), attrs,
                                                  ", ".join(types), tout),
              "  %%d%d = quant.dcast %%y%d : %s to %s" % (i, i, tout, shape(out_shape, "f32"))]
    # Inputs cover the grid and a little past both ends.
    data = (sx * (rng.integers(-140, 141, in_shape) - zx)).astype(np.float32)
    return lines, in_shape, out_shape, data


def int4_op(rng, i, sx, zx):
    """An int4 gemm (docs/Numerics.md, "int4 weights"): int8 input, i4
    weights in [-8, 7] with one scale per output channel and group of
    `g` k's, an optional f32 bias, an f32 result. Group sizes from 4 to
    128; one in six has one group of any K (not always whole k-quads: the
    W4A8 GEMM leaves those to the reference loops)."""
    large = rng.random() < 0.125
    mm, n = int(rng.integers(1, 10)), int(rng.integers(1, 41))
    if large:
        mm, n = int(rng.integers(9, 40)), int(rng.integers(40, 150))
    if rng.random() < 1 / 6:
        k = g = int(rng.integers(1, 301))
    else:
        g = int(rng.choice([4, 8, 16, 32, 64, 128]))
        k = g * int(rng.integers(1, 7))
    trans = bool(rng.random() < 0.5)
    in_shape, out_shape = [mm, k], [mm, n]
    w_shape = [n, k] if trans else [k, n]
    blocks = "{0:1, 1:%d}" % g if trans else "{0:%d, 1:1}" % g
    sw = rng.uniform(0.002, 0.02, (n, k // g))
    scales = sw if trans else sw.T
    wq = rng.integers(-8, 8, w_shape).astype(np.int8)
    tin = shape(in_shape, qtype(sx, zx))
    tw = shape(w_shape, "!quant.uniform<i4:f32:%s, {%s}>" % (
        blocks, ", ".join("{%s}" % ", ".join(repr(float(v)) for v in row)
                          for row in scales)))
    lines = [
        "  %%x%d = quant.qcast %%a%d : %s to %s" % (i, i, shape(in_shape, "f32"), tin),
        "  %%w%d = qnt.constant %s : %s" % (i, dense(wq), shape(w_shape, "i4")),
        "  %%wq%d = quant.scast %%w%d : %s to %s" % (i, i, shape(w_shape, "i4"), tw),
    ]
    operands, types = ["%%x%d" % i, "%%wq%d" % i], [tin, tw]
    if rng.random() < 0.7:
        b = rng.normal(0, 1, n).astype(np.float32)
        lines.append("  %%b%d = qnt.constant %s : %s" % (i, dense(b), shape([n], "f32")))
        operands.append("%%b%d" % i)
        types.append(shape([n], "f32"))
    lines.append("  %%d%d = qnt.gemm %s {trans_b = %s} : (%s) -> %s" % (
        i, ", ".join(operands), "true" if trans else "false", ", ".join(types),
        shape(out_shape, "f32")))
    data = (sx * (rng.integers(-140, 141, in_shape) - zx)).astype(np.float32)
    return lines, in_shape, out_shape, data


def bound_op(rng, i, sx):
    k = int(rng.integers(60000, 66001))
    n = int(rng.integers(1, 5))
    in_shape, out_shape, w_shape = [1, k], [1, n], [n, k]
    sw = np.full(n, 0.01)
    wq = np.full(w_shape, 127, np.int8)
    b = np.full(n, 1000, np.int32)
    acc = k * 255 * 127 + 1000
    assert acc < 2**31
    sy = float(sx * 0.01 * acc / 100)  # about 100 on the output grid
    tin, tout = shape(in_shape, qtype(sx, -128)), shape(out_shape, qtype(sy, -128))
    tw, tb = shape(w_shape, wtype(sw, 0)), shape([n], btype(sx * sw))
    lines = [
        "  %%x%d = quant.qcast %%a%d : %s to %s" % (i, i, shape(in_shape, "f32"), tin),
        "  %%w%d = qnt.constant dense<127> : %s" % (i, shape(w_shape, "i8")),
        "  %%wq%d = quant.scast %%w%d : %s to %s" % (i, i, shape(w_shape, "i8"), tw),
        "  %%b%d = qnt.constant dense<1000> : %s" % (i, shape([n], "i32")),
        "  %%bq%d = quant.scast %%b%d : %s to %s" % (i, i, shape([n], "i32"), tb),
        "  %%y%d = qnt.gemm %%x%d, %%wq%d, %%bq%d {trans_b = true} : (%s, %s, %s) -> %s"
        % (i, i, i, i, tin, tw, tb, tout),
        "  %%d%d = quant.dcast %%y%d : %s to %s" % (i, i, tout, shape(out_shape, "f32")),
    ]
    data = np.full(in_shape, sx * 255, np.float32)  # quantizes to 127
    return lines, in_shape, out_shape, data


def product_op(rng, i):
    """A static int8 product of two activations: (mlir lines, [lhs shape,
    rhs shape], output shape, [lhs data, rhs data]). The rhs is [..., K, N]
    as given, or the transpose of a [..., N, K] input, taken on the float
    value before quant.qcast or on the int8 value after it (the kernels
    read the untransposed tensor)."""
    rank = int(rng.integers(2, 5))
    batch = [int(rng.integers(1, 4)) for _ in range(rank - 2)]
    m = 1 if rng.random() < 0.4 else int(rng.integers(1, 21))
    k, n = int(rng.integers(1, 301)), int(rng.integers(1, 71))
    if rng.random() < 0.1:
        n = int(rng.integers(200, 301))  # past a 256-column block
    sa, sb = float(rng.uniform(0.005, 0.05)), float(rng.uniform(0.005, 0.05))
    za, zb = int(rng.integers(-128, 128)), int(rng.integers(-128, 128))
    bound = rng.random() < 0.025
    if bound:
        # Every product (-128 - 127) * (127 + 128): K * 255^2 < 2^31.
        batch, m, n = [1] * (rank - 2), 1, int(rng.integers(1, 4))
        k = int(rng.integers(30000, 2147483647 // (255 * 255) + 1))
        za, zb = 127, -128
    layout = ["kn", "float-transposed", "int8-transposed"][int(rng.integers(0, 3))]
    a_shape, kn_shape = batch + [m, k], batch + [k, n]
    nk_shape = batch + [n, k]
    out_shape = batch + [m, n]
    if bound:
        aq = np.full(a_shape, -128)
        bq = np.full(kn_shape, 127)
    else:
        # Grid values a little past both ends (qcast saturates them).
        aq = rng.integers(-140, 141, a_shape)
        bq = rng.integers(-140, 141, kn_shape)
    # The output grid spans about the sums' range (times 0.5 to 1.5: some
    # clipping at times), as a calibrated range would.
    acc = np.matmul(np.clip(aq, -128, 127) - za, np.clip(bq, -128, 127) - zb)
    lo, hi = min(int(acc.min()), 0), max(int(acc.max()), 0)
    unit = max(hi - lo, 1) / 255 * rng.uniform(0.5, 1.5)
    sy = float(sa * sb * unit)
    zy = int(np.clip(round(-128 - lo / unit), -128, 127))
    ta, tb = shape(a_shape, qtype(sa, za)), shape(kn_shape, qtype(sb, zb))
    tbt = shape(nk_shape, qtype(sb, zb))
    ty = shape(out_shape, qtype(sy, zy))
    perm = "array<i64: %s>" % ", ".join(
        str(d) for d in list(range(rank - 2)) + [rank - 1, rank - 2])
    lines = ["  %%x%d = quant.qcast %%a%d : %s to %s" % (i, i, shape(a_shape, "f32"), ta)]
    if layout == "kn":
        b_shape = kn_shape
        lines.append("  %%q%d = quant.qcast %%p%d : %s to %s" % (i, i, shape(b_shape, "f32"), tb))
    elif layout == "float-transposed":
        b_shape = nk_shape
        lines += ["  %%t%d = qnt.transpose %%p%d {perm = %s} : (%s) -> %s" % (
                      i, i, perm, shape(nk_shape, "f32"), shape(kn_shape, "f32")),
                  "  %%q%d = quant.qcast %%t%d : %s to %s" % (i, i, shape(kn_shape, "f32"), tb)]
    else:
        b_shape = nk_shape
        lines += ["  %%u%d = quant.qcast %%p%d : %s to %s" % (i, i, shape(nk_shape, "f32"), tbt),
                  "  %%q%d = qnt.transpose %%u%d {perm = %s} : (%s) -> %s" % (
                      i, i, perm, tbt, tb)]
    lines += ["  %%y%d = qnt.matmul %%x%d, %%q%d : (%s, %s) -> %s" % (i, i, i, ta, tb, ty),
              "  %%d%d = quant.dcast %%y%d : %s to %s" % (i, i, ty, shape(out_shape, "f32"))]
    a = (sa * (aq - za)).astype(np.float32)
    b = (sb * (bq - zb)).astype(np.float32)
    if layout != "kn":
        b = np.ascontiguousarray(np.swapaxes(b, -1, -2))
    return lines, [a_shape, b_shape], out_shape, [a, b]


def cpu_has(isa):
    flags = open("/proc/cpuinfo").read().split()
    need = {"generic": [], "avx2": ["avx2", "fma"], "avxvnni": ["avx_vnni", "avx2"],
            "avx512vnni": ["avx512_vnni", "avx512bw", "avx512dq", "avx512vl"]}
    return all(f in flags for f in need[isa])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-run", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--modules", type=int, default=50)
    ap.add_argument("--ops", type=int, default=20)
    ap.add_argument("--products", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kernels", default="generic,avx2,avxvnni,avx512vnni")
    ap.add_argument("--aarch64", metavar="QUANT_COMPILE")
    ap.add_argument("--qemu", default="qemu-aarch64-static")
    args = ap.parse_args()
    variants = [("reference", ["--int8-kernels", "reference", "--vector-width", "0"])]
    if args.aarch64:
        variants += [("aarch64-" + k, ["--int8-kernels", k])
                     for k in ["reference", "generic", "dotprod", "i8mm"]]
    else:
        kernels = [k for k in args.kernels.split(",") if k and cpu_has(k)]
        variants.append(("vectorized", ["--int8-kernels", "reference"]))
        variants += [(k, ["--int8-kernels", k]) for k in kernels]
    rng = np.random.default_rng(args.seed)
    products_rng = np.random.default_rng([args.seed, 2])
    os.makedirs(args.work, exist_ok=True)
    checked = int4 = products = 0
    distinct = []
    count = args.ops + args.products
    for mod in range(args.modules):
        body, ins, outs, inputs = [], [], [], []
        for i in range(count):
            if i < args.ops:
                lines, in_shape, out_shape, data = make_op(rng, i)
                in_shapes, datas = [in_shape], [data]
            else:
                lines, in_shapes, out_shape, datas = product_op(products_rng, i)
                products += 1
            int4 += any("xi4>" in line for line in lines)
            body += lines
            for name, dims in zip(["a", "p"], in_shapes):
                ins.append("%%%s%d: %s" % (name, i, shape(dims, "f32")))
            outs.append(shape(out_shape, "f32"))
            inputs += datas
        text = ["func.func @main(%s) -> (%s) {" % (", ".join(ins), ", ".join(outs))]
        text += body
        text += ["  return %s : %s" % (", ".join("%%d%d" % i for i in range(count)),
                                       ", ".join(outs)), "}"]
        path = os.path.join(args.work, "m%03d.mlir" % mod)
        with open(path, "w") as f:
            f.write("\n".join(text) + "\n")
        cmd_inputs = []
        for i, data in enumerate(inputs):
            npy = os.path.join(args.work, "m%03d_in%d.npy" % (mod, i))
            np.save(npy, data)
            cmd_inputs += ["--input", "input%d=%s" % (i, npy)]
        # Two compilations at a time (the JIT dominates the run time).
        out_dirs = [os.path.join(args.work, "m%03d_%s" % (mod, name))
                    for name, _ in variants]
        cmds = []
        for out_dir, (name, flags) in zip(out_dirs, variants):
            if name.startswith("aarch64-"):
                exe = out_dir + ".exe"
                cmds.append([args.aarch64, path, "--target=aarch64",
                             "--mcpu=neoverse-v1", "--emit=exe", "-o", exe] + flags)
                cmds.append(args.qemu.split() + [exe, "--output-dir", out_dir]
                            + cmd_inputs)
            else:
                cmds.append([args.quant_run, path, "--output-dir", out_dir]
                            + cmd_inputs + flags)
        # Two at a time (the JIT dominates the run time); an AArch64
        # executable runs after its compilation.
        ordered = ([c for c in cmds if c[0] != args.qemu.split()[0]],
                   [c for c in cmds if c[0] == args.qemu.split()[0]])
        for batch in ordered:
            for start in range(0, len(batch), 2):
                running = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
                           for cmd in batch[start:start + 2]]
                for proc, cmd in zip(running, batch[start:start + 2]):
                    if proc.wait() != 0:
                        print("FAILED: %s" % " ".join(cmd))
                        sys.exit(1)
        results = [[np.load(os.path.join(out_dir, "output%d.npy" % i))
                    for i in range(count)] for out_dir in out_dirs]
        for i in range(count):
            ref = results[0][i]
            for (name, _), result in zip(variants[1:], results[1:]):
                if result[i].tobytes() != ref.tobytes():
                    print("MISMATCH: %s op %d, %s (%d of %d values differ)" % (
                        path, i, name, int((result[i] != ref).sum()), ref.size))
                    sys.exit(1)
            checked += 1
            distinct.append(len(np.unique(ref)))
    # Outputs that took many grid values show the test is not all clamps.
    print("int8 sweep: %d ops (%d int4 gemms, %d products of two activations) "
          "in %d modules bit-identical to the reference loops: %s; distinct "
          "output values per op: median %d, max %d" % (
              checked, int4, products, args.modules,
                      ", ".join(n for n, _ in variants[1:]),
                      int(np.median(distinct)), max(distinct)))


if __name__ == "__main__":
    main()
