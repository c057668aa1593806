#!/usr/bin/env python3
"""int8 against fp32 and ONNX Runtime on the PaddleOCR detector.

    /usr/bin/python3 utils/bench_int8.py [--bin build/bin] [--runs 10]
        [--threads 1,2] [--calibration-pages 8] [--eval-pages 4]
        [--method percentile] [--size 640x640]

Not a test: one run that
  1. renders calibration pages and disjoint held-out pages
     (test/Models/Inputs/ocr_calibration_set.py, different seeds),
  2. compiles the detector to an fp32 and an int8 shared library
     (quant-compile --precision=int8, calibrated on the calibration pages;
     --int8-kernels=auto, the best microkernels of this CPU),
  3. reports accuracy on the held-out pages: SQNR of the int8 probability
     map against fp32 and the IoU of the text masks at threshold 0.3,
  4. exports the same int8 module as a QDQ ONNX model (--emit=onnx) and
     reports how ONNX Runtime's results on it compare with quant's int8
     (SQNR between the two probability maps, text-mask IoU),
  5. times quant fp32, quant int8, ONNX Runtime fp32 and ONNX Runtime on the
     QDQ export (onnxruntime-node, utils/ort-run.js) on the same input in
     the same run, at each thread count, and prints the ratios (ORT /
     quant int8: above 1 is faster than ORT), and the artifacts' sizes.
"""

import argparse
import os
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("QUANT_CACHE_DIR", os.path.expanduser("~/.cache/quant"))
MODELS_DIR = os.environ.get("QUANT_MODELS_DIR", os.path.join(CACHE, "models"))
DET = os.path.join(MODELS_DIR, "ocr-models", "assets", "ch_PP-OCRv4_det_infer.onnx")
PAGES = os.path.join(ROOT, "test", "Models", "Inputs", "ocr_calibration_set.py")


from bench_cls import run  # a command that must succeed


def median_ms(cmd):
    out = run(cmd).stdout
    for line in out.splitlines():
        if line.startswith("median"):
            return float(line.split()[1])
    sys.exit("no timing in: %s" % out)


def sqnr_db(ref, test):
    noise = np.sum((ref.astype(np.float64) - test) ** 2)
    signal = np.sum(ref.astype(np.float64) ** 2)
    return float("inf") if noise == 0 else 10 * np.log10(signal / noise)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--calibration-pages", type=int, default=8)
    ap.add_argument("--eval-pages", type=int, default=4)
    ap.add_argument("--method", default="percentile")
    ap.add_argument("--size", default="640x640")
    args = ap.parse_args()
    if not os.path.exists(DET):
        sys.exit("%s is missing: run utils/fetch-models.sh" % DET)
    compile_ = os.path.join(args.bin, "quant-compile")
    quant_run = os.path.join(args.bin, "quant-run")
    ort_run = ["node", os.path.join(ROOT, "utils", "ort-run.js")]
    h, w = args.size.split("x")
    shape = "x=1x3x%sx%s" % (h, w)
    with tempfile.TemporaryDirectory() as work:
        calib, held = os.path.join(work, "calib"), os.path.join(work, "eval")
        run([sys.executable, PAGES, calib, str(args.calibration_pages),
             "--size", args.size, "--seed", "1"])
        run([sys.executable, PAGES, held, str(args.eval_pages),
             "--size", args.size, "--seed", "1001"])
        fp32, int8 = os.path.join(work, "fp32.so"), os.path.join(work, "int8.so")
        print("compiling fp32 and int8 (calibration: %d pages, %s) ..." %
              (args.calibration_pages, args.method), flush=True)
        run([compile_, DET, "--input-shape", shape, "--emit=shared", "-o", fp32])
        int8_mlir = os.path.join(work, "int8.mlir")
        qdq = os.path.join(work, "qdq.onnx")
        run([compile_, DET, "--input-shape", shape, "--emit=mlir", "-o",
             int8_mlir, "--precision=int8", "--calibration-data", calib,
             "--calibration-method=" + args.method])
        run([compile_, int8_mlir, "--emit=shared", "-o", int8])
        run([compile_, int8_mlir, "--emit=onnx", "-o", qdq])

        def iou(ref, test):
            a, b = ref > 0.3, test > 0.3
            union = np.logical_or(a, b).sum()
            return 1.0 if union == 0 else np.logical_and(a, b).sum() / union

        sqnrs, ious, qdq_sqnrs, qdq_ious = [], [], [], []
        for name in sorted(os.listdir(held)):
            page = os.path.join(held, name)
            outs = []
            for tool, model in ((quant_run, fp32), (quant_run, int8),
                                (ort_run, qdq)):
                out_dir = os.path.join(work, "out", os.path.basename(model),
                                       os.path.splitext(name)[0])
                os.makedirs(out_dir)
                tool = tool if isinstance(tool, list) else [tool]
                run(tool + [model, "--input", "x=" + page, "--output-dir", out_dir])
                (result,) = os.listdir(out_dir)
                outs.append(np.load(os.path.join(out_dir, result)))
            ref, test, ort_qdq = outs
            sqnrs.append(sqnr_db(ref, test))
            ious.append(iou(ref, test))
            qdq_sqnrs.append(sqnr_db(test, ort_qdq))
            qdq_ious.append(iou(test, ort_qdq))
        print("accuracy on %d held-out pages: probability-map SQNR %s dB (min %.1f), "
              "text-mask IoU at 0.3 %s (min %.3f)" % (
                  len(sqnrs), " ".join("%.1f" % s for s in sqnrs), min(sqnrs),
                  " ".join("%.3f" % i for i in ious), min(ious)))
        print("ONNX Runtime on the QDQ export against quant int8: SQNR %s dB, "
              "text-mask IoU %s" % (" ".join("%.1f" % s for s in qdq_sqnrs),
                                    " ".join("%.3f" % i for i in qdq_ious)))
        sizes = (os.path.getsize(fp32), os.path.getsize(int8))
        print("size: fp32 %.2f MB, int8 %.2f MB (%.0f%%)" % (
            sizes[0] / 1e6, sizes[1] / 1e6, 100.0 * sizes[1] / sizes[0]))

        page = os.path.join(held, sorted(os.listdir(held))[0])
        print("\n| threads | quant fp32 ms | quant int8 ms | ORT fp32 ms | "
              "ORT QDQ ms | ORT fp32 / quant int8 | ORT QDQ / quant int8 | "
              "quant fp32 / quant int8 |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for threads in args.threads.split(","):
            common = ["--input", "x=" + page, "--bench", str(args.runs),
                      "--threads", threads]
            q32 = median_ms([quant_run, fp32] + common)
            q8 = median_ms([quant_run, int8] + common)
            ort = median_ms(ort_run + [DET] + common)
            ort8 = median_ms(ort_run + [qdq] + common)
            print("| %s | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f |" % (
                threads, q32, q8, ort, ort8, ort / q8, ort8 / q8, q32 / q8),
                flush=True)


if __name__ == "__main__":
    main()
