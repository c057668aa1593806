"""Random int8 add, sub, mul, mean, resize and concat against numpy.

    int8_elementwise_check.py --quant-run BIN --work DIR
        [--modules 12] [--aarch64 QUANT_COMPILE --qemu "qemu-aarch64-static -L DIR"]

Writes modules of independent int8 ops between the ones a layer leaves
(docs/Numerics.md, "Int8 element-wise ops"), each on random per-tensor
grids between quant.qcast and quant.dcast: qnt.add and qnt.sub (operand
and output scales up to 2^9 apart, broadcasting), qnt.mul (same shapes,
or a [N, C, 1, 1] gate), qnt.global_average_pool (spatial sizes up to
300x300), nearest qnt.resize (every coordinate transformation and
rounding, repeating and non-integer scales) and qnt.concat on one grid,
some operands requantized to it first (quant.qcast(quant.dcast(x)), a
256-entry table from qnt-int8-tables on tensors of 256 elements or more).
Output grids span about each result's range (0.5 to 1.5 times: some
results saturate); inputs reach past their grids (the qcast saturates).

The expected values are this file's own implementation of the integer
rules, written from docs/Numerics.md: QuantMath's fixed-point multiplier
and requantization, the shared-shift sum, the float quantize of a
requantized operand, ONNX's nearest index. Each module runs through
quant-run's JIT twice, as plain loops (--vector-width 0) and vectorized;
with --aarch64, instead as an AArch64 executable (quant-compile
--target=aarch64 --mcpu=neoverse-v1) run under --qemu. Every output must
equal numpy's bit for bit. Prints one summary line per op kind; FAIL
(exit 1) on the first difference.
"""

import argparse
import math
import os
import subprocess
import sys

import numpy as np


TRANSFORMS = ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
              "align_corners", "asymmetric"]
ROUNDINGS = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]


def qtype(scale, zp):
    return "!quant.uniform<i8:f32, %r:%d>" % (scale, zp)


def tensor(dims, elem):
    return "tensor<%s>" % "x".join([str(d) for d in dims] + [elem])


def f32(v):
    return float(np.float32(v))


# --- QuantMath, from its specification -----------------------------------

def quantize(x, scale, zp):
    """ONNX QuantizeLinear in f32: saturate(rint(x / scale) + zp)."""
    q = np.rint(np.float32(x) / np.float32(scale)).astype(np.int64) + zp
    return np.clip(q, -128, 127)


def dequantize(q, scale, zp):
    return (np.asarray(q, np.int64) - zp).astype(np.float32) * np.float32(scale)


def llround(x):
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def to_fixed_point(real):
    mantissa, exponent = math.frexp(real)
    multiplier = llround(math.ldexp(mantissa, 31))
    if multiplier == 1 << 31:
        multiplier //= 2
        exponent += 1
    shift = 31 - exponent
    assert 1 <= shift <= 62, real
    return multiplier, shift


def requantize(acc, fixed, zp):
    m, shift = fixed
    v = (np.asarray(acc, np.int64) * m + (1 << (shift - 1))) >> shift
    return np.clip(v + zp, -128, 127)


def sum_multipliers(ra, rb, subtract):
    larger = max(ra, rb)
    shift = 31
    while shift >= 1 and llround(math.ldexp(larger, shift)) >= 1 << 21:
        shift -= 1
    assert shift >= 1 and llround(math.ldexp(larger, shift)) >= 1 << 20
    a, b = llround(math.ldexp(ra, shift)), llround(math.ldexp(rb, shift))
    return a, -b if subtract else b, shift


def nearest_index(o, n_in, n_out, scale, transform, rounding):
    """ONNX Resize's nearest source index (coordinates in f64)."""
    centered = (o + 0.5) / scale - 0.5
    x = {"half_pixel": centered,
         "half_pixel_symmetric": centered + n_in / 2.0 * (1.0 - n_out / (scale * n_in)),
         "pytorch_half_pixel": centered if n_out > 1 else 0.0,
         "align_corners": o * ((n_in - 1) / (n_out - 1)) if n_out > 1 else 0.0,
         "asymmetric": o / scale}[transform]
    r = {"round_prefer_floor": math.ceil(x - 0.5),
         "round_prefer_ceil": math.floor(x + 0.5),
         "floor": math.floor(x), "ceil": math.ceil(x)}[rounding]
    return min(max(int(r), 0), n_in - 1)


