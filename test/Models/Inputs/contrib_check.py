"""ONNX Runtime's com.microsoft ops through quant, against ONNX Runtime.

    contrib_check.py --quant-run BIN --ort-run "CMD" --work DIR

Builds small models with the contrib ops ONNX Runtime's own tools write
(MatMulNBits, its 4-bit LLM weight format; QLinearAdd, QLinearMul and
QLinearGlobalAveragePool from its QOperator quantization), runs each with
quant's JIT and with ONNX Runtime (utils/ort-run.js, the same command line)
and compares:

- MatMulNBits (float output): max |quant - ORT| relative to max |ORT|;
  both dequantize W = (q - zp) * scale in float32 and differ only in the
  order of the dot products' additions, so it must be below 1e-5.
- the QLinear ops (uint8 output): the largest difference in units of the
  output grid (LSB). quant computes dq -> float op -> q (round half to
  even); ONNX Runtime's integer kernels round their fixed-point or
  float-rescaled sums their own way, so 1 LSB is allowed, no more.

Prints one line per case; exit 1 on any failure.
"""

import argparse
import os
import shlex
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(work, name, nodes, inputs, outputs, inits):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              initializer=[numpy_helper.from_array(v, k)
                                           for k, v in inits])
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    path = os.path.join(work, name + ".onnx")
    onnx.save(model, path)
    return path


def run(cmd, model, inputs, out_dir):
    argv = list(cmd) + [model, "--output-dir", out_dir]
    for key, value in inputs.items():
        path = os.path.join(os.path.dirname(out_dir), "%s.npy" % key)
        np.save(path, value)
        argv += ["--input", "%s=%s" % (key, path)]
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        print("  %s failed: %s" % (argv[0], result.stderr.strip()[-400:]))
        return None
    return np.load(os.path.join(out_dir, "y.npy"))


