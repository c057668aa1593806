"""int8 ConvTranspose (windows that tile the output) against its expansion.

    conv_transpose_int8_check.py --quant-run BIN --quant-opt BIN --work DIR

qnt-quantize writes a conv_transpose whose strides equal its kernel (no
pads, read by a layer) as a 1x1 conv of M*kh*kw channels and a
depth-to-space, so the conv is int8 and the rearrangement follows its
grid. For each case this writes two calibrated float modules (ranges from
numpy): A with the qnt.conv_transpose (optional bias, optional ReLU) and a
1x1 conv reading it; B with the same thing expanded by hand (the 1x1 conv,
ReLU, reshape / transpose / reshape). Both go through quant-opt
--qnt-quantize; A must have no conv_transpose left and an int8 transpose,
and quant-run must give A and B bit-identical outputs, within 30 dB SQNR
of the float model (numpy). Prints one line per case; FAIL on a failure.
"""

import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conv_transpose_check import reference  # noqa: E402
from jit_case import work_args  # noqa: E402

# name, x shape (N, C, H, W), M, kernel (kh, kw), bias, relu
CASES = [
    ("2x2-bias-relu", (1, 5, 6, 7), 3, (2, 2), True, True),
    ("3x2-no-bias", (2, 4, 5, 3), 2, (3, 2), False, False),
    ("2x2-one-channel-relu", (1, 6, 4, 4), 1, (2, 2), True, True),
]


def dense(a):
    return "dense<%s>" % np.array2string(
        a.astype(np.float32), separator=", ", threshold=1 << 30,
        max_line_width=1 << 30, floatmode="unique")


def t(shape):
    return "tensor<%sxf32>" % "x".join(map(str, shape))


def rng_attr(a):
    return "qnt.range = #qnt.range<%r, %r>" % (float(a.min()), float(a.max()))


