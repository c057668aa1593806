"""What the one-node e2e checks share: their command line and a JIT run.

    from jit_case import work_args, run_jit

work_args() parses --quant-run BIN --work DIR (creating DIR); run_jit()
saves the inputs as .npy files next to the model, runs quant-run's JIT on
it and returns its output `y` (or the outputs it is asked for), or None
after printing why quant-run failed.
"""

import argparse
import os
import subprocess

import numpy as np


def work_args(description=None, quant_opt=False):
    """--quant-run BIN --work DIR (created), and --quant-opt BIN if asked."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quant-run", required=True)
    if quant_opt:
        ap.add_argument("--quant-opt", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    return args


def run_jit(quant_run, model, inputs, name, outputs=None):
    """Runs `model` (.onnx) on {input name: array}; returns output y, or
    the list of the named `outputs`."""
    base = os.path.splitext(model)[0]
    cmd = [quant_run, model, "--output-dir", base + ".out"]
    for key, value in inputs.items():
        path = "%s.%s.npy" % (base, key)
        np.save(path, value)
        cmd += ["--input", "%s=%s" % (key, path)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        print("%s: quant-run failed: %s" % (name, result.stderr.strip()))
        return None
    if outputs is None:
        return np.load(os.path.join(base + ".out", "y.npy"))
    return [np.load(os.path.join(base + ".out", o + ".npy")) for o in outputs]