# --- Ops ----------------------------------------------------------------

def grid(rng):
    return f32(rng.uniform(0.005, 0.2)), int(rng.integers(-128, 128))


def input_data(rng, dims, scale, zp):
    """f32 values at grid points, some past both ends."""
    q = rng.integers(-140, 141, dims)
    return ((q - zp) * np.float64(scale)).astype(np.float32)


def output_grid(rng, real):
    """A grid spanning about `real`'s range, as calibration would give."""
    lo, hi = min(float(real.min()), 0.0), max(float(real.max()), 0.0)
    scale = f32(max(hi - lo, 1e-3) / 255 * rng.uniform(0.5, 1.5))
    zp = int(np.clip(round(-128 - lo / scale), -128, 127))
    return scale, zp


class Op:
    """One op: MLIR lines reading f32 arguments, their data, the expected
    f32 output."""

    def __init__(self, i):
        self.i, self.args, self.data, self.lines = i, [], [], []

    def operand(self, rng, dims, scale=None, zp=None):
        """A quantized operand from a new f32 argument; (name, q, s, z)."""
        if scale is None:
            scale, zp = grid(rng)
        k = len(self.args)
        name = "%%a%d_%d" % (self.i, k)
        x = input_data(rng, dims, scale, zp)
        self.args.append("%s: %s" % (name, tensor(dims, "f32")))
        self.data.append(x)
        qname = "%%q%d_%d" % (self.i, k)
        self.lines.append("  %s = quant.qcast %s : %s to %s" % (
            qname, name, tensor(dims, "f32"), tensor(dims, qtype(scale, zp))))
        return qname, quantize(x, scale, zp), scale, zp

    def finish(self, result, dims, scale, zp, q):
        self.out_type = tensor(dims, "f32")
        self.lines.append("  %%d%d = quant.dcast %s : %s to %s" % (
            self.i, result, tensor(dims, qtype(scale, zp)), self.out_type))
        self.expected = dequantize(q, scale, zp)


def binary_op(rng, i, kind):
    op = Op(i)
    rank = int(rng.integers(1, 5))
    dims = [int(rng.integers(1, 9)) for _ in range(rank)]
    if rng.random() < 0.2:
        dims[-1] = int(rng.integers(100, 400))
    other = list(dims)
    if kind == "mul" and rank == 4 and rng.random() < 0.5:
        other = [dims[0], dims[1], 1, 1]  # a squeeze-excitation gate
    elif rng.random() < 0.3:
        other = [1 if rng.random() < 0.5 else d for d in dims]
        if rng.random() < 0.5:
            other = other[int(rng.integers(0, rank)):]  # fewer dims
    sa, za = grid(rng)
    sb, zb = grid(rng)
    if kind != "mul" and rng.random() < 0.3:
        sb = f32(sa * 2.0 ** rng.uniform(-9, 9))  # far-apart grids
    na, qa, _, _ = op.operand(rng, dims, sa, za)
    nb, qb, _, _ = op.operand(rng, other, sb, zb)
    da, db = qa - za, qb - zb
    real = {"add": sa * da + sb * db, "sub": sa * da - sb * db,
            "mul": sa * sb * da * db}[kind]
    so, zo = output_grid(rng, real)
    if kind == "mul":
        q = requantize(da * db, to_fixed_point(sa * sb / so), zo)
    else:
        a, b, shift = sum_multipliers(sa / so, sb / so, kind == "sub")
        v = da * a + db * b + (1 << (shift - 1))
        assert np.abs(v).max() < 2 ** 31
        q = np.clip((v >> shift) + zo, -128, 127)
    out_dims = list(np.broadcast_shapes(tuple(dims), tuple(other)))
    op.lines.append("  %%y%d = qnt.%s %s, %s : (%s, %s) -> %s" % (
        i, kind, na, nb, tensor(dims, qtype(sa, za)),
        tensor(other, qtype(sb, zb)), tensor(out_dims, qtype(so, zo))))
    op.finish("%%y%d" % i, out_dims, so, zo, q)
    return op


