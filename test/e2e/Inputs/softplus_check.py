"""ONNX Softplus through quant: import, JIT run against numpy, export.

    softplus_check.py --quant-run BIN --quant-compile BIN --work DIR

One Softplus node on 4101 values: a sweep of [-100, 100], the values where
a naive log(1 + exp(x)) overflows (x > 88) or loses every digit (x < -17),
and 0 and +-1e-8. quant's result must be within 4 f32 ulps of the float64
reference np.logaddexp(0, x) for every value (below the smallest normal
f32, within that step: subnormal results may be flushed to zero). Then --emit=onnx must write
the node back as a Softplus that onnx.checker accepts. Exit 1 on failure.
"""

import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

from jit_case import run_jit


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-run", required=True)
    ap.add_argument("--quant-compile", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)

    x = np.concatenate([
        np.linspace(-100, 100, 4096),
        [0.0, 1e-8, -1e-8, 88.8, -88.8],
    ]).astype(np.float32).reshape(1, -1)
    n = x.shape[1]
    graph = helper.make_graph(
        [helper.make_node("Softplus", ["x"], ["y"], name="softplus")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    path = os.path.join(args.work, "softplus.onnx")
    onnx.save(model, path)

    y = run_jit(args.quant_run, path, {"x": x}, "softplus")
    if y is None:
        return 1
    ref = np.logaddexp(0.0, x.astype(np.float64))
    # Results below the smallest normal f32 (x < -87.3) may be flushed to
    # zero (docs/Numerics.md): there the bound is that absolute step.
    tiny = float(np.finfo(np.float32).tiny)
    ulp = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    ulp = np.where(ref < tiny, tiny, ulp)
    err = np.abs(y.astype(np.float64) - ref) / ulp
    worst = int(np.argmax(err))
    print("softplus: %d values, worst %.2f ulp at x=%g (quant %r, numpy %r)" %
          (n, err[0, worst], x[0, worst], float(y[0, worst]), ref[0, worst]))
    status = 0
    if not np.all(err <= 4.0):
        print("FAIL: more than 4 ulp from numpy")
        status = 1
    # log(1 + exp(x)) computed naively is 0 from x < -17 and inf from
    # x > 88.7.
    normal = ref >= tiny
    if np.any(y[normal] == 0) or not np.all(np.isfinite(y)):
        print("FAIL: a normal result underflowed to 0 or overflowed")
        status = 1

    exported = os.path.join(args.work, "softplus.export.onnx")
    subprocess.run([args.quant_compile, path, "--emit=onnx", "-o", exported],
                   check=True)
    m = onnx.load(exported)
    onnx.checker.check_model(m)
    print("exported: " + ", ".join(node.op_type for node in m.graph.node))
    return status


if __name__ == "__main__":
    sys.exit(main())
