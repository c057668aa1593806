"""Output SQNR of compiled models against reference outputs.

    sqnr_eval.py --quant-run BIN --inputs DIR --reference DIR [--input NAME]
                 [--min-gain-db G] MODEL...

Runs each MODEL (a shared library or .mlir/.onnx that quant-run takes) on
every DIR/<i>.npy of --inputs and compares its single output with
--reference/<i>/<output>.npy (sorted order pairs them): SQNR over all
samples, 10 log10(sum ref^2 / sum (ref - out)^2). Prints one line per
model; with --min-gain-db, also whether the last model is at least G dB
above the first ("gain ... ok" or "gain ... FAIL", exit 1).
"""

import argparse
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--quant-run", required=True)
ap.add_argument("--inputs", required=True)
ap.add_argument("--reference", required=True)
ap.add_argument("--input", default="x")
ap.add_argument("--min-gain-db", type=float)
ap.add_argument("models", nargs="+")
args = ap.parse_args()

samples = sorted(f for f in os.listdir(args.inputs) if f.endswith(".npy"))
references = sorted(os.listdir(args.reference))
if not samples or len(samples) != len(references):
    sys.exit("%d inputs but %d reference folders" % (len(samples), len(references)))

results = []
with tempfile.TemporaryDirectory() as work:
    for model in args.models:
        signal = noise = 0.0
        for i, (sample, ref) in enumerate(zip(samples, references)):
            out = os.path.join(work, "%s.%d" % (os.path.basename(model), i))
            subprocess.run([args.quant_run, model, "--input",
                            "%s=%s" % (args.input, os.path.join(args.inputs, sample)),
                            "--output-dir", out], check=True, capture_output=True)
            (name,) = os.listdir(out)
            r = np.load(os.path.join(args.reference, ref, name)).astype(np.float64)
            t = np.load(os.path.join(out, name)).astype(np.float64)
            signal += float(np.sum(r * r))
            noise += float(np.sum((r - t) ** 2))
        db = math.inf if noise == 0 else 10 * math.log10(signal / noise)
        results.append(db)
        print("%s: SQNR %.1f dB" % (os.path.basename(model), db))
if args.min_gain_db is not None:
    gain = results[-1] - results[0]
    ok = gain >= args.min_gain_db
    print("gain %.1f dB (at least %.1f): %s" % (gain, args.min_gain_db, "ok" if ok else "FAIL"))
    sys.exit(0 if ok else 1)
