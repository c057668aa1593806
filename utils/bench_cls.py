#!/usr/bin/env python3
"""Orientation accuracy of the PaddleOCR text-line classifier, fp32 and int8.

    /usr/bin/python3 utils/bench_cls.py [--bin build/bin] [--lines 200]
        [--calibration-lines 32] [--method percentile] [--flag=--cle ...]

Not a test: one run that
  1. renders held-out text lines (random words, DejaVu fonts, sizes, ink
     and paper colors, light noise), half of them upright and half turned
     by 180 degrees, and a disjoint set of calibration lines (another
     seed), preprocessed as PaddleOCR's classifier expects (BGR, height 48,
     width up to 192 keeping the aspect ratio, zero-padded, (x/255 - 0.5) /
     0.5, NCHW float32);
  2. compiles the classifier (ch_ppocr_mobile_v2.0_cls from the model cache)
     to fp32 and to int8 (quant-compile --precision=int8 calibrated on the
     calibration lines, plus any --flag);
  3. prints the orientation accuracy of both (label 0: upright, 1: turned)
     and how often int8 and fp32 agree.
"""

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("QUANT_CACHE_DIR", os.path.expanduser("~/.cache/quant"))
MODELS_DIR = os.environ.get("QUANT_MODELS_DIR", os.path.join(CACHE, "models"))
CLS = os.path.join(MODELS_DIR, "ocr-models", "assets",
                   "ch_ppocr_mobile_v2.0_cls_infer.onnx")
# The fonts and words of the rendered detector pages, plus a few more words.
_spec = importlib.util.spec_from_file_location(
    "ocr_calibration_set",
    os.path.join(ROOT, "test", "Models", "Inputs", "ocr_calibration_set.py"))
_pages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_pages)
FONTS = _pages.FONTS
WORDS = _pages.WORDS + ("Berlin Paris delivery customer number account "
                        "balance payment due").split()


def text_line(rng):
    """One cropped text line as an RGB image."""
    fonts = [f for f in FONTS if os.path.exists(f)]
    size = int(rng.integers(20, 40))
    font = ImageFont.truetype(fonts[int(rng.integers(len(fonts)))], size)
    text = " ".join(rng.choice(WORDS, int(rng.integers(1, 5))))
    left, top, right, bottom = font.getbbox(text)
    pad = int(rng.integers(2, 8))
    width, height = right - left + 2 * pad, bottom - top + 2 * pad
    paper = tuple(int(v) for v in rng.integers(180, 256, 3))
    ink = tuple(int(v) for v in rng.integers(0, 90, 3))
    image = Image.new("RGB", (width, height), paper)
    ImageDraw.Draw(image).text((pad - left, pad - top), text, fill=ink, font=font)
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels + rng.normal(0, 4, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def preprocess(image):
    """PaddleOCR's cls preprocessing: resize to height 48 (width <= 192),
    BGR, (x/255 - 0.5)/0.5, zero-padded to 192, NCHW."""
    h, w = 48, 192
    ratio = image.width / float(image.height)
    resized_w = min(w, int(np.ceil(h * ratio)))
    resized = np.asarray(image.resize((resized_w, h), Image.BILINEAR),
                         dtype=np.float32)[:, :, ::-1]
    resized = (resized / 255.0 - 0.5) / 0.5
    out = np.zeros((1, 3, h, w), dtype=np.float32)
    out[0, :, :, :resized_w] = resized.transpose(2, 0, 1)
    return out


def make_set(directory, count, seed):
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(seed)
    labels = []
    for i in range(count):
        image = text_line(rng)
        turned = i % 2 == 1
        if turned:
            image = image.rotate(180)
        labels.append(1 if turned else 0)
        np.save(os.path.join(directory, "%04d.npy" % i), preprocess(image))
    return labels


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (result.returncode, " ".join(cmd),
                                           result.stderr))
    return result


def predictions(quant_run, model, directory, count, work):
    out = []
    for i in range(count):
        dest = os.path.join(work, "%s.%d" % (os.path.basename(model), i))
        run([quant_run, model, "--input", os.path.join(directory, "%04d.npy" % i),
             "--output-dir", dest])
        (name,) = os.listdir(dest)
        out.append(int(np.argmax(np.load(os.path.join(dest, name)))))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--lines", type=int, default=200)
    ap.add_argument("--calibration-lines", type=int, default=32)
    ap.add_argument("--method", default="percentile")
    ap.add_argument("--flag", action="append", default=[],
                    help="extra quant-compile flag for the int8 build")
    args = ap.parse_args()
    if not os.path.exists(CLS):
        sys.exit("no classifier at %s (run utils/fetch-models.sh)" % CLS)
    compile_ = os.path.join(args.bin, "quant-compile")
    quant_run = os.path.join(args.bin, "quant-run")
    with tempfile.TemporaryDirectory() as work:
        labels = make_set(os.path.join(work, "eval"), args.lines, seed=11)
        make_set(os.path.join(work, "calib"), args.calibration_lines, seed=12)
        fp32 = os.path.join(work, "cls-fp32.so")
        int8 = os.path.join(work, "cls-int8.so")
        shape = ["--input-shape", "x=1x3x48x192"]
        run([compile_, CLS] + shape + ["-o", fp32])
        run([compile_, CLS] + shape + ["--precision=int8", "--calibration-data",
             os.path.join(work, "calib"), "--calibration-method=" + args.method]
            + args.flag + ["-o", int8])
        results = {}
        for name, model in (("fp32", fp32), ("int8", int8)):
            results[name] = predictions(quant_run, model,
                                        os.path.join(work, "eval"),
                                        args.lines, work)
        for name in ("fp32", "int8"):
            correct = sum(p == l for p, l in zip(results[name], labels))
            print("%s: orientation accuracy %.1f%% (%d of %d lines)" %
                  (name, 100.0 * correct / len(labels), correct, len(labels)))
        agree = sum(a == b for a, b in zip(results["fp32"], results["int8"]))
        print("int8 agrees with fp32 on %d of %d lines; int8 flags: %s" %
              (agree, len(labels), " ".join(["--calibration-method=" +
                                             args.method] + args.flag)))


if __name__ == "__main__":
    main()
