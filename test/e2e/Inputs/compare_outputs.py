"""Compares the .npy outputs of two runs of one model.

    compare_outputs.py DIR_A DIR_B [--rtol R]

Without --rtol every output must be bit-identical; with it, max|a - b| over
max|a| must be at most R for each output. Prints one line per output (name,
elements, values that differ, the relative error) and exits 1 on a failure.
"""

import argparse
import os
import sys

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("a")
ap.add_argument("b")
ap.add_argument("--rtol", type=float)
args = ap.parse_args()
names = sorted(f for f in os.listdir(args.a) if f.endswith(".npy"))
if not names or names != sorted(f for f in os.listdir(args.b) if f.endswith(".npy")):
    print("different outputs: %s vs %s" % (names, sorted(os.listdir(args.b))))
    sys.exit(1)
ok = True
for name in names:
    a, b = np.load(os.path.join(args.a, name)), np.load(os.path.join(args.b, name))
    if a.shape != b.shape or a.dtype != b.dtype:
        print("%s: %s %s vs %s %s" % (name, a.shape, a.dtype, b.shape, b.dtype))
        ok = False
        continue
    differ = int((a != b).sum())
    rel = float(np.abs(a.astype(np.float64) - b).max() / max(np.abs(a).max(), 1e-30))
    if args.rtol is None:
        verdict = "identical" if a.tobytes() == b.tobytes() else "DIFFERENT"
        ok &= verdict == "identical"
    else:
        verdict = "within %g" % args.rtol if rel <= args.rtol else "OUTSIDE %g" % args.rtol
        ok &= rel <= args.rtol
    print("%s: %d values, %d differ, relative error %.3g: %s" % (
        name, a.size, differ, rel, verdict))
sys.exit(0 if ok else 1)