def main():
    args = work_args(quant_opt=True)
    rng = np.random.default_rng(3)
    failed = False
    for name, xs, m, (kh, kw), has_bias, relu in CASES:
        n, c, h, w_ = xs
        x = rng.normal(0, 1, xs).astype(np.float32)
        w = rng.normal(0, 0.5, (c, m, kh, kw)).astype(np.float32)
        b = rng.normal(0, 0.5, m).astype(np.float32) if has_bias else None
        w2 = rng.normal(0, 0.5, (4, m, 1, 1)).astype(np.float32)
        y = reference(x, w, b, [kh, kw], [0, 0, 0, 0], [1, 1], 1, [0, 0])
        r = np.maximum(y, 0) if relu else y
        z = np.einsum("nmhw,om->nohw", r.astype(np.float64), w2[:, :, 0, 0]).astype(np.float32)
        ys, zs = y.shape, z.shape
        # The hand-expanded form: 1x1 conv of M*kh*kw channels.
        w1 = w.transpose(1, 2, 3, 0).reshape(m * kh * kw, c, 1, 1)
        b1 = np.repeat(b, kh * kw) if has_bias else None
        conv_shape = (n, m * kh * kw, h, w_)
        rr = r if relu else y
        attrs = ("dilations = array<i64: 1, 1>, group = 1 : i64, "
                 "pads = array<i64: 0, 0, 0, 0>")
        head = "func.func @main(%%x: %s {%s}) -> %s {" % (t(xs), rng_attr(x), t(zs))
        tail = [
            "  %%w2 = qnt.constant %s : %s" % (dense(w2), t(w2.shape)),
            "  %%z = qnt.conv %%r, %%w2 {%s, %s, strides = array<i64: 1, 1>} : (%s, %s) -> %s"
            % (attrs, rng_attr(z), t(ys), t(w2.shape), t(zs)),
            "  return %%z : %s" % t(zs), "}"]
        bias_a = ", %b" if has_bias else ""
        a = [head, "  %%w = qnt.constant %s : %s" % (dense(w), t(w.shape))]
        if has_bias:
            a.append("  %%b = qnt.constant %s : %s" % (dense(b), t(b.shape)))
        a.append("  %%y = qnt.conv_transpose %%x, %%w%s {%s, output_padding = array<i64: 0, 0>, "
                 "%s, strides = array<i64: %d, %d>} : (%s, %s%s) -> %s"
                 % (bias_a, attrs, rng_attr(y), kh, kw, t(xs), t(w.shape),
                    ", " + t(b.shape) if has_bias else "", t(ys)))
        if relu:
            a.append("  %%r = qnt.relu %%y {%s} : (%s) -> %s" % (rng_attr(rr), t(ys), t(ys)))
        else:
            a = [line.replace("%y = ", "%r = ") for line in a]
        bm = [head, "  %%w = qnt.constant %s : %s" % (dense(w1), t(w1.shape))]
        if has_bias:
            bm.append("  %%b = qnt.constant %s : %s" % (dense(b1), t(b1.shape)))
        bm.append("  %%c = qnt.conv %%x, %%w%s {%s, %s, strides = array<i64: 1, 1>} : (%s, %s%s) -> %s"
                  % (bias_a, attrs, rng_attr(y), t(xs), t(w1.shape),
                     ", " + t(b1.shape) if has_bias else "", t(conv_shape)))
        src = "%c"
        if relu:
            bm.append("  %%cr = qnt.relu %%c {%s} : (%s) -> %s" % (rng_attr(rr), t(conv_shape), t(conv_shape)))
            src = "%cr"
        split, moved = (n, m, kh, kw, h, w_), (n, m, h, kh, w_, kw)
        bm += ["  %%s = qnt.reshape %s {%s} : (%s) -> %s" % (src, rng_attr(rr), t(conv_shape), t(split)),
               "  %%p = qnt.transpose %%s {perm = array<i64: 0, 1, 4, 2, 5, 3>, %s} : (%s) -> %s"
               % (rng_attr(rr), t(split), t(moved)),
               "  %%r = qnt.reshape %%p {%s} : (%s) -> %s" % (rng_attr(rr), t(moved), t(ys))]
        npy = os.path.join(args.work, name + ".npy")
        np.save(npy, x)
        outs = []
        for kind, lines in [("transposed", a + tail), ("expanded", bm + tail)]:
            src_path = os.path.join(args.work, "%s-%s.mlir" % (name, kind))
            with open(src_path, "w") as f:
                f.write("\n".join(lines) + "\n")
            q_path = src_path.replace(".mlir", ".q.mlir")
            ir = subprocess.run([args.quant_opt, src_path, "--qnt-quantize", "-o", q_path],
                                check=True)
            text = open(q_path).read()
            if kind == "transposed" and ("qnt.conv_transpose" in text or
                                         not any("qnt.transpose" in l and "!quant.uniform" in l
                                                 for l in text.splitlines())):
                print("%s: the conv_transpose was not made int8 FAIL" % name)
                failed = True
            out_dir = os.path.join(args.work, "%s-%s" % (name, kind))
            subprocess.run([args.quant_run, q_path, "--input", "input0=" + npy,
                            "--output-dir", out_dir], check=True, stdout=subprocess.DEVNULL)
            outs.append(np.load(os.path.join(out_dir, "output0.npy")))
        same = outs[0].tobytes() == outs[1].tobytes()
        err = outs[0].astype(np.float64) - z
        sqnr = 10 * np.log10((z.astype(np.float64) ** 2).sum() / max((err ** 2).sum(), 1e-30))
        ok = same and sqnr >= 30
        failed |= not ok
        print("%s: %s -> %s, int8 %s the expansion, SQNR %.1f dB against float%s" % (
            name, "x".join(map(str, xs)), "x".join(map(str, ys)),
            "equals" if same else "DIFFERS FROM", sqnr, "" if ok else " FAIL"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
