#!/usr/bin/env python3
"""Renders an evaluation set of text pages for the PaddleOCR detector.

    /usr/bin/python3 utils/make_eval_pages.py OUT_DIR COUNT [--size 640x640]
        [--seed 20261205] [--png]

writes OUT_DIR/0000.npy ... : COUNT pages, each a 1x3xHxW float32 tensor
preprocessed as the detector expects (BGR, /255, ImageNet mean/std applied
in that channel order, NCHW) -- the convention of
test/Models/Inputs/ocr_calibration_set.py. With --png it also writes
OUT_DIR/0000.png ..., the rendered page before preprocessing.

This generator is deliberately independent of ocr_calibration_set.py (which
renders the calibration pages): nothing is tuned on its pages, so it is the
held-out set for accuracy checks (utils/bench_det_accuracy.py). Its seed for
the official evaluation set is 20261205. It differs from the calibration
renderer in every respect that could hide a calibration overfit:

  * fonts: Liberation 2 and GNU FreeFont (sans, serif, mono; regular, bold,
    italic), never DejaVu;
  * words: random entries of /usr/share/dict/words (Debian's wamerican),
    plus numbers, dates and amounts; pronounceable pseudo-words when the
    word list is missing (a warning is printed: the pages then differ);
  * text sizes 12 to 48 px, several layouts: a few scattered lines, a
    wrapped paragraph, 2 or 3 columns of dense text, a form of label/value
    pairs, a table-like grid;
  * paper: white to tinted (cream, grey, blue, green, pink), with a
    brightness gradient, low-frequency blotches and Gaussian pixel noise;
    ink: black, grey, dark blue, dark red, sometimes with low contrast;
  * a small rotation of the whole page (-3 to +3 degrees) and a mild
    Gaussian blur (radius 0 to 1.2 px).

Deterministic for a given seed, size, word list and font files.
Needs Debian's python3-numpy, python3-pil, fonts-liberation2,
fonts-freefont-ttf and wamerican.
"""

import argparse
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = ("/usr/share/fonts/truetype/liberation2",
             "/usr/share/fonts/truetype/freefont")
WORD_LIST = "/usr/share/dict/words"
DEFAULT_SEED = 20261205

# Paper tints (RGB) before brightness variation.
PAPERS = [(255, 255, 255), (250, 246, 230), (236, 236, 236), (228, 236, 248),
          (232, 245, 232), (250, 234, 238), (245, 240, 220), (215, 215, 210)]
# Ink families (RGB); a page jitters one of them.
INKS = [(10, 10, 10), (60, 60, 60), (110, 110, 110), (20, 30, 110),
        (120, 20, 20), (20, 80, 40)]


def find_fonts():
    """The .ttf files of the eval fonts, sorted (so the choice is stable)."""
    fonts = []
    for directory in FONT_DIRS:
        if os.path.isdir(directory):
            fonts += [os.path.join(directory, name)
                      for name in sorted(os.listdir(directory))
                      if name.lower().endswith(".ttf")]
    if not fonts:
        sys.exit("no fonts in %s: apt-get install fonts-liberation2 "
                 "fonts-freefont-ttf" % " or ".join(FONT_DIRS))
    return fonts


def load_words():
    """Plain ASCII words of the system word list (no possessives)."""
    if os.path.exists(WORD_LIST):
        with open(WORD_LIST, encoding="utf-8", errors="ignore") as f:
            words = [w.strip() for w in f]
        words = [w for w in words if w.isascii() and w.isalpha() and len(w) <= 14]
        if len(words) > 1000:
            return words
    print("warning: %s is missing (apt-get install wamerican): using "
          "pseudo-words, the pages differ from the official set" % WORD_LIST,
          file=sys.stderr)
    rng = np.random.default_rng(0)
    onsets = "b c d f g h j k l m n p r s t v w z br cl dr st th sh ch pl tr".split()
    vowels = "a e i o u ai ea ou io".split()
    codas = ["", "", "n", "r", "s", "t", "ng", "ck", "st", "nd"]
    words = set()
    while len(words) < 5000:
        syllables = int(rng.integers(1, 4))
        words.add("".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)
                          for _ in range(syllables)))
    return sorted(words)


