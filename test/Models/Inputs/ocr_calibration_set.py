#!/usr/bin/env python3
"""Makes a calibration set for the PaddleOCR detector.

    ocr_calibration_set.py OUTDIR N [--size HxW] [--seed S]

writes OUTDIR/0000.npy ... : N rendered pages (H x W, default 640 x 640),
each with a few lines of words at random sizes, positions, ink and paper
colors, light noise, preprocessed as the detector's pipeline does it
(BGR/255, ImageNet mean/std, NCHW float32). Deterministic for a seed.
Needs Debian's python3-numpy, python3-pil and fonts-dejavu-core.
"""

import argparse
import os

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"]
WORDS = ("invoice total amount date quantize calibrate range scale zero point "
         "kernel tensor model compile 2026 4711 No. EUR page receipt address "
         "street order item price tax sum int8 vnni sdot entropy").split()


def page(rng, height, width):
    paper = tuple(int(v) for v in rng.integers(200, 256, 3))
    image = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(image)
    fonts = [f for f in FONTS if os.path.exists(f)]
    y = int(rng.integers(5, 40))
    while y < height - 30:
        size = int(rng.integers(14, 44))
        font = ImageFont.truetype(fonts[int(rng.integers(len(fonts)))], size)
        text = " ".join(rng.choice(WORDS, int(rng.integers(2, 7))))
        ink = tuple(int(v) for v in rng.integers(0, 90, 3))
        draw.text((int(rng.integers(5, width // 3)), y), text, fill=ink, font=font)
        y += size + int(rng.integers(8, 60))
    x = np.asarray(image, dtype=np.float32)
    x = np.clip(x + rng.normal(0, 5, x.shape), 0, 255)[:, :, ::-1] / 255.0
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    return ((x - mean) / std).transpose(2, 0, 1)[None].astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--size", default="640x640")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    height, width = (int(v) for v in args.size.split("x"))
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    for i in range(args.n):
        np.save(os.path.join(args.out, "%04d.npy" % i), page(rng, height, width))


if __name__ == "__main__":
    main()
