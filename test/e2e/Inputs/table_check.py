"""qnt-int8-tables against the float path and numpy.

    table_check.py --quant-run BIN --quant-opt BIN --work DIR

For each chain f (hard_swish, hard_sigmoid, sigmoid, tanh, gelu, clamp,
and PaddleOCR's decomposed hardswish after a per-tensor affine,
(a*x + b) * clip(a*x + b + 3, 0, 6) / 6) writes two modules over one int8
input covering all 256 values, both qcast -> dcast -> f -> qcast -> dcast (and the same for a batch norm
exported as a per-channel Mul and Add before that hardswish, with the
channels on axis 1 of [1, 4, 16, 16] and on the last axis of
[1, 256, 4]: one table per channel):
in the first, f ends with an add of a full-shape zero constant, which
qnt-int8-tables does not take (the float path; x + 0 is x for every
value that can quantize differently); the second becomes a table (x and
the result pass through int8 reshapes, so that quant-run's qnt-fuse-qdq
leaves the casts alone; quant-opt checks that only the second module
takes a table). Both run
through quant-run; their outputs must be bit-identical, and numpy's
quantize(f(dequantize(q))) in float64 may differ from them by at most one
step (f32 against float64 evaluation of f, near rounding ties). Prints one
line per chain; FAIL on a difference.
"""

import math
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jit_case import work_args  # noqa: E402

# op, attributes, numpy f, input grid (scale, zp), output grid (scale, zp)
OPS = [
    ("hard_swish", "", lambda x: x * np.clip(x / 6 + 0.5, 0, 1), (0.05, -3), (0.0375, -118)),
    ("hard_sigmoid", " {alpha = 0.2 : f32, beta = 0.5 : f32}",
     lambda x: np.clip(0.2 * x + 0.5, 0, 1), (0.04, 10), (1 / 255, -128)),
    ("sigmoid", "", lambda x: 1 / (1 + np.exp(-x)), (0.06, 0), (1 / 255, -128)),
    ("tanh", "", np.tanh, (0.02, -7), (2 / 255, 0)),
    ("gelu", "", lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2))),
     (0.05, 0), (0.03, -100)),
    ("clamp", " {max = 1.5 : f32, min = -0.5 : f32}", lambda x: np.clip(x, -0.5, 1.5),
     (0.02, 0), (2 / 255, -64)),
    ("paddle_hardswish", None,
     lambda x: (0.75 * x - 0.25) * np.clip(0.75 * x - 0.25 + 3, 0, 6) / 6,
     (0.05, -3), (0.03, -118)),
]

# The decomposed hardswish of paddle2onnx models after a per-tensor affine.
PADDLE = """  %%ca = qnt.constant dense<0.75> : tensor<1xf32>
  %%cb = qnt.constant dense<-0.25> : tensor<1xf32>
  %%c3 = qnt.constant dense<3.0> : tensor<f32>
  %%c6 = qnt.constant dense<6.0> : tensor<f32>
  %%m = qnt.mul %%xf, %%ca : (%(t)s, tensor<1xf32>) -> %(t)s
  %%v = qnt.add %%m, %%cb : (%(t)s, tensor<1xf32>) -> %(t)s
  %%s = qnt.add %%v, %%c3 : (%(t)s, tensor<f32>) -> %(t)s
  %%c = qnt.clamp %%s {max = 6.0 : f32, min = 0.0 : f32} : (%(t)s) -> %(t)s
  %%p = qnt.mul %%v, %%c : (%(t)s, %(t)s) -> %(t)s
  %%y = qnt.div %%p, %%c6 : (%(t)s, tensor<f32>) -> %(t)s"""


# The per-channel affine (a batch norm exported by paddle2onnx) and the
# decomposed hardswish after it; %(c)s is the constants' shape.
PADDLE_BN = """  %%ca = qnt.constant dense<%(a)s> : %(c)s
  %%cb = qnt.constant dense<%(b)s> : %(c)s
  %%c3 = qnt.constant dense<3.0> : tensor<f32>
  %%c6 = qnt.constant dense<6.0> : tensor<f32>
  %%m = qnt.mul %%xf, %%ca : (%(t)s, %(c)s) -> %(t)s
  %%v = qnt.add %%m, %%cb : (%(t)s, %(c)s) -> %(t)s
  %%s = qnt.add %%v, %%c3 : (%(t)s, tensor<f32>) -> %(t)s
  %%cl = qnt.clamp %%s {max = 6.0 : f32, min = 0.0 : f32} : (%(t)s) -> %(t)s
  %%p = qnt.mul %%v, %%cl : (%(t)s, %(t)s) -> %(t)s
  %%y = qnt.div %%p, %%c6 : (%(t)s, tensor<f32>) -> %(t)s"""
