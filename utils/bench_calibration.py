#!/usr/bin/env python3
"""Measures qnt-calibrate on the PaddleOCR detector at 1x3x640x640.

    utils/bench_calibration.py [--build build] [--samples 8,64]
                               [--methods minmax,percentile,entropy,mse]

For each method and sample count: wall time and peak resident memory of
`quant-opt --qnt-calibrate` (JIT compilation included), ranges written,
and, from the difference between the two counts, the time per sample. The
pages come from test/Models/Inputs/ocr_calibration_set.py (cached under
~/.cache/quant/calibration); the model from utils/fetch-models.sh.
Prints a Markdown table. Needs GNU time (/usr/bin/time).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.expanduser("~/.cache/quant")
DET = os.path.join(CACHE, "models/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx")


def run_measured(cmd):
    """(seconds, peak KiB) of cmd, via GNU time."""
    out = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M"] + cmd,
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), out.stderr[-2000:]))
    seconds, kib = re.findall(r"TIME ([0-9.]+) ([0-9]+)", out.stderr)[-1]
    return float(seconds), int(kib)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--samples", default="8,64")
    ap.add_argument("--methods", default="minmax,percentile,entropy,mse")
    args = ap.parse_args()
    counts = [int(n) for n in args.samples.split(",")]
    if not os.path.exists(DET):
        sys.exit("no detector model: run utils/fetch-models.sh first")
    pages = os.path.join(CACHE, "calibration", "det-640x640")
    have = len([f for f in os.listdir(pages)]) if os.path.isdir(pages) else 0
    if have < max(counts):
        subprocess.run([sys.executable, os.path.join(
            ROOT, "test/Models/Inputs/ocr_calibration_set.py"), pages,
            str(max(counts))], check=True)
    bin_dir = os.path.join(args.build, "bin")
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "det.mlir")
        subprocess.run([os.path.join(bin_dir, "quant-import"), DET,
                        "--input-shape", "x=1x3x640x640", "-o", model],
                       check=True)
        print("| method | samples | wall s | peak RSS MiB | ranges | s/sample |")
        print("|---|---|---|---|---|---|")
        for method in args.methods.split(","):
            times = {}
            for n in counts:
                out = os.path.join(tmp, "%s-%d.mlir" % (method, n))
                seconds, kib = run_measured([
                    os.path.join(bin_dir, "quant-opt"), model,
                    "--qnt-calibrate=data=%s method=%s samples=%d"
                    % (pages, method, n), "-o", out])
                with open(out) as f:
                    ranges = len(re.findall(r"qnt\.range = #qnt\.range", f.read()))
                times[n] = seconds
                per = ""
                if n == counts[-1] and len(counts) > 1:
                    per = "%.2f" % ((times[n] - times[counts[0]]) /
                                    (n - counts[0]))
                print("| %s | %d | %.1f | %.0f | %d | %s |" % (
                    method, n, seconds, kib / 1024, ranges, per), flush=True)


if __name__ == "__main__":
    main()
