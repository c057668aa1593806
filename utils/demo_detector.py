#!/usr/bin/env python3
"""The demo's main job: the PaddleOCR text detector in fp32 and int8,
compiled and run through quant's Python package, against ONNX Runtime.

    /usr/bin/python3 utils/demo_detector.py [--work DIR]
        [--calibration-pages 8] [--eval-pages 6] [--method percentile]
        [--runs 20] [--rounds 5] [--threads 1] [--size 640x640]

utils/demo.sh runs it after building quant and fetching the models
(utils/fetch-models.sh). One run that
  1. renders the calibration pages with the project's page generator
     (test/Models/Inputs/ocr_calibration_set.py, seed 1) and the pages it
     evaluates on with the independent, evaluation-only generator
     (utils/make_eval_pages.py, seed 20261205: other fonts, words, layouts,
     paper, blur and rotation; never used for calibration);
  2. compiles ch_PP-OCRv4_det (from the model cache) to an fp32 and an int8
     shared library with quant.compile_file (int8: calibrated on the
     calibration pages, per-channel weights, --int8-kernels=auto);
  3. runs both in this process (quant.Model) on every evaluation page and
     prints, per page, the probability-map SQNR of int8 against fp32, the
     IoU of the text masks (prob > 0.3), the number of boxes of PaddleOCR's
     DB post-process (utils/det_postprocess.py) for fp32 and int8 and the
     recall/precision of the int8 boxes against the fp32 ones (one to one
     at IoU >= 0.7); it draws both sets of boxes on the pages
     (WORK/boxes-NNNN.png: fp32 green, int8 red);
  4. runs ONNX Runtime fp32 (onnxruntime-node through utils/ort-run.js, as
     utils/bench_vs_ort.py does) on every evaluation page: its box count
     and the SQNR of quant fp32 against it;
  5. times ONNX Runtime fp32 (ort-run.js --bench), quant fp32 and quant
     int8 (quant.Model.bench, in process: the C ABI call alone) on the first
     evaluation page at --threads threads, in --rounds rounds that take the
     three in turn, and prints each one's median of the round medians, its
     fastest run, the ratios of the medians, and the files' sizes.

The helpers come from utils/bench_det_accuracy.py (pages, SQNR, mask IoU,
steps), utils/det_postprocess.py (boxes, matching) and utils/bench_vs_ort.py
(ORT's median).
"""

import argparse
import os
import re
import statistics
import sys
import time

import numpy as np

UTILS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(UTILS)
sys.path.insert(0, UTILS)
# This checkout's package first (utils/install-python.sh may point elsewhere).
sys.path.insert(0, os.path.join(ROOT, "python"))

import quant  # noqa: E402
from bench_det_accuracy import (CALIBRATION_SEED, DET, EVAL_PAGES,  # noqa: E402
                                EVAL_SEED, OWN_PAGES, Step, mask_iou, run,
                                sqnr_db)
from bench_vs_ort import MEDIAN  # noqa: E402
from det_postprocess import THRESH, db_boxes, match_boxes  # noqa: E402

ORT_RUN = ["node", os.path.join(UTILS, "ort-run.js")]


def pages_in(folder):
    return sorted(os.path.join(folder, p) for p in os.listdir(folder)
                  if p.endswith(".npy"))


def quant_round(model, x, runs, threads):
    """(median, min) ms of `runs` single timed runs (after a warm-up run),
    each the C ABI call alone, as ort-run.js times session.run."""
    model.bench(x, iterations=1, warmup=0, threads=threads)
    times = [model.bench(x, iterations=1, warmup=0)["mean_ms"]
             for _ in range(runs)]
    return statistics.median(times), min(times)


def ort_round(page, runs, threads):
    """(median, min) ms of ort-run.js --bench `runs` (3 warm-up runs)."""
    out = run(ORT_RUN + [DET, "--input", "x=" + page, "--bench", str(runs),
                         "--threads", str(threads)])
    m = re.search(MEDIAN.pattern + r" \(min ([0-9.]+)", out)
    if not m:
        sys.exit("no timing in the output of ort-run.js:\n" + out)
    return float(m.group(1)), float(m.group(2))


def int8_kernels(lib):
    """The int8 microkernels a compiled library links (quant-compile keeps
    only those its int8 layers call), e.g. "quant_qconv2d_avx512vnni"."""
    with open(lib, "rb") as f:
        names = set(re.findall(rb"quant_q(?:conv2d|gemm)_[a-z0-9]+", f.read()))
    return ", ".join(sorted(n.decode() for n in names)) or "none"