def mean_op(rng, i):
    op = Op(i)
    n, c = int(rng.integers(1, 3)), int(rng.integers(1, 9))
    spatial = [int(rng.integers(1, 40)) for _ in range(int(rng.integers(1, 3)))]
    if rng.random() < 0.1:
        spatial = [300, 300]
    dims = [n, c] + spatial
    name, q, s, z = op.operand(rng, dims)
    axes = tuple(range(2, len(dims)))
    count = int(np.prod(spatial))
    real = s * (q - z).mean(axis=axes, keepdims=True)
    # The mean's range is its input's (qnt-propagate-ranges forwards it),
    # or a grid of its own.
    so, zo = (s, z) if rng.random() < 0.5 else output_grid(rng, real)
    acc = q.sum(axis=axes, keepdims=True) - count * z
    expected = requantize(acc, to_fixed_point(s / (so * count)), zo)
    out_dims = [n, c] + [1] * len(spatial)
    op.lines.append("  %%y%d = qnt.global_average_pool %s : (%s) -> %s" % (
        i, name, tensor(dims, qtype(s, z)), tensor(out_dims, qtype(so, zo))))
    op.finish("%%y%d" % i, out_dims, so, zo, expected)
    return op


def resize_op(rng, i):
    op = Op(i)
    dims = [1, int(rng.integers(1, 5)), int(rng.integers(1, 12)),
            int(rng.integers(1, 12))]
    scales = [1.0, 1.0] + [float(rng.choice([2.0, 3.0, 0.5, 1.5, 4.0]))
                           for _ in range(2)]
    out_dims = dims[:2] + [max(1, int(math.floor(d * s)))
                           for d, s in zip(dims[2:], scales[2:])]
    transform = str(rng.choice(TRANSFORMS))
    rounding = str(rng.choice(ROUNDINGS))
    name, q, s, z = op.operand(rng, dims)
    index = [[nearest_index(o, dims[d], out_dims[d], f32(scales[d]), transform,
                            rounding) for o in range(out_dims[d])]
             for d in (2, 3)]
    expected = q[:, :, index[0], :][:, :, :, index[1]]
    op.lines.append(
        "  %%y%d = qnt.resize %s {coordinate_transform = #qnt.coordinate_transform<%s>, "
        "mode = #qnt.resize_mode<nearest>, nearest_mode = #qnt.nearest_mode<%s>, "
        "scales = array<f32: %s>} : (%s) -> %s" % (
            i, name, transform, rounding, ", ".join(repr(v) for v in scales),
            tensor(dims, qtype(s, z)), tensor(out_dims, qtype(s, z))))
    op.finish("%%y%d" % i, out_dims, s, z, expected)
    return op


def concat_op(rng, i):
    """Operands on the concat's grid, or requantized to it from their own
    (qcast(dcast(x)): a table on 256 elements or more)."""
    op = Op(i)
    rank = int(rng.integers(1, 5))
    axis = int(rng.integers(0, rank))
    base = [int(rng.integers(1, 6)) for _ in range(rank)]
    if rng.random() < 0.5:
        base[-1] = int(rng.integers(60, 200))
    so, zo = grid(rng)
    names, values, types = [], [], []
    for k in range(int(rng.integers(2, 5))):
        dims = list(base)
        dims[axis] = int(rng.integers(1, 5))
        if rng.random() < 0.5:
            name, q, _, _ = op.operand(rng, dims, so, zo)
        else:
            s, z = grid(rng)
            inner, q, _, _ = op.operand(rng, dims, s, z)
            f = "%%f%d_%d" % (i, k)
            name = "%%r%d_%d" % (i, k)
            op.lines += [
                "  %s = quant.dcast %s : %s to %s" % (
                    f, inner, tensor(dims, qtype(s, z)), tensor(dims, "f32")),
                "  %s = quant.qcast %s : %s to %s" % (
                    name, f, tensor(dims, "f32"), tensor(dims, qtype(so, zo)))]
            q = quantize(dequantize(q, s, z), so, zo)
        names.append(name)
        values.append(q)
        types.append(tensor(dims, qtype(so, zo)))
    expected = np.concatenate(values, axis=axis)
    out_dims = list(expected.shape)
    op.lines.append("  %%y%d = qnt.concat %s {axis = %d : i64} : (%s) -> %s" % (
        i, ", ".join(names), axis, ", ".join(types), tensor(out_dims, qtype(so, zo))))
    op.finish("%%y%d" % i, out_dims, so, zo, expected)
    return op


