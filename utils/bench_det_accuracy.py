#!/usr/bin/env python3
"""int8 against fp32 on the PaddleOCR detector, after its own post-process.

    /usr/bin/python3 utils/bench_det_accuracy.py [--bin build/bin]
        [--calibration-pages 8] [--eval-pages 6] [--eval-seed 20261205]
        [--set eval|own|both]
        [--granularity per-channel|per-tensor] [--method minmax|percentile|...]
        [--cle] [--bias-correction] [--config SPEC]... [--keep-work DIR]

Not a test: one run that
  1. renders the calibration pages with the project's own generator
     (test/Models/Inputs/ocr_calibration_set.py, seed 1; used for
     calibration only) and the pages to evaluate on:
       eval: utils/make_eval_pages.py, seed 20261205, an independent
             renderer (other fonts, word list, layouts, backgrounds, blur,
             rotation); --eval-seed renders another set of it (the
             issue-27 fixes were found on seed 20261205's pages, so
             held-out figures use fresh seeds, e.g. 20261209, 20261211);
       own:  ocr_calibration_set.py, seed 1001, held-out pages of the
             calibration renderer (as utils/bench_int8.py does);
  2. compiles the detector (ch_PP-OCRv4_det from the model cache) to an
     fp32 shared library and to one int8 shared library per configuration
     (quant-compile --precision=int8 calibrated on the calibration pages);
  3. runs them on every page with quant-run and prints, per page, the
     probability-map SQNR of int8 against fp32, the IoU of the text masks
     at 0.3, the number of boxes of PaddleOCR's DB post-process
     (utils/det_postprocess.py) for fp32 and int8, and the recall and
     precision of the int8 boxes against the fp32 boxes (one-to-one at IoU
     >= 0.7), with the number of int8 boxes that merge several fp32 boxes
     and of fp32 boxes split into several int8 boxes; then a min/mean
     summary line per configuration and set.

A configuration is the int8 flags: --granularity, --method, --cle and
--bias-correction give one; --config SPEC (repeatable) gives several in one
run, SPEC a comma list of tokens among per-channel, per-tensor, minmax,
percentile, entropy, mse, cle, bias-correction, float-elementwise (the
adds, products, means and concats between int8 layers kept float:
--int8-elementwise=false), no-equalize (--equalize-activations=false:
the activations into depthwise convs not rescaled) (e.g. --config minmax
--config percentile --config per-tensor,cle,bias-correction).

With --keep-work DIR the pages, libraries and outputs stay in DIR, and
libraries already there (fp32.so, int8-<config>-c<pages>.so) are reused:
delete them after rebuilding quant.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from det_postprocess import THRESH, db_boxes, match_boxes  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("QUANT_CACHE_DIR", os.path.expanduser("~/.cache/quant"))
MODELS_DIR = os.environ.get("QUANT_MODELS_DIR", os.path.join(CACHE, "models"))
DET = os.path.join(MODELS_DIR, "ocr-models", "assets", "ch_PP-OCRv4_det_infer.onnx")
OWN_PAGES = os.path.join(ROOT, "test", "Models", "Inputs", "ocr_calibration_set.py")
EVAL_PAGES = os.path.join(ROOT, "utils", "make_eval_pages.py")
CALIBRATION_SEED, OWN_SEED, EVAL_SEED = 1, 1001, 20261205

GRANULARITIES = ("per-channel", "per-tensor")
METHODS = ("minmax", "percentile", "entropy", "mse")


def run(cmd):
    """Runs a command that must succeed; returns its stdout."""
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        sys.exit("failed (%d): %s\n%s%s" % (proc.returncode, " ".join(cmd),
                                            proc.stdout, proc.stderr))
    return proc.stdout


class Step:
    """Times a step and prints how long it took."""

    def __init__(self, what):
        self.what = what

    def __enter__(self):
        print("%s ..." % self.what, end="", flush=True)
        self.start = time.monotonic()

    def __exit__(self, *exc):
        print(" %.1f s" % (time.monotonic() - self.start), flush=True)


def parse_config(spec):
    """A configuration from a SPEC: dict granularity, method, cle, bc."""
    config = {"granularity": "per-channel", "method": "minmax",
              "cle": False, "bias_correction": False,
              "float_elementwise": False, "no_equalize": False}
    for token in filter(None, (t.strip() for t in spec.split(","))):
        if token in GRANULARITIES:
            config["granularity"] = token
        elif token in METHODS:
            config["method"] = token
        elif token == "cle":
            config["cle"] = True
        elif token in ("bias-correction", "bc"):
            config["bias_correction"] = True
        elif token == "float-elementwise":
            config["float_elementwise"] = True
        elif token == "no-equalize":
            config["no_equalize"] = True
        else:
            sys.exit("unknown token %r in --config %s" % (token, spec))
    return config


def config_name(config):
    parts = [config["granularity"], config["method"]]
    if config["cle"]:
        parts.append("cle")
    if config["bias_correction"]:
        parts.append("bias-correction")
    if config.get("float_elementwise"):
        parts.append("float-elementwise")
    if config.get("no_equalize"):
        parts.append("no-equalize")
    return "+".join(parts)


def config_flags(config):
    flags = ["--granularity=" + config["granularity"],
             "--calibration-method=" + config["method"]]
    if config["cle"]:
        flags.append("--cle")
    if config["bias_correction"]:
        flags.append("--bias-correction")
    if config.get("float_elementwise"):
        flags.append("--int8-elementwise=false")
    if config.get("no_equalize"):
        flags.append("--equalize-activations=false")
    return flags


def sqnr_db(ref, test):
    noise = np.sum((ref.astype(np.float64) - test) ** 2)
    signal = np.sum(ref.astype(np.float64) ** 2)
    return float("inf") if noise == 0 else 10 * np.log10(signal / noise)


def mask_iou(ref, test, thresh=THRESH):
    a, b = ref > thresh, test > thresh
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def run_model(quant_run, model, page, out_dir):
    """The model's single output on one page (cached in out_dir)."""
    if not (os.path.isdir(out_dir) and os.listdir(out_dir)):
        os.makedirs(out_dir, exist_ok=True)
        run([quant_run, model, "--input", "x=" + page, "--output-dir", out_dir])
    outputs = sorted(os.listdir(out_dir))
    if len(outputs) != 1:
        sys.exit("expected one output in %s, got %s" % (out_dir, outputs))
    return np.load(os.path.join(out_dir, outputs[0]))


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.split("\n")[1:]))
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--calibration-pages", type=int, default=8)
    ap.add_argument("--eval-pages", type=int, default=6,
                    help="pages per evaluated set")
    ap.add_argument("--eval-seed", type=int, default=EVAL_SEED,
                    help="seed of make_eval_pages.py for the eval set")
    ap.add_argument("--set", choices=("eval", "own", "both"), default="eval")
    ap.add_argument("--granularity", choices=GRANULARITIES, default="per-channel")
    ap.add_argument("--method", choices=METHODS, default="minmax")
    ap.add_argument("--cle", action="store_true")
    ap.add_argument("--bias-correction", action="store_true")
    ap.add_argument("--config", action="append", default=[],
                    help="an int8 configuration SPEC (repeatable); "
                    "overrides the four flags above")
    ap.add_argument("--size", default="640x640", help="page HxW")
    ap.add_argument("--keep-work", metavar="DIR",
                    help="keep (and reuse) pages, libraries and outputs here")
    args = ap.parse_args()
    if not os.path.exists(DET):
        sys.exit("%s is missing: run utils/fetch-models.sh" % DET)
    if args.config:
        configs = [parse_config(spec) for spec in args.config]
    else:
        configs = [{"granularity": args.granularity, "method": args.method,
                    "cle": args.cle, "bias_correction": args.bias_correction}]
    compile_ = os.path.join(args.bin, "quant-compile")
    quant_run = os.path.join(args.bin, "quant-run")
    h, w = args.size.split("x")
    shape = "x=1x3x%sx%s" % (h, w)
    sets = ("eval", "own") if args.set == "both" else (args.set,)

    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.abspath(args.keep_work) if args.keep_work else tmp
        os.makedirs(work, exist_ok=True)
        calib = os.path.join(work, "pages", "calib-c%d" % args.calibration_pages)
        # Outputs are cached per page folder: one folder per eval seed.
        set_dirs = {"eval": os.path.join(work, "pages",
                                         "eval-%d" % args.eval_seed),
                    "own": os.path.join(work, "pages", "own")}
        # Pages are cheap: always rendered again (the outputs are cached per
        # page, so a changed page count or size starts a fresh work folder).
        with Step("rendering %d calibration pages (ocr_calibration_set.py, "
                  "seed %d)" % (args.calibration_pages, CALIBRATION_SEED)):
            run([sys.executable, OWN_PAGES, calib, str(args.calibration_pages),
                 "--size", args.size, "--seed", str(CALIBRATION_SEED)])
        for name in sets:
            script, seed = ((EVAL_PAGES, args.eval_seed) if name == "eval"
                            else (OWN_PAGES, OWN_SEED))
            with Step("rendering %d %s pages (%s, seed %d)" % (
                    args.eval_pages, name, os.path.basename(script), seed)):
                run([sys.executable, script, set_dirs[name],
                     str(args.eval_pages), "--size", args.size,
                     "--seed", str(seed)])

        models = {}
        fp32 = os.path.join(work, "fp32.so")
        if os.path.exists(fp32):
            print("reusing %s" % fp32)
        else:
            with Step("compiling fp32"):
                run([compile_, DET, "--input-shape", shape, "--emit=shared",
                     "-o", fp32])
        for config in configs:
            name = config_name(config)
            lib = os.path.join(work, "int8-%s-c%d.so" % (name, args.calibration_pages))
            cmd = ([compile_, DET, "--input-shape", shape, "--precision=int8",
                    "--calibration-data", calib] + config_flags(config)
                   + ["--emit=shared", "-o", lib])
            print("  " + " ".join(cmd))
            if os.path.exists(lib):
                print("reusing %s" % lib)
            else:
                with Step("compiling int8 %s" % name):
                    run(cmd)
            models[name] = lib

        rows = {}  # (config, set) -> list of per-page dicts
        with Step("running fp32 and %d int8 model(s) on %d page(s), "
                  "post-processing" % (len(models), len(sets) * args.eval_pages)):
            for set_name in sets:
                pages = sorted(p for p in os.listdir(set_dirs[set_name])
                               if p.endswith(".npy"))
                for page in pages:
                    path = os.path.join(set_dirs[set_name], page)
                    stem = os.path.splitext(page)[0]
                    out = os.path.join(work, "out",
                                       os.path.basename(set_dirs[set_name]),
                                       stem)
                    ref = run_model(quant_run, fp32, path,
                                    os.path.join(out, "fp32"))
                    ref_boxes = db_boxes(ref)
                    for name, lib in models.items():
                        tag = os.path.splitext(os.path.basename(lib))[0]
                        test = run_model(quant_run, lib, path,
                                         os.path.join(out, tag))
                        boxes = db_boxes(test)
                        m = match_boxes(ref_boxes, boxes)
                        rows.setdefault((name, set_name), []).append({
                            "page": stem, "sqnr": sqnr_db(ref, test),
                            "iou": mask_iou(ref, test),
                            "fp32_boxes": len(ref_boxes), "int8_boxes": len(boxes),
                            "recall": m["recall"], "precision": m["precision"],
                            "merged": m["merged"], "split": m["split"]})

    print("\nfp32 against int8 on %dx%s pages (calibration: %d pages of "
          "ocr_calibration_set.py, seed %d; eval: make_eval_pages.py, seed "
          "%d)\n" % (int(h), w, args.calibration_pages, CALIBRATION_SEED,
                      args.eval_seed))
    print("| config | set | page | SQNR dB | mask IoU | fp32 boxes | int8 boxes"
          " | recall | precision | merged | split |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for (name, set_name), pages in rows.items():
        for r in pages:
            print("| %s | %s | %s | %.1f | %.3f | %d | %d | %.3f | %.3f | %d | %d |"
                  % (name, set_name, r["page"], r["sqnr"], r["iou"],
                     r["fp32_boxes"], r["int8_boxes"], r["recall"],
                     r["precision"], r["merged"], r["split"]))
    print()
    for (name, set_name), pages in rows.items():
        def stat(key):
            values = [r[key] for r in pages]
            return min(values), float(np.mean(values))
        print("summary %s on %s (%d pages): SQNR min %.1f mean %.1f dB, "
              "mask IoU min %.3f mean %.3f, recall min %.3f mean %.3f, "
              "precision min %.3f mean %.3f, boxes fp32 %d int8 %d, "
              "merged %d, split %d" % (
                  name, set_name, len(pages), *stat("sqnr"), *stat("iou"),
                  *stat("recall"), *stat("precision"),
                  sum(r["fp32_boxes"] for r in pages),
                  sum(r["int8_boxes"] for r in pages),
                  sum(r["merged"] for r in pages),
                  sum(r["split"] for r in pages)))


if __name__ == "__main__":
    main()