class Renderer:
    """Draws random pages; all randomness comes from one Generator."""

    def __init__(self, rng, height, width):
        self.rng = rng
        self.height, self.width = height, width
        self.fonts = find_fonts()
        self.words = load_words()
        self._font_cache = {}

    # -- small random helpers ------------------------------------------------
    def _int(self, low, high):
        """Uniform integer in [low, high]."""
        return int(self.rng.integers(low, high + 1))

    def _font(self, size, path=None):
        path = path or self.fonts[self._int(0, len(self.fonts) - 1)]
        key = (path, size)
        if key not in self._font_cache:
            self._font_cache[key] = ImageFont.truetype(path, size)
        return self._font_cache[key]

    def _token(self):
        """A word, sometimes capitalized, or a number/date/amount."""
        r = self.rng.random()
        if r < 0.08:
            return str(self._int(0, 99999))
        if r < 0.11:
            return "%02d.%02d.%d" % (self._int(1, 28), self._int(1, 12),
                                     self._int(1990, 2030))
        if r < 0.14:
            return "%d.%02d" % (self._int(0, 9999), self._int(0, 99))
        word = self.words[self._int(0, len(self.words) - 1)]
        if self.rng.random() < 0.15:
            word = word.capitalize()
        elif self.rng.random() < 0.04:
            word = word.upper()
        return word

    def _phrase(self, low, high):
        return " ".join(self._token() for _ in range(self._int(low, high)))

    def _ink(self, paper):
        base = np.array(INKS[self._int(0, len(INKS) - 1)])
        ink = np.clip(base + self.rng.integers(-15, 16, 3), 0, 255)
        # Keep at least some contrast to the paper (the darkest paper is ~150).
        if np.mean(paper) - np.mean(ink) < 70:
            ink = np.clip(ink - 60, 0, 255)
        return tuple(int(v) for v in ink)

    def _wrap(self, font, width):
        """Random words filling lines of at most `width` pixels."""
        lines, line = [], ""
        for _ in range(self._int(8, 80)):
            token = self._token()
            trial = (line + " " + token) if line else token
            if font.getlength(trial) > width and line:
                lines.append(line)
                line = token
            else:
                line = trial
        if line:
            lines.append(line)
        return lines

    # -- layouts: each draws into `draw` inside the box (x0, y0, x1, y1) -------
    def _sparse(self, draw, paper, box):
        """A few lines at random sizes and places, not overlapping."""
        x0, y0, x1, y1 = box
        placed = []  # (left, top, right, bottom) of the lines drawn so far
        for _ in range(self._int(2, 7)):
            size = self._int(16, 48)
            font = self._font(size)
            text = self._phrase(1, 5)
            length = font.getlength(text)
            if length >= x1 - x0:
                continue
            for _attempt in range(20):
                x = self._int(x0, int(x1 - length))
                y = self._int(y0, max(y0, y1 - size))
                rect = (x, y, x + length, y + size)
                gap = size // 2
                if all(rect[0] > r[2] + gap or rect[2] + gap < r[0] or
                       rect[1] > r[3] + gap or rect[3] + gap < r[1]
                       for r in placed):
                    placed.append(rect)
                    draw.text((x, y), text, fill=self._ink(paper), font=font)
                    break

    def _paragraph(self, draw, paper, box, size=None):
        """Wrapped text, one column, constant size and line spacing."""
        x0, y0, x1, y1 = box
        size = size or self._int(12, 26)
        font = self._font(size)
        ink = self._ink(paper)
        spacing = self.rng.uniform(1.15, 1.8)
        y = y0
        while y + size <= y1:
            for line in self._wrap(font, x1 - x0):
                if y + size > y1:
                    return
                draw.text((x0, y), line, fill=ink, font=font)
                y += int(size * spacing)
            y += int(size * self.rng.uniform(0.5, 2.0))  # paragraph gap

    def _columns(self, draw, paper, box):
        """A heading, then 2 or 3 columns of dense text."""
        x0, y0, x1, y1 = box
        head = self._int(24, 44)
        draw.text((x0, y0), self._phrase(1, 4), fill=self._ink(paper),
                  font=self._font(head))
        y0 += int(head * 1.6)
        n = self._int(2, 3)
        gutter = self._int(12, 30)
        col = (x1 - x0 - gutter * (n - 1)) // n
        size = self._int(12, 18)
        for i in range(n):
            cx = x0 + i * (col + gutter)
            self._paragraph(draw, paper, (cx, y0, cx + col, y1), size)

    def _form(self, draw, paper, box):
        """Label: value pairs, labels and values in two aligned columns."""
        x0, y0, x1, y1 = box
        size = self._int(14, 30)
        label_font, value_font = self._font(size), self._font(size)
        ink, value_ink = self._ink(paper), self._ink(paper)
        split = x0 + int((x1 - x0) * self.rng.uniform(0.3, 0.5))
        y = y0
        while y + size <= y1:
            draw.text((x0, y), self._phrase(1, 2) + ":", fill=ink, font=label_font)
            value = self._phrase(1, 3)
            if value_font.getlength(value) < x1 - split:
                draw.text((split, y), value, fill=value_ink, font=value_font)
            y += int(size * self.rng.uniform(1.5, 2.6))

    def _table(self, draw, paper, box):
        """A grid of short cells with ruling lines."""
        x0, y0, x1, y1 = box
        size = self._int(12, 22)
        font = self._font(size)
        ink = self._ink(paper)
        cols = self._int(3, 5)
        row_h = int(size * self.rng.uniform(1.8, 2.5))
        col_w = (x1 - x0) // cols
        rule = self.rng.random() < 0.6
        y = y0
        while y + row_h <= y1:
            for c in range(cols):
                text = self._token() if c else self._phrase(1, 2)
                while font.getlength(text) > col_w - 8 and " " in text:
                    text = text.rsplit(" ", 1)[0]
                if font.getlength(text) <= col_w - 8:
                    draw.text((x0 + c * col_w + 4, y + (row_h - size) // 2),
                              text, fill=ink, font=font)
            if rule:
                draw.line([(x0, y + row_h), (x1, y + row_h)], fill=ink, width=1)
            y += row_h

    # -- page ----------------------------------------------------------------
    def _paper(self, margin):
        """Tinted paper with a gradient and blotches, larger than the page."""
        h, w = self.height + 2 * margin, self.width + 2 * margin
        tint = np.array(PAPERS[self._int(0, len(PAPERS) - 1)], dtype=np.float32)
        tint *= self.rng.uniform(0.72, 1.0)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        angle = self.rng.uniform(0, 2 * np.pi)
        ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h)
        shade = 1.0 + self.rng.uniform(-0.12, 0.12) * (ramp - ramp.mean())
        # Low-frequency blotches: coarse noise upsampled bilinearly.
        coarse = self.rng.normal(0, 1, (6, 6)).astype(np.float32)
        blotch = np.asarray(Image.fromarray(coarse, mode="F").resize(
            (w, h), Image.BILINEAR))
        shade = shade + self.rng.uniform(0.0, 0.05) * blotch
        paper = np.clip(tint[None, None, :] * shade[:, :, None], 0, 255)
        return Image.fromarray(paper.astype(np.uint8)), tuple(tint)

    def page(self):
        """One page as an RGB PIL image of the requested size."""
        margin = int(0.06 * max(self.height, self.width))  # room for rotation
        image, paper = self._paper(margin)
        draw = ImageDraw.Draw(image)
        pad = self._int(8, 40)
        box = (margin + pad, margin + pad,
               margin + self.width - pad, margin + self.height - pad)
        layouts = (self._sparse, self._paragraph, self._columns, self._form,
                   self._table)
        weights = np.array([0.25, 0.2, 0.25, 0.15, 0.15])
        layout = layouts[int(self.rng.choice(len(layouts), p=weights))]
        layout(draw, paper, box)
        angle = self.rng.uniform(-3.0, 3.0)
        image = image.rotate(angle, resample=Image.BICUBIC,
                             fillcolor=tuple(int(v) for v in paper))
        image = image.crop((margin, margin, margin + self.width,
                            margin + self.height))
        radius = self.rng.uniform(0.0, 1.2)
        if radius > 0.2:
            image = image.filter(ImageFilter.GaussianBlur(radius))
        pixels = np.asarray(image, dtype=np.float32)
        pixels = pixels + self.rng.normal(0, self.rng.uniform(2, 12), pixels.shape)
        return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))


def preprocess(image):
    """PaddleOCR's detector input: BGR / 255, ImageNet mean/std, 1x3xHxW."""
    x = np.asarray(image, dtype=np.float32)[:, :, ::-1] / 255.0
    mean = np.array([0.485, 0.456, 0.406])
    std = np.array([0.229, 0.224, 0.225])
    return ((x - mean) / std).transpose(2, 0, 1)[None].astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", help="output folder")
    ap.add_argument("count", type=int, help="number of pages")
    ap.add_argument("--size", default="640x640", help="HxW (default 640x640)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED,
                    help="random seed (default %d, the official eval set)"
                    % DEFAULT_SEED)
    ap.add_argument("--png", action="store_true",
                    help="also write a PNG preview of each page")
    args = ap.parse_args()
    height, width = (int(v) for v in args.size.split("x"))
    renderer = Renderer(np.random.default_rng(args.seed), height, width)
    os.makedirs(args.out, exist_ok=True)
    for i in range(args.count):
        image = renderer.page()
        np.save(os.path.join(args.out, "%04d.npy" % i), preprocess(image))
        if args.png:
            image.save(os.path.join(args.out, "%04d.png" % i))


if __name__ == "__main__":
    main()