KINDS = ["add", "sub", "mul", "mean", "resize", "concat"]


def make_op(rng, i, kind):
    if kind in ("add", "sub", "mul"):
        return binary_op(rng, i, kind)
    return {"mean": mean_op, "resize": resize_op, "concat": concat_op}[kind](rng, i)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quant-run", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--modules", type=int, default=12)
    ap.add_argument("--aarch64", metavar="QUANT_COMPILE")
    ap.add_argument("--qemu", default="qemu-aarch64-static")
    ap_args = ap.parse_args()
    os.makedirs(ap_args.work, exist_ok=True)
    modules = ap_args.modules
    if ap_args.aarch64:
        variants = [("aarch64", None)]
    else:
        variants = [("loops", ["--vector-width", "0"]), ("vectorized", [])]
    ops_per_module = 12
    rng = np.random.default_rng(1)
    counts = {k: 0 for k in KINDS}
    distinct = {k: [] for k in KINDS}
    for mod in range(modules):
        ops = []
        for i in range(ops_per_module):
            kind = KINDS[(mod * ops_per_module + i) % len(KINDS)]
            ops.append((kind, make_op(rng, i, kind)))
        args = [a for _, op in ops for a in op.args]
        data = [d for _, op in ops for d in op.data]
        text = ["func.func @main(%s) -> (%s) {" % (
            ", ".join(args), ", ".join(op.out_type for _, op in ops))]
        for _, op in ops:
            text += op.lines
        text += ["  return %s : %s" % (
            ", ".join("%%d%d" % op.i for _, op in ops),
            ", ".join(op.out_type for _, op in ops)), "}"]
        path = os.path.join(ap_args.work, "m%03d.mlir" % mod)
        with open(path, "w") as f:
            f.write("\n".join(text) + "\n")
        inputs = []
        for k, d in enumerate(data):
            npy = os.path.join(ap_args.work, "m%03d_in%d.npy" % (mod, k))
            np.save(npy, d)
            inputs += ["--input", "input%d=%s" % (k, npy)]
        for variant, flags in variants:
            out_dir = os.path.join(ap_args.work, "m%03d_%s" % (mod, variant))
            if flags is None:
                exe = out_dir + ".exe"
                result = subprocess.run(
                    [ap_args.aarch64, path, "--target=aarch64",
                     "--mcpu=neoverse-v1", "--emit=exe", "-o", exe],
                    capture_output=True, text=True)
                if result.returncode == 0:
                    result = subprocess.run(
                        ap_args.qemu.split() + [exe, "--output-dir", out_dir]
                        + inputs, capture_output=True, text=True)
            else:
                result = subprocess.run([ap_args.quant_run, path,
                                         "--output-dir", out_dir] + inputs +
                                        flags, capture_output=True, text=True)
            if result.returncode != 0:
                print("FAIL: %s (%s): %s" % (path, variant, result.stderr.strip()))
                sys.exit(1)
            for kind, op in ops:
                got = np.load(os.path.join(out_dir, "output%d.npy" % op.i))
                if got.shape != op.expected.shape or \
                        got.tobytes() != op.expected.tobytes():
                    bad = int((got != op.expected).sum()) if \
                        got.shape == op.expected.shape else -1
                    print("FAIL: %s op %d (%s, %s): %d of %d values differ "
                          "from numpy" % (path, op.i, kind, variant, bad,
                                          op.expected.size))
                    sys.exit(1)
        for kind, op in ops:
            counts[kind] += 1
            distinct[kind].append(len(np.unique(op.expected)))
    for kind in KINDS:
        print("%s: %d ops bit-identical to numpy (%s), "
              "distinct output values per op: median %d, max %d" % (
                  kind, counts[kind], " and ".join(v for v, _ in variants),
                  int(np.median(distinct[kind])),
                  max(distinct[kind])))


if __name__ == "__main__":
    main()
