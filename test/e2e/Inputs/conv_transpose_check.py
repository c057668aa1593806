"""ConvTranspose through quant-run against a direct numpy scatter.

    conv_transpose_check.py --quant-run BIN --work DIR

Builds one-node ONNX models covering both lowerings (windows that tile the
output, stride = kernel: a 1x1 conv and a depth-to-space; everything else:
zero interleaving and a conv), with constant and run-time weights, biases,
1-D and 2-D, groups, pads and output_padding; runs each through quant-run's
JIT and compares with
    out[n, g*Fg + f, i*s - pad + a*d] += x[n, g*Cg + c, i] * w[g*Cg + c, f, a].
Prints one line per case (max |error| over max |reference|) and exits 1 if
any exceeds 1e-5.
"""

import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

from jit_case import run_jit, work_args


def reference(x, w, b, strides, pads, dilations, group, output_padding):
    """ONNX ConvTranspose by scattering every input pixel's window."""
    n, cin = x.shape[:2]
    spatial = x.shape[2:]
    fg = w.shape[1]
    cg = cin // group
    kernel = w.shape[2:]
    rank = len(spatial)
    full = [(spatial[i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1
            + output_padding[i] for i in range(rank)]
    out = np.zeros((n, fg * group) + tuple(full), dtype=np.float64)
    for idx in np.ndindex(*spatial):
        for tap in np.ndindex(*kernel):
            pos = tuple(idx[i] * strides[i] + tap[i] * dilations[i]
                        for i in range(rank))
            for g in range(group):
                xs = x[(slice(None), slice(g * cg, (g + 1) * cg)) + idx]
                ws = w[(slice(g * cg, (g + 1) * cg), slice(None)) + tap]
                out[(slice(None), slice(g * fg, (g + 1) * fg)) + pos] += xs @ ws
    crop = tuple(slice(pads[i], full[i] - pads[rank + i]) for i in range(rank))
    out = out[(slice(None), slice(None)) + crop]
    if b is not None:
        out += b.reshape((1, -1) + (1,) * rank)
    return out.astype(np.float32)


# name, x shape, w shape, strides, pads, dilations, group, output_padding,
# bias, weights known at run time
CASES = [
    ("tiling-2x2-bias", (1, 3, 4, 6), (3, 5, 2, 2), [2, 2], [0, 0, 0, 0], [1, 1], 1, [0, 0], True, False),
    ("tiling-3x2", (2, 4, 3, 5), (4, 2, 3, 2), [3, 2], [0, 0, 0, 0], [1, 1], 1, [0, 0], False, False),
    ("tiling-1d", (1, 3, 7), (3, 4, 4), [4], [0, 0], [1], 1, [0], True, False),
    ("tiling-runtime-weights", (1, 2, 3, 3), (2, 3, 2, 2), [2, 2], [0, 0, 0, 0], [1, 1], 1, [0, 0], True, True),
    ("tiling-one-output-channel", (1, 24, 5, 5), (24, 1, 2, 2), [2, 2], [0, 0, 0, 0], [1, 1], 1, [0, 0], False, False),
    ("interleave-groups", (1, 4, 3, 3), (4, 1, 2, 2), [2, 2], [0, 0, 0, 0], [1, 1], 4, [0, 0], True, False),
    ("interleave-pads", (1, 3, 4, 4), (3, 2, 3, 3), [2, 2], [1, 1, 1, 1], [1, 1], 1, [1, 1], True, False),
    ("interleave-dilation", (1, 2, 4, 4), (2, 2, 2, 2), [2, 2], [0, 0, 0, 0], [2, 2], 1, [0, 0], False, False),
]


def build(case, rng, work):
    name, xs, ws, strides, pads, dil, group, opad, has_bias, runtime_w = case
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    b = rng.standard_normal(ws[1] * group).astype(np.float32) if has_bias else None
    y = reference(x.astype(np.float64), w.astype(np.float64), b, strides, pads,
                  dil, group, opad)
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, xs)]
    inits = []
    if runtime_w:
        inputs.append(helper.make_tensor_value_info("w", TensorProto.FLOAT, ws))
    else:
        inits.append(numpy_helper.from_array(w, "w"))
    node_inputs = ["x", "w"]
    if has_bias:
        inits.append(numpy_helper.from_array(b, "b"))
        node_inputs.append("b")
    node = helper.make_node("ConvTranspose", node_inputs, ["y"],
                            strides=strides, pads=pads, dilations=dil,
                            group=group, output_padding=opad,
                            kernel_shape=list(ws[2:]))
    graph = helper.make_graph(
        [node], name, inputs,
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y.shape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    path = os.path.join(work, name + ".onnx")
    onnx.save(model, path)
    return path, y, ({"x": x, "w": w} if runtime_w else {"x": x})


def main():
    args = work_args(__doc__.split("\n")[0])
    rng = np.random.default_rng(7)
    failed = False
    for case in CASES:
        name = case[0]
        path, expected, inputs = build(case, rng, args.work)
        got = run_jit(args.quant_run, path, inputs, name)
        if got is None:
            failed = True
            continue
        if got.shape != expected.shape:
            print("%s: shape %s, expected %s" % (name, got.shape, expected.shape))
            failed = True
            continue
        err = float(np.max(np.abs(got - expected)) / np.max(np.abs(expected)))
        ok = err <= 1e-5
        failed |= not ok
        print("%s: %s %s relative error %.2e" %
              (name, "x".join(map(str, got.shape)), "ok" if ok else "FAIL", err))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
