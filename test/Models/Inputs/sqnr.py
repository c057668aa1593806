#!/usr/bin/env python3
"""Compares an output against a reference: prints SQNR in dB, checks a floor.

    sqnr.py REFERENCE.npy OURS.npy [--min-db D] [--label NAME]

SQNR = 10 log10(sum(ref^2) / sum((ref - ours)^2)); identical outputs print
`inf`. Exits 1 when the shapes differ or the SQNR is below --min-db
(default 60), so a lit test that runs it can fail.
"""

import argparse
import sys

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("reference")
parser.add_argument("ours")
parser.add_argument("--min-db", type=float, default=60.0)
parser.add_argument("--label", default="output")
args = parser.parse_args()

ref = np.load(args.reference).astype(np.float64)
ours = np.load(args.ours).astype(np.float64)
if ref.shape != ours.shape:
    print(f"{args.label}: shape {ours.shape} != reference {ref.shape}")
    sys.exit(1)
noise = float(np.sum((ref - ours) ** 2))
signal = float(np.sum(ref ** 2))
db = float("inf") if noise == 0 else 10 * np.log10(signal / noise)
ok = db >= args.min_db
print(f"{args.label}: shape {list(ref.shape)} SQNR {db:.1f} dB "
      f"(max abs diff {np.max(np.abs(ref - ours)):.3g}) {'ok' if ok else 'BELOW'} "
      f">= {args.min_db:g} dB")
sys.exit(0 if ok else 1)
