#!/usr/bin/env python3
"""Benchmarks quant's FP32 code against ONNX Runtime on the same models.

    /usr/bin/python3 utils/bench_vs_ort.py [--bin build/bin] [--runs 20]
        [--threads 1,2] [--models cls,det,mel,embedding,cnn,dwsep,vit]

Not a test: it prints a table of median latencies (ms) of quant (an AOT
shared library run by quant-run) and of ONNX Runtime (onnxruntime-node via
utils/ort-run.js, same command line) measured in the same run on the same
inputs, and the ratio quant/ORT (below 1 is faster than ORT). Models:
the PaddleOCR classifier (1x3x48x192) and detector (1x3x320x640) and
openWakeWord's melspectrogram (1x16000) and embedding (1x76x32x1) models
from the model cache (utils/fetch-models.sh), with the realistic inputs of
the real-model tests, and the three Fashion-MNIST examples at batch 1.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("QUANT_CACHE_DIR", os.path.expanduser("~/.cache/quant"))
MODELS_DIR = os.environ.get("QUANT_MODELS_DIR", os.path.join(CACHE, "models"))
OCR = os.path.join(MODELS_DIR, "ocr-models", "assets")
OWW = os.path.join(MODELS_DIR, "openwakeword", "models")
FM = os.path.join(ROOT, "examples", "fashion-mnist")

# name: (model, input name, shape, input file in the work dir)
MODELS = {
    "cls": (os.path.join(OCR, "ch_ppocr_mobile_v2.0_cls_infer.onnx"), "x", "1x3x48x192", "cls.npy"),
    "det": (os.path.join(OCR, "ch_PP-OCRv4_det_infer.onnx"), "x", "1x3x320x640", "det.npy"),
    "mel": (os.path.join(OWW, "melspectrogram.onnx"), "input", "1x16000", "audio.npy"),
    "embedding": (os.path.join(OWW, "embedding_model.onnx"), "input_1", "1x76x32x1", "embedding.npy"),
    "cnn": (os.path.join(FM, "cnn.onnx"), "image", "1x1x28x28", "image.npy"),
    "dwsep": (os.path.join(FM, "dwsep.onnx"), "image", "1x1x28x28", "image.npy"),
    "vit": (os.path.join(FM, "vit.onnx"), "image", "1x1x28x28", "image.npy"),
}

MEDIAN = re.compile(r"median ([0-9.]+) ms")


def median(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    m = MEDIAN.search(out)
    if not m:
        sys.exit(f"bench: no median in the output of {' '.join(cmd)}:\n{out}")
    return float(m.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    ort_run = ["node", os.path.join(ROOT, "utils", "ort-run.js")]

    work = tempfile.mkdtemp(prefix="quant-bench-")
    try:
        run(args, threads, ort_run, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args, threads, ort_run, work):
    subprocess.run([sys.executable, os.path.join(ROOT, "test", "Models", "Inputs",
                                                 "realistic_inputs.py"), work], check=True)
    np.save(os.path.join(work, "image.npy"), np.load(os.path.join(FM, "samples.npy"))[:1])
    names = args.models.split(",")
    if "embedding" in names:
        mel = os.path.join(work, "mel")
        subprocess.run(ort_run + [MODELS["mel"][0], "--input", f"input={work}/audio.npy",
                                  "--output-dir", mel], check=True, capture_output=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "test", "Models", "Inputs",
                                                     "mel_to_embedding.py"),
                        os.path.join(mel, "output.npy"), os.path.join(work, "embedding.npy")],
                       check=True)

    header = f"{'model':<10} {'threads':>7} {'quant ms':>10} {'ORT ms':>10} {'quant/ORT':>10}"
    print(header)
    print("-" * len(header))
    for name in names:
        model, input_name, shape, data = MODELS[name]
        if not os.path.exists(model):
            print(f"{name:<10} skipped: {model} is missing (run utils/fetch-models.sh)")
            continue
        lib = os.path.join(work, name + ".so")
        subprocess.run([os.path.join(args.bin, "quant-compile"), model,
                        f"--input-shape={input_name}={shape}", "--emit=shared", "-o", lib],
                       check=True)
        feed = f"{input_name}={os.path.join(work, data)}"
        for t in threads:
            ours = median([os.path.join(args.bin, "quant-run"), lib, "--input", feed,
                           "--bench", str(args.runs), "--threads", str(t)])
            ort = median(ort_run + [model, "--input", feed, "--bench", str(args.runs),
                                    "--threads", str(t)])
            print(f"{name:<10} {t:>7} {ours:>10.3f} {ort:>10.3f} {ours / ort:>10.2f}", flush=True)


if __name__ == "__main__":
    main()
