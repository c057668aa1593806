#!/usr/bin/env python3
"""Compiles the bundled Fashion-MNIST models with quant and scores them.

    evaluate.py --bin BUILD/bin [--models cnn,dwsep,vit] [--work DIR]
                [--batch 500] [--threads T] [--tolerance 0.1]
                [--precision int8 --calibration-method M --calibration-images N]
                [--compile-flag=--granularity=per-tensor --compile-flag=--cle ...]

For each model: `quant-compile MODEL.onnx --input-shape image=Bx1x28x28
--emit=exe`, then runs the executable on the whole Fashion-MNIST test set
(10000 images, read from Debian's dataset-fashion-mnist and normalized as
train.py does) in batches of B, and compares the top-1 accuracy with the
float accuracy train.py recorded in reference.json. Prints one line per
model and exits 1 when any differs by more than --tolerance points.

With --precision=int8 the model is calibrated on the first N (default
1000) images of the *training* set, disjoint from the test set scored, in
batches of B, and compiled with --precision=int8.

--score-set dev scores the last 5000 images of the training set instead
(disjoint from the calibration images and from the test set; the models
saw them in training). Use it to choose options, and the test set only to
report them. There is no float reference for it in reference.json, so the
line has no ok/MISMATCH verdict: run --precision fp32 --score-set dev for
the float figure.

Needs only numpy (no PyTorch): the reference numbers come from the file.
"""

import argparse
import gzip
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATASET = "/usr/share/datasets/fashion-mnist"


def load_set(prefix):
    with gzip.open(os.path.join(DATASET, prefix + "-images-idx3-ubyte.gz")) as f:
        raw = np.frombuffer(f.read(), np.uint8, offset=16)
    with gzip.open(os.path.join(DATASET, prefix + "-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    images = raw.reshape(-1, 1, 28, 28).astype(np.float32)
    return (images / 255.0 - 0.5) / 0.5, labels


def load_test_set():
    return load_set("t10k")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True, help="directory with quant-compile")
    parser.add_argument("--models", default="cnn,dwsep,vit")
    parser.add_argument("--work", default=None, help="scratch directory")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--tolerance", type=float, default=0.1)
    parser.add_argument("--precision", default="fp32", choices=["fp32", "int8", "int4", "mixed"])
    parser.add_argument("--calibration-method", default="minmax")
    parser.add_argument("--calibration-images", type=int, default=1000)
    parser.add_argument("--score-set", default="test", choices=["test", "dev"],
                        help="test: the 10000 test images; dev: the last "
                             "5000 training images (for choosing options)")
    parser.add_argument("--compile-flag", action="append", default=[],
                        help="extra quant-compile flag (repeatable)")
    args = parser.parse_args()

    work = args.work or os.path.join(os.getcwd(), "fashion-mnist-eval")
    os.makedirs(work, exist_ok=True)
    reference = json.load(open(os.path.join(HERE, "reference.json")))
    if args.score_set == "test":
        images, labels = load_test_set()
    else:
        images, labels = load_set("train")
        images, labels = images[-5000:], labels[-5000:]
    if len(images) % args.batch:
        sys.exit(f"evaluate: --batch {args.batch} does not divide {len(images)}")
    batches = []
    for i in range(0, len(images), args.batch):
        path = os.path.join(work, f"batch{i // args.batch:03d}.npy")
        np.save(path, np.ascontiguousarray(images[i:i + args.batch]))
        batches.append(path)

    extra = []
    dynamic = "--activations=dynamic" in args.compile_flag
    if dynamic:
        # Scales come from each batch at run time: no calibration data.
        extra = ["--precision=" + args.precision]
    elif args.precision != "fp32":
        calib = os.path.join(work, "calibration")
        os.makedirs(calib, exist_ok=True)
        train, _ = load_set("train")
        count = args.calibration_images - args.calibration_images % args.batch
        for i in range(0, max(count, args.batch), args.batch):
            np.save(os.path.join(calib, f"{i // args.batch:04d}.npy"),
                    np.ascontiguousarray(train[i:i + args.batch]))
        extra = ["--precision=" + args.precision, "--calibration-data", calib,
                 "--calibration-method=" + args.calibration_method]

    failed = False
    for name in args.models.split(","):
        exe = os.path.join(work, name)
        start = time.time()
        subprocess.run([os.path.join(args.bin, "quant-compile"),
                        os.path.join(HERE, f"{name}.onnx"),
                        f"--input-shape=image={args.batch}x1x28x28", "--emit=exe",
                        "-o", exe] + extra + args.compile_flag, check=True)
        compile_s = time.time() - start
        predictions = []
        start = time.time()
        for k, batch in enumerate(batches):
            out = os.path.join(work, f"{name}.out{k:03d}")
            subprocess.run([exe, "--input", f"image={batch}", "--output-dir", out,
                            "--threads", str(args.threads)], check=True)
            predictions.append(np.load(os.path.join(out, "logits.npy")).argmax(1))
        run_s = time.time() - start
        accuracy = 100.0 * float((np.concatenate(predictions) == labels).mean())
        label = args.precision
        if args.precision != "fp32" and not dynamic:
            label += f" ({args.calibration_method})"
        if args.compile_flag:
            label += " " + " ".join(args.compile_flag)
        if args.score_set == "dev":
            print(f"{name}: quant {label} accuracy {accuracy:.2f}% on the "
                  f"{len(labels)} dev images (training set tail); compile "
                  f"{compile_s:.1f} s, run {run_s:.1f} s", flush=True)
            continue
        expected = reference[name]["accuracy"]
        ok = abs(accuracy - expected) <= args.tolerance
        failed |= not ok
        print(f"{name}: quant {label} accuracy {accuracy:.2f}% on {len(labels)} test images, "
              f"PyTorch {expected:.2f}% ({'ok' if ok else 'MISMATCH'}, "
              f"tolerance {args.tolerance} points); compile {compile_s:.1f} s, "
              f"run {run_s:.1f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
