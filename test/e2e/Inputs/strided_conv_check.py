"""Strided convs with one output row or column, JIT-compiled by quant-run at
vector widths 0 (the scalar reference loops), 8 and 16, against numpy.

    strided_conv_check.py --quant-run BIN --work DIR

Each case is one qnt.conv module; its output at every width must be within
1e-5 (relative to the largest output) of a float64 numpy convolution, and
the vectorized widths must agree with the scalar loops to the same bound.
Such convs crashed quant-opt in upstream's expand-strided-metadata (an
im2col tap that drops some of several unit dims with a stride, see
test/Target/Cpu/strided-unit-dim-slices.mlir). One line per case; exit 1 on
any failure.
"""

import os
import subprocess
import sys

import numpy as np

from jit_case import work_args

# (name, x shape, w shape, strides, pads [begin..., end...], dilations)
CASES = [
    ("conv1d-k1-s2-one-column", (1, 32, 2), (32, 32, 1), (2,), (0, 0), (1,)),
    ("conv1d-k3-s2-one-column", (1, 16, 5), (8, 16, 3), (2,), (0, 0), (1,)),
    ("conv2d-s2-one-column", (1, 8, 3, 2), (4, 8, 1, 1), (2, 2), (0,) * 4, (1, 1)),
    ("conv2d-3x3-s2-1x1-out", (1, 8, 3, 3), (4, 8, 3, 3), (2, 2), (0,) * 4, (1, 1)),
    ("conv2d-batch2-one-column", (2, 8, 5, 2), (4, 8, 3, 1), (2, 2), (0,) * 4, (1, 1)),
    ("conv2d-one-row", (1, 8, 2, 9), (4, 8, 1, 3), (2, 2), (0,) * 4, (1, 1)),
    ("conv2d-column-s3", (1, 4, 9, 1), (4, 4, 3, 1), (3, 1), (0,) * 4, (1, 1)),
    ("conv2d-dilated-1x1-out", (1, 4, 5, 5), (6, 4, 3, 3), (1, 1), (0,) * 4, (2, 2)),
]


def tensor(shape):
    return "tensor<%sxf32>" % "x".join(map(str, shape))


def array(values):
    return "array<i64: %s>" % ", ".join(map(str, values))


def out_shape(xs, ws, strides, pads, dilations):
    n = len(xs) - 2
    return (xs[0], ws[0]) + tuple(
        (xs[2 + i] + pads[i] + pads[i + n] - dilations[i] * (ws[2 + i] - 1) - 1)
        // strides[i] + 1 for i in range(n))


def reference(x, w, b, strides, pads, dilations):
    """Group-1 convolution in float64, 1-D as 2-D with a unit height."""
    if x.ndim == 3:
        x, w = x[:, :, None, :], w[:, :, None, :]
        strides, dilations = (1,) + tuple(strides), (1,) + tuple(dilations)
        pads = (0, pads[0], 0, pads[1])
        return reference(x, w, b, strides, pads, dilations)[:, :, 0, :]
    x = np.pad(x.astype(np.float64),
               ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    n, _, h, wd = x.shape
    f, _, kh, kw = w.shape
    oh = (h - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (wd - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    y = np.zeros((n, f, oh, ow)) + b.astype(np.float64)[None, :, None, None]
    for i in range(kh):
        for j in range(kw):
            tap = x[:, :, i * dilations[0]:i * dilations[0] + strides[0] * (oh - 1) + 1:strides[0],
                    j * dilations[1]:j * dilations[1] + strides[1] * (ow - 1) + 1:strides[1]]
            y += np.einsum("nchw,fc->nfhw", tap, w[:, :, i, j].astype(np.float64))
    return y


def main():
    args = work_args(__doc__)
    rng = np.random.default_rng(21)
    failed = 0
    for name, xs, ws, strides, pads, dilations in CASES:
        ys = out_shape(xs, ws, strides, pads, dilations)
        bs = (ws[0],)
        model = os.path.join(args.work, name + ".mlir")
        with open(model, "w") as f:
            f.write(
                "func.func @main(%%x: %s, %%w: %s, %%b: %s) -> %s {\n"
                "  %%y = qnt.conv %%x, %%w, %%b {dilations = %s, group = 1 : i64, "
                "pads = %s, strides = %s} : (%s, %s, %s) -> %s\n"
                "  return %%y : %s\n}\n" %
                (tensor(xs), tensor(ws), tensor(bs), tensor(ys), array(dilations),
                 array(pads), array(strides), tensor(xs), tensor(ws), tensor(bs),
                 tensor(ys), tensor(ys)))
        inputs = {"input0": rng.standard_normal(xs).astype(np.float32),
                  "input1": rng.standard_normal(ws).astype(np.float32),
                  "input2": rng.standard_normal(bs).astype(np.float32)}
        cmd = [args.quant_run, model]
        for key, value in inputs.items():
            path = os.path.join(args.work, "%s.%s.npy" % (name, key))
            np.save(path, value)
            cmd += ["--input", "%s=%s" % (key, path)]
        want = reference(inputs["input0"], inputs["input1"], inputs["input2"],
                         strides, pads, dilations)
        scale = max(float(np.abs(want).max()), 1.0)
        errors, outputs = [], {}
        for width in (0, 8, 16):
            out = os.path.join(args.work, "%s.w%d" % (name, width))
            result = subprocess.run(cmd + ["--vector-width", str(width),
                                           "--output-dir", out],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                errors.append("width %d: quant-run failed (exit %d): %s" % (
                    width, result.returncode,
                    result.stderr.strip().splitlines()[:1]))
                continue
            y = np.load(os.path.join(out, "output0.npy"))
            outputs[width] = y
            if y.shape != ys or np.abs(y - want).max() > 1e-5 * scale:
                errors.append("width %d: off numpy by %g" % (
                    width, float(np.abs(y - want).max())))
        for width in (8, 16):
            if 0 in outputs and width in outputs and \
                    np.abs(outputs[width] - outputs[0]).max() > 1e-5 * scale:
                errors.append("width %d: off the scalar loops" % width)
        print("%s: %s -> %s %s" % (name, "x".join(map(str, xs)),
                                   "x".join(map(str, ys)),
                                   "FAIL " + "; ".join(errors) if errors else "ok"))
        failed += bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
