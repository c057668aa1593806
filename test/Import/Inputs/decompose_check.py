#!/usr/bin/env python3
"""Runs ONNX ops that the importer decomposes (LSTM, GRU, RNN, Einsum)
through quant-run's JIT and compares each output with a numpy model of the
op, written from the ONNX equations with ONNX Runtime's choices where the
spec is silent (clip also bounds C before h; a finished sequence keeps its
state and outputs zeros; an empty one has zero final states).

    decompose_check.py --quant-run BIN --work DIR [--family rnn|einsum]

Prints one line per case, `NAME: ok (max error E)` or `NAME: FAIL ...`.
"""

import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
RNG = np.random.default_rng(7)


def rand(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def safe_name(name):
    return "".join(c if (c.isalnum() or c in "-_.") else "_" for c in name)


def run_case(args, name, node, inputs, inits, outputs, expected, opset=14,
             atol=2e-5, rtol=2e-4):
    """inputs/inits: {name: array}; outputs: names in order."""
    vis = [helper.make_tensor_value_info(k, helper.np_dtype_to_tensor_dtype(v.dtype)
                                         if hasattr(helper, "np_dtype_to_tensor_dtype")
                                         else onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[v.dtype],
                                         v.shape) for k, v in inputs.items()]
    outs = [helper.make_tensor_value_info(o, F, e.shape) for o, e in zip(outputs, expected)]
    graph = helper.make_graph([node], name, vis, outs,
                              initializer=[numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    base = os.path.join(args.work, safe_name(name))
    onnx.save(model, base + ".onnx")
    cmd = [args.quant_run, base + ".onnx", "--output-dir", base + ".out"]
    for key, value in inputs.items():
        path = "%s.%s.npy" % (base, safe_name(key))
        np.save(path, value)
        cmd += ["--input", "%s=%s" % (key, path)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print("%s: FAIL quant-run: %s" % (name, r.stderr.strip().splitlines()[0]))
        return False
    worst = 0.0
    for out, want in zip(outputs, expected):
        got = np.load(os.path.join(base + ".out", safe_name(out) + ".npy"))
        if got.shape != want.shape:
            print("%s: FAIL %s has shape %s, expected %s" % (name, out, got.shape, want.shape))
            return False
        err = np.abs(got.astype(np.float64) - want)
        if (err > atol + rtol * np.abs(want)).any():
            print("%s: FAIL %s differs by %.3g" % (name, out, err.max()))
            return False
        worst = max(worst, float(err.max()))
    print("%s: ok (max error %.1e)" % (name, worst))
    return True


# --- LSTM, GRU, RNN ------------------------------------------------------

def activation(name, x, alpha, beta):
    name = name.lower()
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "tanh":
        return np.tanh(x)
    if name == "relu":
        return np.maximum(x, 0)
    if name == "leakyrelu":
        return np.where(x >= 0, x, alpha * x)
    if name == "hardsigmoid":
        return np.clip(alpha * x + beta, 0, 1)
    if name == "affine":
        return alpha * x + beta
    if name == "scaledtanh":
        return alpha * np.tanh(beta * x)
    raise ValueError(name)


DEFAULT_ACTS = {"RNN": ["Tanh"], "GRU": ["Sigmoid", "Tanh"],
                "LSTM": ["Sigmoid", "Tanh", "Tanh"]}
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
ALPHA = {"leakyrelu": 0.01, "hardsigmoid": 0.2, "affine": 1.0, "scaledtanh": 1.0}
BETA = {"hardsigmoid": 0.5, "affine": 0.0, "scaledtanh": 1.0}


def resolve_acts(op, attrs, dirs):
    names = attrs.get("activations", DEFAULT_ACTS[op] * dirs)
    alphas = list(attrs.get("activation_alpha", []))
    betas = list(attrs.get("activation_beta", []))
    acts = []
    for n in names:
        k = n.lower()
        a = alphas.pop(0) if k in ALPHA and alphas else ALPHA.get(k, 0.0)
        b = betas.pop(0) if k in BETA and betas else BETA.get(k, 0.0)
        acts.append((n, a, b))
    per = len(DEFAULT_ACTS[op])
    return [acts[d * per:(d + 1) * per] for d in range(dirs)]


def recurrent_ref(op, attrs, X, W, R, B=None, lens=None, h0=None, c0=None, P=None):
    """Returns Y, Y_h (, Y_c) as float64 arrays."""
    X = X.astype(np.float64)
    layout = attrs.get("layout", 0)
    if layout:
        X = X.transpose(1, 0, 2)
        h0 = None if h0 is None else h0.transpose(1, 0, 2)
        c0 = None if c0 is None else c0.transpose(1, 0, 2)
    S, N, _ = X.shape
    H = attrs["hidden_size"]
    direction = attrs.get("direction", "forward")
    D = 2 if direction == "bidirectional" else 1
    acts = resolve_acts(op, attrs, D)
    clip = attrs.get("clip")
    cl = (lambda v: v) if clip is None else (lambda v: np.clip(v, -clip, clip))
    lens = np.full(N, S) if lens is None else lens
    Y = np.zeros((S, D, N, H))
    Yh = np.zeros((D, N, H))
    Yc = np.zeros((D, N, H))
    g = GATES[op]
    for d in range(D):
        (fn, fa, fb), *rest = acts[d]
        f = lambda v: activation(fn, v, fa, fb)
        Wd, Rd = W[d].astype(np.float64), R[d].astype(np.float64)
        b = np.zeros(2 * g * H) if B is None else B[d].astype(np.float64)
        Wb, Rb = b[:g * H], b[g * H:]
        p = np.zeros(3 * H) if P is None else P[d].astype(np.float64)
        h = np.zeros((N, H)) if h0 is None else h0[d].astype(np.float64)
        c = np.zeros((N, H)) if c0 is None else c0[d].astype(np.float64)
        reverse = direction == "reverse" or d == 1
        for t in (range(S - 1, -1, -1) if reverse else range(S)):
            if op == "LSTM":
                (gn, ga, gb), (hn_, ha, hb) = rest
                gates = X[t] @ Wd.T + h @ Rd.T + Wb + Rb
                i, o, fg, cc = np.split(gates, 4, axis=1)
                i = f(cl(i + p[:H] * c))
                fg = 1 - i if attrs.get("input_forget") else f(cl(fg + p[2 * H:] * c))
                cc = activation(gn, cl(cc), ga, gb)
                cn = fg * c + i * cc
                o = f(cl(o + p[H:2 * H] * cn))
                hn = o * activation(hn_, cl(cn), ha, hb)
            elif op == "GRU":
                (gn, ga, gb), = rest
                gx = X[t] @ Wd.T + Wb
                z = f(cl(gx[:, :H] + h @ Rd[:H].T + Rb[:H]))
                r = f(cl(gx[:, H:2 * H] + h @ Rd[H:2 * H].T + Rb[H:2 * H]))
                if attrs.get("linear_before_reset"):
                    pre = gx[:, 2 * H:] + r * (h @ Rd[2 * H:].T + Rb[2 * H:])
                else:
                    pre = gx[:, 2 * H:] + (r * h) @ Rd[2 * H:].T + Rb[2 * H:]
                hn = (1 - z) * activation(gn, cl(pre), ga, gb) + z * h
                cn = c
            else:
                hn = f(cl(X[t] @ Wd.T + h @ Rd.T + Wb + Rb))
                cn = c
            active = (t < lens)[:, None]
            h = np.where(active, hn, h)
            c = np.where(active, cn, c)
            Y[t, d] = np.where(active, hn, 0)
        Yh[d] = np.where((lens > 0)[:, None], h, 0)
        Yc[d] = np.where((lens > 0)[:, None], c, 0)
    if layout:
        Y, Yh, Yc = Y.transpose(2, 0, 1, 3), Yh.transpose(1, 0, 2), Yc.transpose(1, 0, 2)
    return (Y, Yh, Yc) if op == "LSTM" else (Y, Yh)


def rnn_case(args, name, op, attrs, S, N, I, runtime=(), with_bias=True, lens=None,
             initial=False, peepholes=False, outputs=None):
    H = attrs["hidden_size"]
    D = 2 if attrs.get("direction") == "bidirectional" else 1
    g = GATES[op]
    layout = attrs.get("layout", 0)
    vals = {"X": rand(*((N, S, I) if layout else (S, N, I))),
            "W": rand(D, g * H, I, scale=0.5), "R": rand(D, g * H, H, scale=0.5)}
    if with_bias:
        vals["B"] = rand(D, 2 * g * H, scale=0.5)
    if lens is not None:
        vals["sequence_lens"] = np.array(lens, np.int32)
    if initial:
        shape = (N, D, H) if layout else (D, N, H)
        vals["initial_h"] = rand(*shape)
        if op == "LSTM":
            vals["initial_c"] = rand(*shape)
    if peepholes:
        vals["P"] = rand(D, 3 * H, scale=0.5)
    order = ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"]
    node_inputs = [k if k in vals else "" for k in order[:{"LSTM": 8, "GRU": 6, "RNN": 6}[op]]]
    while node_inputs and not node_inputs[-1]:
        node_inputs.pop()
    ref = recurrent_ref(op, attrs, vals["X"], vals["W"], vals["R"], vals.get("B"),
                        vals.get("sequence_lens"), vals.get("initial_h"),
                        vals.get("initial_c"), vals.get("P"))
    names = ["y", "y_h", "y_c"][:len(ref)]
    wanted = outputs or names
    node_outputs = [n if n in wanted else "" for n in names]
    while not node_outputs[-1]:
        node_outputs.pop()
    node = helper.make_node(op, node_inputs, node_outputs, name=name, **attrs)
    inputs = {k: v for k, v in vals.items() if k == "X" or k in runtime}
    inits = {k: v for k, v in vals.items() if k not in inputs}
    return run_case(args, name, node, inputs, inits, [n for n in node_outputs if n],
                    [r for n, r in zip(names, ref) if n in wanted])


def rnn_cases(args):
    ok = True
    ok &= rnn_case(args, "lstm-forward", "LSTM", {"hidden_size": 3}, 4, 2, 5)
    ok &= rnn_case(args, "lstm-reverse-initial", "LSTM",
                   {"hidden_size": 4, "direction": "reverse"}, 3, 2, 3,
                   runtime=("initial_h", "initial_c"), initial=True)
    ok &= rnn_case(args, "lstm-bidirectional-batch-first-peepholes-lens", "LSTM",
                   {"hidden_size": 3, "direction": "bidirectional", "layout": 1},
                   4, 3, 2, lens=[4, 2, 0], initial=True, peepholes=True)
    ok &= rnn_case(args, "lstm-clip-input-forget", "LSTM",
                   {"hidden_size": 3, "clip": 0.7, "input_forget": 1}, 3, 2, 4)
    ok &= rnn_case(args, "lstm-runtime-weights-and-lens", "LSTM",
                   {"hidden_size": 2, "direction": "bidirectional"}, 5, 3, 2,
                   runtime=("W", "R", "B", "sequence_lens"), lens=[5, 3, 1])
    ok &= rnn_case(args, "lstm-activations", "LSTM",
                   {"hidden_size": 3, "activations": ["HardSigmoid", "LeakyRelu", "ScaledTanh"],
                    "activation_alpha": [0.3, 0.2, 1.5], "activation_beta": [0.4, 0.8]},
                   3, 1, 2, outputs=["y_h"])
    ok &= rnn_case(args, "gru-bidirectional-linear-before-reset", "GRU",
                   {"hidden_size": 4, "direction": "bidirectional", "linear_before_reset": 1},
                   3, 2, 3, initial=True)
    ok &= rnn_case(args, "gru-reverse-lens", "GRU",
                   {"hidden_size": 3, "direction": "reverse"}, 4, 3, 2, lens=[1, 4, 2])
    ok &= rnn_case(args, "gru-batch-first-no-bias", "GRU",
                   {"hidden_size": 2, "layout": 1, "clip": 1.5}, 3, 2, 3, with_bias=False)
    ok &= rnn_case(args, "rnn-bidirectional-relu-batch-first", "RNN",
                   {"hidden_size": 4, "direction": "bidirectional", "layout": 1,
                    "activations": ["Relu", "Affine"], "activation_alpha": [0.5],
                    "activation_beta": [0.1]}, 3, 2, 3, initial=True)
    ok &= rnn_case(args, "rnn-runtime-lens", "RNN", {"hidden_size": 3}, 4, 2, 2,
                   runtime=("sequence_lens",), lens=[2, 4], outputs=["y_h"])
    return ok


# --- Einsum -----------------------------------------------------------------

def einsum_case(args, name, equation, *shapes):
    vals = {"x%d" % i: rand(*s) for i, s in enumerate(shapes)}
    want = np.einsum(equation, *[v.astype(np.float64) for v in vals.values()])
    node = helper.make_node("Einsum", list(vals), ["y"], name=name, equation=equation)
    return run_case(args, name, node, vals, {}, ["y"], [np.asarray(want)], opset=12)


def einsum_cases(args):
    cases = [
        # The node tests' equations (their data is float64, which quant does
        # not import; these are the same equations on float32).
        ("batch-diagonal", "...ii ->...i", (3, 5, 5)),
        ("sum", "ij->i", (3, 4)),
        ("inner-product", "i,i", (5,), (5,)),
        ("transpose", "ij->ji", (3, 4)),
        ("batch-matmul", "bij, bjk -> bik", (5, 2, 3), (5, 3, 4)),
        # More shapes of the same decomposition.
        ("matmul-transposed", "ik,jk->ij", (3, 4), (5, 4)),
        ("trace", "ii", (4, 4)),
        ("outer", "i,j->ij", (3,), (4,)),
        ("hadamard-sum", "ij,ij->i", (3, 4), (3, 4)),
        ("three-operands", "abc,cd,de->abe", (2, 3, 4), (4, 5), (5, 2)),
        ("ellipsis-matmul", "...ij,...jk->...ik", (2, 3, 4, 5), (2, 3, 5, 2)),
        ("implicit-order", "ba,ac", (3, 2), (2, 4)),
        ("diagonal-into-product", "iij,jk->ik", (3, 3, 4), (4, 2)),
    ]
    ok = True
    for name, equation, *shapes in cases:
        ok &= einsum_case(args, "einsum-" + name, equation, *shapes)
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-run", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--family", choices=["rnn", "einsum"], required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    ok = rnn_cases(args) if args.family == "rnn" else einsum_cases(args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
