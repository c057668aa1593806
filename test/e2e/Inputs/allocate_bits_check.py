#!/usr/bin/env python3
"""qnt-allocate-bits against a numpy model of what it measures and chooses.

    allocate_bits_check.py --bin BUILD/bin --work DIR

A three-layer MLP (Gemm with transB, Gemm, MatMul) whose middle layer has a
few large weights (int4's per-group scale then rounds the rest coarsely) is
compiled with --precision=mixed at several budgets. For each run it
  * parses the table qnt-allocate-bits prints and checks every measured
    SQNR against numpy (the same samples, only that layer's weights
    quantized as docs/Numerics.md says: int4 group-wise, int8 per channel),
    within 0.05 dB;
  * finds the least-error allocation within the budget by brute force on
    numpy's errors and checks that the pass chose it, that the budget
    holds, and that the .mlir has the chosen qnt.weight_bits (and int4
    weights where 4 was chosen);
and prints one line per budget, or FAIL.
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32 = np.float32
GROUP = 32


def scale_of(amax, top):
    return F32(np.float64(amax) / top) if amax > 0 else F32(1.0)


def fake_int4(w_nk):
    """w_nk: [N][K] f32 -> dequantized, groups of GROUP along K."""
    n, k = w_nk.shape
    g = GROUP if k % GROUP == 0 else k
    out = np.zeros_like(w_nk)
    for o in range(n):
        for s in range(0, k, g):
            block = w_nk[o, s:s + g]
            sc = scale_of(np.abs(block.astype(np.float64)).max(), 7)
            out[o, s:s + g] = np.clip(np.rint(block / sc), -7, 7) * np.float64(sc)
    return out.astype(F32)


def fake_int8(w_nk):
    out = np.zeros_like(w_nk)
    for o in range(w_nk.shape[0]):
        sc = scale_of(np.abs(w_nk[o].astype(np.float64)).max(), 127)
        out[o] = np.clip(np.rint(w_nk[o] / sc), -127, 127) * np.float64(sc)
    return out.astype(F32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(3)
    # Weights as [N][K] (output channels first).
    w1 = rng.normal(0, 0.2, (64, 64)).astype(F32)
    w2 = rng.normal(0, 0.05, (32, 64)).astype(F32)
    w2[:, ::GROUP] = 1.0  # one large weight per group: int4 hurts here
    w3 = rng.normal(0, 0.3, (10, 32)).astype(F32)
    b1 = rng.normal(0, 0.1, 64).astype(F32)
    b2 = rng.normal(0, 0.1, 32).astype(F32)
    inits = [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(b1, "b1"),
             numpy_helper.from_array(w2.T.copy(), "w2"), numpy_helper.from_array(b2, "b2"),
             numpy_helper.from_array(w3.T.copy(), "w3")]
    nodes = [
        helper.make_node("Gemm", ["x", "w1", "b1"], ["h1"], transB=1, name="fc1"),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        helper.make_node("Gemm", ["r1", "w2", "b2"], ["h2"], name="fc2"),
        helper.make_node("Relu", ["h2"], ["r2"], name="relu2"),
        helper.make_node("MatMul", ["r2", "w3"], ["y"], name="fc3"),
    ]
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    os.makedirs(os.path.join(args.work, "calib"), exist_ok=True)
    path = os.path.join(args.work, "mlp.onnx")
    onnx.save(model, path)
    samples = []
    for i in range(6):
        x = rng.normal(0, 1, (4, 64)).astype(F32)
        np.save(os.path.join(args.work, "calib", "%02d.npy" % i), x)
        samples.append(x)

    names = ["fc1", "fc2", "fc3"]
    weights = [w1, w2, w3]
    biases = [b1, b2, None]

    def forward(ws):
        outs = []
        for x in samples:
            h = x
            for i, (w, b) in enumerate(zip(ws, biases)):
                h = h @ w.T + (b if b is not None else 0)
                if i < 2:
                    h = np.maximum(h, 0)
            outs.append(h.astype(np.float64))
        return np.concatenate([o.ravel() for o in outs])

    ref = forward(weights)
    signal = float(np.sum(ref ** 2))
    errors = {}
    for i, name in enumerate(names):
        for bits, fake in ((4, fake_int4), (8, fake_int8)):
            ws = list(weights)
            ws[i] = fake(weights[i])
            errors[(name, bits)] = float(np.sum((forward(ws) - ref) ** 2)) / signal
        errors[(name, 32)] = 0.0
    counts = {n: w.size for n, w in zip(names, weights)}

    def optimum(budget_bits):
        """The least-error allocation within the budget, by brute force."""
        import itertools
        total = sum(counts.values())
        best = None
        for combo in itertools.product([4, 8, 32], repeat=len(names)):
            cost = sum(b * counts[n] for n, b in zip(names, combo))
            if cost > budget_bits * total:
                continue
            error = sum(errors[(n, b)] for n, b in zip(names, combo))
            key = (error, cost)
            if best is None or key < best[0]:
                best = (key, dict(zip(names, combo)))
        return None if best is None else best[1]

    failed = False
    for budget in (4, 5, 6, 8, 12, 32, 3):
        mlir = os.path.join(args.work, "mixed%d.mlir" % budget)
        run = subprocess.run(
            [os.path.join(args.bin, "quant-compile"), path, "--precision=mixed",
             "--weight-bits-budget=%d" % budget, "--calibration-data",
             os.path.join(args.work, "calib"), "--emit=mlir", "-o", mlir],
            capture_output=True, text=True)
        expected = optimum(budget)
        if expected is None:
            ok = run.returncode != 0 and "below the smallest allocation" in run.stderr
            print("budget %d: %s" % (budget, "rejected" if ok else "FAIL " + run.stderr))
            failed |= not ok
            continue
        if run.returncode != 0:
            print("budget %d: FAIL %s" % (budget, run.stderr))
            failed = True
            continue
        rows = {}
        for line in run.stderr.splitlines():
            m = re.match(r"\| (\S+) \| (\d+) \| (\S+) \| (\S+) \| (\d+) \| (\d+) \|", line)
            if m:
                rows[m.group(1)] = m.group(2, 3, 4, 5, 6)
        problems = []
        for n in names:
            if n not in rows:
                problems.append("no row for " + n)
                continue
            for col, bits in ((1, 4), (2, 8)):
                want = -10 * np.log10(errors[(n, bits)])
                got = float(rows[n][col])
                if abs(got - want) > 0.05:
                    problems.append("%s int%d: %.2f dB, numpy %.2f" % (n, bits, got, want))
            if int(rows[n][3]) != expected[n]:
                problems.append("%s: %s bits, the optimum %d" % (n, rows[n][3], expected[n]))
        text = open(mlir).read()
        chosen_ir = re.findall(r"qnt\.weight_bits = (\d+)", text)
        if sorted(map(int, chosen_ir)) != sorted(expected.values()):
            problems.append("IR weight_bits %s" % chosen_ir)
        if (4 in expected.values()) != ("xi4>" in text):
            problems.append("int4 weights in the IR do not match the choice")
        average = sum(expected[n] * counts[n] for n in names) / sum(counts.values())
        if average > budget:
            problems.append("average %.2f over the budget" % average)
        if problems:
            print("budget %d: FAIL %s" % (budget, "; ".join(problems)))
            failed = True
        else:
            print("budget %d: %s (%.2f bits per weight)" % (
                budget, " ".join("%s=%d" % (n, expected[n]) for n in names), average))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