BN_A = [0.75, -0.5, 1.25, 0.3]
BN_B = [-0.25, 0.4, 0.0, 1.1]


def check_per_channel(args, name, channels_last):
    """One table per channel: the input holds every code once per channel
    ([4, 256], or [256, 4] with the channels last), reshaped in the module
    to [1, 4, 16, 16] (constants [1, 4, 1, 1]) or [1, 256, 4] (constants
    [4]). Returns whether it failed."""
    gin, gout = (0.05, -3), (0.03, -118)
    sin, zin = float(np.float32(gin[0])), gin[1]
    sout, zout = float(np.float32(gout[0])), gout[1]
    q = np.tile(np.arange(-128, 128), (4, 1))  # [4, 256]
    if channels_last:
        q = q.T.copy()
    data = ((q - zin) * np.float32(sin)).astype(np.float32)
    npy = os.path.join(args.work, name + ".npy")
    np.save(npy, data)
    flat = "x".join(map(str, data.shape))
    shaped = "1x256x4" if channels_last else "1x4x16x16"
    cshape = "tensor<4xf32>" if channels_last else "tensor<1x4x1x1xf32>"
    fl, sq = "tensor<%sxf32>" % flat, "tensor<%sxf32>" % shaped

    def q_t(grid, dims):
        return "tensor<%sx%s>" % (dims, qtype(grid))

    def dense(values):
        text = "[%s]" % ", ".join(repr(v) for v in values)
        return text if channels_last else "[[[[%s]]]]" % "]], [[".join(
            repr(v) for v in values)

    body = PADDLE_BN % {"t": sq, "c": cshape, "a": dense(BN_A), "b": dense(BN_B)}

    def module(tail, result):
        return "\n".join([
            "func.func @main(%%a: %s) -> %s {" % (fl, fl),
            "  %%x0 = quant.qcast %%a : %s to %s" % (fl, q_t(gin, flat)),
            "  %%x = qnt.reshape %%x0 : (%s) -> %s" % (q_t(gin, flat), q_t(gin, shaped)),
            "  %%xf = quant.dcast %%x : %s to %s" % (q_t(gin, shaped), sq),
            body] + tail + [
            "  %%yq = quant.qcast %%%s : %s to %s" % (result, sq, q_t(gout, shaped)),
            "  %%y1 = qnt.reshape %%yq : (%s) -> %s" % (q_t(gout, shaped), q_t(gout, flat)),
            "  %%d = quant.dcast %%y1 : %s to %s" % (q_t(gout, flat), fl),
            "  return %%d : %s" % fl, "}"])
    float_path = module([
        "  %%z = qnt.constant dense<0.0> : %s" % sq,
        "  %%r = qnt.add %%y, %%z : (%s, %s) -> %s" % (sq, sq, sq)], "r")
    outs, failed = [], False
    for kind, text in [("float", float_path), ("table", module([], "y"))]:
        path = os.path.join(args.work, "%s-%s.mlir" % (name, kind))
        with open(path, "w") as fh:
            fh.write(text + "\n")
        out_dir = os.path.join(args.work, "%s-%s" % (name, kind))
        subprocess.run([args.quant_run, path, "--input", "input0=" + npy,
                        "--output-dir", out_dir], check=True, stdout=subprocess.DEVNULL)
        outs.append(np.load(os.path.join(out_dir, "output0.npy")))
        ir = subprocess.run([args.quant_opt, path, "--qnt-fuse-qdq", "--qnt-int8-tables"],
                            check=True, stdout=subprocess.PIPE, text=True).stdout
        if ("tensor.extract" in ir) != (kind == "table"):
            print("%s: the %s module %s a table FAIL" % (
                name, kind, "took" if kind == "float" else "did not take"))
            failed = True
    a = np.array(BN_A).reshape((1, 4) if channels_last else (4, 1))
    b = np.array(BN_B).reshape(a.shape)
    v = a * ((q - zin) * sin) + b
    ref = np.clip(np.round(v * np.clip(v + 3, 0, 6) / 6 / sout) + zout, -128, 127)
    got = np.round(outs[1] / np.float32(sout)).astype(np.int64) + zout
    steps = int(np.abs(got - ref).max())
    same = outs[0].tobytes() == outs[1].tobytes()
    ok = same and steps <= 1
    print("%s: table %s the float path, %d distinct values, max %d step(s) "
          "from numpy%s" % (name, "equals" if same else "DIFFERS FROM",
                            len(np.unique(got)), steps, "" if ok else " FAIL"))
    return failed or not ok


