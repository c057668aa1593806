#!/usr/bin/env python3
"""Makes realistic inputs for the real-model tests and the benchmark.

    realistic_inputs.py OUTDIR

writes, preprocessed the way each model's own pipeline does it:

  cls.npy    [1,3,48,192]  a rendered line of text (DejaVu Sans, dark on a
                           light, slightly noisy background), PaddleOCR's
                           classifier preprocessing: RGB/255, (x-0.5)/0.5
  det.npy    [1,3,320,640] a rendered page with four lines of text at
                           different sizes, PaddleOCR's detector preprocessing:
                           BGR/255, ImageNet mean/std
  audio.npy  [1,16000]     one second of speech by espeak-ng ("hey jarvis,
                           what's the weather"), resampled to 16 kHz, scaled
                           to the int16 range as openWakeWord feeds it

embedding.npy is not made here: it is the melspectrogram model's output for
audio.npy (computed by the peer, ONNX Runtime), see mel_to_embedding.py.

Needs Debian's python3-numpy, python3-pil, fonts-dejavu-core and espeak-ng.
Everything is deterministic (fixed noise seed, fixed text).
"""

import os
import subprocess
import sys
import tempfile
import wave

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
rng = np.random.default_rng(7)


def noisy(image):
    a = np.asarray(image, dtype=np.float32)
    a = a + rng.normal(0, 6, a.shape)
    return np.clip(a, 0, 255)


def text_line():
    image = Image.new("RGB", (192, 48), (236, 232, 220))
    draw = ImageDraw.Draw(image)
    draw.text((6, 8), "Quantize 2026", fill=(30, 30, 40), font=ImageFont.truetype(FONT, 26))
    x = noisy(image).transpose(2, 0, 1) / 255.0
    return ((x - 0.5) / 0.5)[None].astype(np.float32)


def text_page():
    image = Image.new("RGB", (640, 320), (245, 245, 240))
    draw = ImageDraw.Draw(image)
    lines = [("INVOICE No. 4711", 40, 20), ("Post-training quantization", 30, 90),
             ("calibrate, equalize, correct bias", 24, 160),
             ("int8 kernels: VNNI, sdot, tensor cores", 20, 230)]
    for text, size, y in lines:
        draw.text((30, y), text, fill=(20, 20, 20), font=ImageFont.truetype(FONT, size))
    x = noisy(image)[:, :, ::-1] / 255.0  # BGR, as PaddleOCR reads with OpenCV
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    return ((x - mean) / std).transpose(2, 0, 1)[None].astype(np.float32)


def speech():
    with tempfile.TemporaryDirectory() as tmp:
        wav = os.path.join(tmp, "speech.wav")
        subprocess.run(["espeak-ng", "-s", "150", "-w", wav, "hey jarvis, what's the weather"],
                       check=True)
        with wave.open(wav) as f:
            rate = f.getframerate()
            pcm = np.frombuffer(f.readframes(f.getnframes()), np.int16).astype(np.float64)
    n = int(len(pcm) * 16000 / rate)
    audio = np.interp(np.arange(n) * rate / 16000, np.arange(len(pcm)), pcm)
    # One second starting at the first loud sample.
    start = int(np.argmax(np.abs(audio) > 500))
    out = np.zeros(16000)
    chunk = audio[start:start + 16000]
    out[:len(chunk)] = chunk
    return out[None].astype(np.float32)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "cls.npy"), text_line())
    np.save(os.path.join(out, "det.npy"), text_page())
    np.save(os.path.join(out, "audio.npy"), speech())


if __name__ == "__main__":
    main()