def draw_boxes(png, fp32_boxes, int8_boxes, out):
    from PIL import Image, ImageDraw
    image = Image.open(png).convert("RGB")
    draw = ImageDraw.Draw(image)
    for boxes, color, width in ((fp32_boxes, (0, 170, 0), 3),
                                (int8_boxes, (220, 0, 0), 1)):
        for quad in boxes:
            draw.polygon([tuple(p) for p in quad], outline=color, width=width)
    image.save(out)


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.split("\n")[1:]))
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "demo", "detector"),
                    help="pages, libraries and pictures go here")
    ap.add_argument("--calibration-pages", type=int, default=8)
    ap.add_argument("--eval-pages", type=int, default=6)
    ap.add_argument("--method", default="percentile",
                    choices=("minmax", "percentile", "entropy", "mse"))
    ap.add_argument("--runs", type=int, default=20,
                    help="timed runs of each engine, in --rounds rounds")
    ap.add_argument("--rounds", type=int, default=5,
                    help="rounds of ORT, quant fp32, quant int8 in turn (so "
                    "that load from other processes hits all three alike)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--size", default="640x640", help="page HxW")
    args = ap.parse_args()
    if not os.path.exists(DET):
        sys.exit("%s is missing: run utils/fetch-models.sh" % DET)
    h, w = (int(v) for v in args.size.split("x"))
    work = os.path.abspath(args.work)
    calib, held = os.path.join(work, "calibration"), os.path.join(work, "eval")
    os.makedirs(work, exist_ok=True)
    for folder in (calib, held):  # pages of an earlier run with other counts
        if os.path.isdir(folder):
            for name in os.listdir(folder):
                os.remove(os.path.join(folder, name))

    print("PaddleOCR text detector %s (%.1f MB), input 1x3x%dx%d" % (
        os.path.basename(DET), os.path.getsize(DET) / 1e6, h, w))
    with Step("==> rendering %d calibration pages (project generator "
              "test/Models/Inputs/ocr_calibration_set.py, seed %d)"
              % (args.calibration_pages, CALIBRATION_SEED)):
        run([sys.executable, OWN_PAGES, calib, str(args.calibration_pages),
             "--size", args.size, "--seed", str(CALIBRATION_SEED)])
    with Step("==> rendering %d evaluation pages (independent generator "
              "utils/make_eval_pages.py, seed %d; never calibrated on)"
              % (args.eval_pages, EVAL_SEED)):
        run([sys.executable, EVAL_PAGES, held, str(args.eval_pages),
             "--size", args.size, "--seed", str(EVAL_SEED), "--png"])

    shapes = {"x": [1, 3, h, w]}
    fp32_so, int8_so = (os.path.join(work, "det_%s.so" % p) for p in ("fp32", "int8"))
    with Step("==> quant.compile_file: fp32 shared library"):
        quant.compile_file(DET, fp32_so, input_shapes=shapes)
    with Step("==> quant.compile_file: int8 shared library (calibration: %s "
              "on the %d calibration pages, per-channel weights)"
              % (args.method, args.calibration_pages)):
        quant.compile_file(DET, int8_so, input_shapes=shapes, precision="int8",
                           calibration_data=calib,
                           calibration_method=args.method,
                           granularity="per-channel")
    fp32, int8 = quant.Model(fp32_so), quant.Model(int8_so)

    rows = []
    pages = pages_in(held)
    with Step("==> running fp32 and int8 (quant.Model) on the %d evaluation "
              "pages, DB post-process, drawing boxes" % len(pages)):
        for page in pages:
            x = np.load(page)
            ref = next(iter(fp32.run(x=x).values()))
            test = next(iter(int8.run(x=x).values()))
            ref_boxes, test_boxes = db_boxes(ref), db_boxes(test)
            m = match_boxes(ref_boxes, test_boxes)
            stem = os.path.splitext(os.path.basename(page))[0]
            draw_boxes(os.path.join(held, stem + ".png"), ref_boxes, test_boxes,
                       os.path.join(work, "boxes-%s.png" % stem))
            rows.append({"page": stem, "path": page, "ref": ref,
                         "sqnr": sqnr_db(ref, test),
                         "iou": mask_iou(ref, test), "fp32": len(ref_boxes),
                         "int8": len(test_boxes), "recall": m["recall"],
                         "precision": m["precision"]})
    with Step("==> running ONNX Runtime fp32 (utils/ort-run.js) on the %d "
              "evaluation pages" % len(pages)):
        for r in rows:
            out = os.path.join(work, "ort", r["page"])
            if os.path.isdir(out):
                for name in os.listdir(out):
                    os.remove(os.path.join(out, name))
            run(ORT_RUN + [DET, "--input", "x=" + r["path"], "--output-dir", out])
            (name,) = os.listdir(out)
            ort = np.load(os.path.join(out, name))
            r["ort_sqnr"] = sqnr_db(ort, r.pop("ref"))
            r["ort"] = len(db_boxes(ort))

    print("\nOn the %d evaluation pages (utils/make_eval_pages.py, seed %d):"
          % (len(rows), EVAL_SEED))
    print("%-5s | %-33s | %-21s | %s" % (
        "", "quant int8 against quant fp32", "boxes (DB post-proc.)",
        "quant fp32 vs ORT"))
    print("%-5s | %7s %8s %7s %9s | %6s %6s %7s | %s" % (
        "page", "SQNR dB", "mask IoU", "recall", "precision", "ORT", "fp32",
        "int8", "SQNR dB"))
    for r in rows:
        print("%-5s | %7.1f %8.3f %7.3f %9.3f | %6d %6d %7d | %6.1f" % (
            r["page"], r["sqnr"], r["iou"], r["recall"], r["precision"],
            r["ort"], r["fp32"], r["int8"], r["ort_sqnr"]))

    def total(key):
        return sum(r[key] for r in rows)

    def low(key):
        return min(r[key] for r in rows)

    def mean(key):
        return float(np.mean([r[key] for r in rows]))
    print("%-5s | %7.1f %8.3f %7.3f %9.3f | %21s | %6.1f" % (
        "min", low("sqnr"), low("iou"), low("recall"), low("precision"), "",
        low("ort_sqnr")))
    print("%-5s | %7.1f %8.3f %7.3f %9.3f | %21s | %6.1f" % (
        "mean", mean("sqnr"), mean("iou"), mean("recall"), mean("precision"),
        "", mean("ort_sqnr")))
    print("%-5s | %33s | %6d %6d %7d |" % ("total", "", total("ort"),
                                           total("fp32"), total("int8")))
    print("mask: prob > %.1f; recall/precision: int8 boxes matched one to one "
          "with fp32 boxes at IoU >= 0.7" % THRESH)
    print("boxes drawn on the pages: %s/boxes-NNNN.png (fp32 green, int8 red)"
          % work)

    page = pages[0]
    stem = os.path.splitext(os.path.basename(page))[0]
    x = np.load(page)
    plural = "" if args.threads == 1 else "s"
    per_round = max(1, args.runs // args.rounds)
    timings = {"ort": [], "fp32": [], "int8": []}
    with Step("==> timing ONNX Runtime fp32 (ort-run.js --bench), quant fp32 "
              "and quant int8 (quant.Model.bench) in %d interleaved rounds of "
              "%d runs, %d thread%s" % (args.rounds, per_round, args.threads,
                                        plural)):
        for _ in range(args.rounds):
            timings["ort"].append(ort_round(page, per_round, args.threads))
            timings["fp32"].append(quant_round(fp32, x, per_round, args.threads))
            timings["int8"].append(quant_round(int8, x, per_round, args.threads))
    # Each engine: the median of its round medians, and its fastest run.
    ms = {k: (statistics.median(m for m, _ in v), min(f for _, f in v))
          for k, v in timings.items()}
    ort_ms, fp32_ms, int8_ms = (ms[k][0] for k in ("ort", "fp32", "int8"))

    kernels = int8_kernels(int8_so)
    print("\nLatency on page %s, %d thread%s, measured in this run (median of "
          "the %d round medians; fastest run):" % (stem, args.threads, plural,
                                                   args.rounds))
    print("%-18s %8s %8s %15s %10s" % ("", "median", "fastest",
                                       "speed-up vs ORT", "file"))
    for name, key, path in (("ONNX Runtime fp32", "ort", DET),
                            ("quant fp32", "fp32", fp32_so),
                            ("quant int8", "int8", int8_so)):
        print("%-18s %5.1f ms %5.1f ms %14.2fx %7.2f MB" % (
            name, ms[key][0], ms[key][1], ort_ms / ms[key][0],
            os.path.getsize(path) / 1e6))
    print("quant int8 is %.2fx as fast as quant fp32 and %.2fx as fast as ONNX "
          "Runtime fp32 (int8 kernels in its library: %s)" % (
              fp32_ms / int8_ms, ort_ms / int8_ms, kernels))
    sys.stdout.flush()


if __name__ == "__main__":
    start = time.monotonic()
    main()
    print("detector demo: %.0f s" % (time.monotonic() - start))