def pack(values, bits):
    """Rows of `bits`-bit unsigned integers, packed low bits first."""
    per_byte = 8 // bits
    rows, n = values.shape
    padded = np.zeros((rows, -(-n // per_byte) * per_byte), np.uint8)
    padded[:, :n] = values
    out = np.zeros((rows, padded.shape[1] // per_byte), np.uint8)
    for i in range(per_byte):
        out |= (padded[:, i::per_byte] << (i * bits)).astype(np.uint8)
    return out


def matmul_nbits(work, name, rng, k, n, block, a_shape, zero_points, bias):
    blocks = -(-k // block)
    q = rng.integers(0, 16, size=(n, blocks * block), dtype=np.uint8)
    b = pack(q, 4).reshape(n, blocks, block // 2)
    scales = (rng.random(n * blocks).astype(np.float32) + 0.5) * 0.05
    inputs = ["a", "b", "s"]
    inits = [("b", b), ("s", scales)]
    if zero_points is not None:
        inputs.append("z")
        inits.append(("z", zero_points(rng, n, blocks)))
    if bias:
        inputs += ["", "bias"]
        inits.append(("bias", rng.standard_normal(n).astype(np.float32)))
    node = helper.make_node("MatMulNBits", inputs, ["y"], domain="com.microsoft",
                            K=k, N=n, bits=4, block_size=block)
    path = save(work, name, [node],
                [helper.make_tensor_value_info("a", TensorProto.FLOAT, a_shape)],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                               a_shape[:-1] + [n])], inits)
    return path, {"a": rng.standard_normal(a_shape).astype(np.float32)}


def qlinear_graph(work, name, rng, op, shape_a, shape_b):
    """x, y f32 -> QuantizeLinear (uint8) -> op -> DequantizeLinear."""
    grids = [("sa", 0.04, "za", 120), ("sb", 0.03, "zb", 131),
             ("sc", 0.05 if op != "QLinearMul" else 0.02, "zc", 125)]
    inits = []
    for s, sv, z, zv in grids:
        inits += [(s, np.array(sv, np.float32)), (z, np.array(zv, np.uint8))]
    nodes = [helper.make_node("QuantizeLinear", ["x", "sa", "za"], ["xq"]),
             helper.make_node("QuantizeLinear", ["w", "sb", "zb"], ["wq"]),
             helper.make_node(op, ["xq", "sa", "za", "wq", "sb", "zb", "sc",
                                   "zc"], ["yq"],
                              domain="com.microsoft"),
             helper.make_node("DequantizeLinear", ["yq", "sc", "zc"], ["y"])]
    out_shape = list(np.broadcast_shapes(tuple(shape_a), tuple(shape_b)))
    path = save(work, name, nodes,
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape_a),
                 helper.make_tensor_value_info("w", TensorProto.FLOAT, shape_b)],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)],
                inits)
    inputs = {"x": (rng.standard_normal(shape_a) * 2).astype(np.float32),
              "w": (rng.standard_normal(shape_b) * 2).astype(np.float32)}
    return path, inputs, 0.05 if op != "QLinearMul" else 0.02


def qlinear_gap(work, name, rng, shape):
    inits = [("sx", np.array(0.03, np.float32)), ("zx", np.array(128, np.uint8)),
             ("sy", np.array(0.01, np.float32)), ("zy", np.array(100, np.uint8))]
    nodes = [helper.make_node("QuantizeLinear", ["x", "sx", "zx"], ["xq"]),
             helper.make_node("QLinearGlobalAveragePool",
                              ["xq", "sx", "zx", "sy", "zy"], ["yq"],
                              domain="com.microsoft"),
             helper.make_node("DequantizeLinear", ["yq", "sy", "zy"], ["y"])]
    path = save(work, name, nodes,
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                               shape[:2] + [1, 1])], inits)
    return path, {"x": (rng.standard_normal(shape) + 0.3).astype(np.float32)}, 0.01


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-run", required=True)
    ap.add_argument("--ort-run", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    quant_cmd, ort_cmd = [args.quant_run], shlex.split(args.ort_run)
    rng = np.random.default_rng(20261208)
    status = 0

    def compare(name, path, inputs, lsb=None):
        case = os.path.join(args.work, name)
        os.makedirs(case, exist_ok=True)
        want = run(ort_cmd, path, inputs, os.path.join(case, "ort"))
        got = run(quant_cmd, path, inputs, os.path.join(case, "quant"))
        if want is None or got is None or want.shape != got.shape:
            print("%s: FAIL (no output or shapes differ)" % name)
            return 1
        diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
        if lsb is None:
            rel = diff.max() / max(np.abs(want).max(), 1e-30)
            ok = rel < 1e-5
            print("%s: max |quant - ORT| / max |ORT| = %.1e, %s" % (
                name, rel, "ok" if ok else "FAIL"))
        else:
            worst = int(np.round(diff.max() / lsb))
            ok = worst <= 1
            print("%s: max difference %d LSB (%d of %d outputs differ), %s" % (
                name, worst, int((diff > lsb / 2).sum()), diff.size,
                "ok" if ok else "FAIL"))
        return 0 if ok else 1

    def packed_zero_points(rng, n, blocks):
        return pack(rng.integers(0, 16, size=(n, blocks), dtype=np.uint8), 4)

    def float_zero_points(rng, n, blocks):
        return rng.integers(0, 16, size=n * blocks).astype(np.float32)

    for name, k, n, block, shape, zp, bias in [
            ("matmulnbits_k256_b32_zp_bias", 256, 64, 32, [1, 5, 256],
             packed_zero_points, True),
            ("matmulnbits_k200_b64_default_zp", 200, 48, 64, [3, 200], None,
             False),
            ("matmulnbits_k256_b128_float_zp", 256, 32, 128, [2, 256],
             float_zero_points, False)]:
        path, inputs = matmul_nbits(args.work, name, rng, k, n, block, shape,
                                    zp, bias)
        status |= compare(name, path, inputs)

    for name, op, sa, sb in [
            ("qlinearadd_broadcast", "QLinearAdd", [2, 8, 5, 5], [1, 8, 1, 1]),
            ("qlinearadd_same_shape", "QLinearAdd", [4, 16], [4, 16]),
            ("qlinearmul_broadcast", "QLinearMul", [2, 8, 5, 5], [8, 1, 1])]:
        path, inputs, lsb = qlinear_graph(args.work, name, rng, op, sa, sb)
        status |= compare(name, path, inputs, lsb)
    path, inputs, lsb = qlinear_gap(args.work, "qlinearglobalaveragepool",
                                    rng, [2, 6, 7, 9])
    status |= compare("qlinearglobalaveragepool", path, inputs, lsb)
    raise SystemExit(status)


if __name__ == "__main__":
    main()