def qtype(grid):
    return "!quant.uniform<i8:f32, %r:%d>" % (float(np.float32(grid[0])), grid[1])


def main():
    args = work_args(quant_opt=True)
    q = np.arange(-128, 128)
    failed = False
    for name, attrs, f, gin, gout in OPS:
        sin, zin = float(np.float32(gin[0])), gin[1]
        sout, zout = float(np.float32(gout[0])), gout[1]
        data = ((q - zin) * np.float32(sin)).astype(np.float32).reshape(1, 256)
        npy = os.path.join(args.work, name + ".npy")
        np.save(npy, data)
        t = "tensor<1x256x%s>"
        fl = "tensor<1x256xf32>"
        tin, tout = t % qtype(gin), t % qtype(gout)
        if attrs is None:
            body = PADDLE % {"t": fl}
        else:
            body = "  %%y = qnt.%s %%xf%s : (%s) -> %s" % (name, attrs, fl, fl)

        # x and the result are int8 values of other int8 ops (reshapes),
        # not bare qcast -> dcast pairs, which quant-run's qnt-fuse-qdq
        # would turn into fake_quant (a QDQ model's float rounding).
        sq = "tensor<16x16xf32>"
        body2 = body.replace(fl, sq)

        def module(tail, result):
            return "\n".join([
                "func.func @main(%%a: %s) -> %s {" % (fl, fl),
                "  %%x0 = quant.qcast %%a : %s to %s" % (fl, tin),
                "  %%x = qnt.reshape %%x0 : (%s) -> %s" % (tin, tin.replace("1x256", "16x16")),
                "  %%xf = quant.dcast %%x : %s to %s" % (tin.replace("1x256", "16x16"), sq),
                body2] + tail + [
                "  %%yq = quant.qcast %%%s : %s to %s" % (result, sq, tout.replace("1x256", "16x16")),
                "  %%y1 = qnt.reshape %%yq : (%s) -> %s" % (tout.replace("1x256", "16x16"), tout),
                "  %%d = quant.dcast %%y1 : %s to %s" % (tout, fl),
                "  return %%d : %s" % fl, "}"])
        float_path = module([
            "  %%z = qnt.constant dense<0.0> : %s" % sq,
            "  %%r = qnt.add %%y, %%z : (%s, %s) -> %s" % (sq, sq, sq)], "r")
        table = module([], "y")
        outs = []
        for kind, text in [("float", float_path), ("table", table)]:
            path = os.path.join(args.work, "%s-%s.mlir" % (name, kind))
            with open(path, "w") as fh:
                fh.write(text + "\n")
            out_dir = os.path.join(args.work, "%s-%s" % (name, kind))
            subprocess.run([args.quant_run, path, "--input", "input0=" + npy,
                            "--output-dir", out_dir], check=True,
                           stdout=subprocess.DEVNULL)
            outs.append(np.load(os.path.join(out_dir, "output0.npy")))
            # The table module must take the table, the float one not.
            ir = subprocess.run([args.quant_opt, path, "--qnt-fuse-qdq",
                                 "--qnt-int8-tables"], check=True,
                                stdout=subprocess.PIPE, text=True).stdout
            if ("tensor.extract" in ir) != (kind == "table"):
                print("%s: the %s module %s a table FAIL" % (
                    name, kind, "took" if kind == "float" else "did not take"))
                failed = True
        # numpy in float64: quantize(f(dequantize(q))).
        ref = np.clip(np.round(f((q - zin) * sin) / sout) + zout, -128, 127)
        got = np.round(outs[1] / np.float32(sout)).astype(np.int64).ravel() + zout
        steps = int(np.abs(got - ref).max())
        same = outs[0].tobytes() == outs[1].tobytes()
        ok = same and steps <= 1
        failed |= not ok
        print("%s: table %s the float path, %d distinct values, max %d step(s) "
              "from numpy%s" % (name, "equals" if same else "DIFFERS FROM",
                                len(np.unique(got)), steps, "" if ok else " FAIL"))
    failed |= check_per_channel(args, "paddle_bn_hardswish", channels_last=False)
    failed |= check_per_channel(args, "paddle_bn_hardswish_channels_last", channels_last=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
