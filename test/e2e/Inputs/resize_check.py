"""Nearest Resize through quant-run against numpy, exactly.

    resize_check.py --quant-run BIN --work DIR

Builds one-node ONNX models (Resize, opset 13, constant scales) for the
coordinate transformations and nearest modes the detector-style upsampling
uses and for ones that do not repeat elements, runs each through quant-run's
JIT and compares with ONNX's definition computed in numpy (f64 source
coordinate, the nearest rounding, the clamp): the values are copies, so they
must be equal. Each line says which lowering the case is meant to take
(`repeat`: every output index o reads o // s, lowered as a broadcast and a
collapse; `gather`: the general generic) and whether it matched; exit 1 on
any mismatch.
"""

import math
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

from jit_case import run_jit, work_args


def source_index(o, n_in, n_out, scale, transform, mode):
    """ONNX Resize's nearest source index along one dim."""
    if transform == "asymmetric":
        x = o / scale
    elif transform == "align_corners":
        x = o * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    elif transform == "pytorch_half_pixel":
        x = (o + 0.5) / scale - 0.5 if n_out > 1 else 0.0
    else:  # half_pixel
        x = (o + 0.5) / scale - 0.5
    if mode == "floor":
        r = math.floor(x)
    elif mode == "ceil":
        r = math.ceil(x)
    elif mode == "round_prefer_floor":
        r = math.ceil(x - 0.5)
    else:  # round_prefer_ceil
        r = math.floor(x + 0.5)
    return min(max(int(r), 0), n_in - 1)


def reference(x, scales, transform, mode):
    out = x
    for d, s in enumerate(scales):
        n_in = x.shape[d]
        n_out = int(math.floor(n_in * s))
        idx = [source_index(o, n_in, n_out, s, transform, mode) for o in range(n_out)]
        out = np.take(out, idx, axis=d)
    return out


# name, x shape, scales, transform, nearest mode, expected lowering
CASES = [
    ("fpn-2x", (1, 6, 5, 7), [1, 1, 2, 2], "asymmetric", "floor", "repeat"),
    ("fpn-8x", (1, 3, 3, 2), [1, 1, 8, 8], "asymmetric", "floor", "repeat"),
    ("width-only-3x", (2, 2, 4, 5), [1, 1, 1, 3], "asymmetric", "floor", "repeat"),
    ("onnx-default-3x", (1, 2, 4, 3), [1, 1, 3, 3], "half_pixel", "round_prefer_floor", "repeat"),
    ("align-corners-2x", (1, 1, 2, 2), [1, 1, 2, 2], "align_corners", "round_prefer_ceil", "repeat"),
    ("half-pixel-ceil-2x", (1, 2, 3, 4), [1, 1, 2, 2], "half_pixel", "ceil", "gather"),
    ("fractional-1.5x", (1, 2, 4, 4), [1, 1, 1.5, 1.5], "asymmetric", "floor", "gather"),
    ("align-corners-3x", (1, 1, 3, 3), [1, 1, 3, 3], "align_corners", "round_prefer_floor", "gather"),
    ("downsample-0.5x", (1, 2, 8, 6), [1, 1, 0.5, 0.5], "asymmetric", "floor", "gather"),
]


def main():
    args = work_args(__doc__.split("\n")[0])
    rng = np.random.default_rng(3)
    failed = False
    for name, shape, scales, transform, mode, path_kind in CASES:
        x = rng.standard_normal(shape).astype(np.float32)
        expected = reference(x, scales, transform, mode)
        node = helper.make_node("Resize", ["x", "roi", "scales"], ["y"], mode="nearest",
                                coordinate_transformation_mode=transform,
                                nearest_mode=mode)
        graph = helper.make_graph(
            [node], name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, expected.shape)],
            [numpy_helper.from_array(np.array([], np.float32), "roi"),
             numpy_helper.from_array(np.array(scales, np.float32), "scales")])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        path = os.path.join(args.work, name + ".onnx")
        onnx.save(model, path)
        got = run_jit(args.quant_run, path, {"x": x}, name)
        if got is None:
            failed = True
            continue
        ok = got.shape == expected.shape and np.array_equal(got, expected)
        failed |= not ok
        print("%s (%s): %s %s" % (name, path_kind, "x".join(map(str, got.shape)),
                                  "ok" if ok else "FAIL"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
