#!/usr/bin/env python3
"""Size against accuracy for fp32, int8, int4 and mixed precision budgets.

    /usr/bin/python3 utils/pareto.py --model cnn|cls [--bin build/bin]
        [--budgets 4,5,6,7,8] [--group-size 32]

Not a test: one run that compiles the model to a shared library at each
precision (fp32; int8; int4 with --group-size; --precision=mixed at each
--weight-bits-budget), all calibrated on the same data, and prints a
markdown table: precision, average bits per weight over the quantizable
layers (what qnt-allocate-bits reports; 32, 8 and 4 for the uniform
builds), their weights' bytes as stored, the shared library's size, and
the accuracy:

  cnn  the Fashion-MNIST CNN (examples/fashion-mnist/cnn.onnx), top-1 on
       the 10000 test images, calibrated on 1000 training images;
  cls  the PaddleOCR text-line orientation classifier (from the model
       cache, utils/fetch-models.sh), orientation accuracy on 200 rendered
       held-out lines, calibrated on 32 others (utils/bench_cls.py's sets).
"""

import argparse
import importlib.util
import os
import re
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The text-line sets, the classifier's predictions and run() (a command
# that must succeed) come from bench_cls.py.
BENCH_CLS = load_module("bench_cls", os.path.join(ROOT, "utils", "bench_cls.py"))
run = BENCH_CLS.run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["cnn", "cls"], required=True)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--budgets", default="4,5,6,7,8")
    ap.add_argument("--group-size", type=int, default=32)
    args = ap.parse_args()
    compile_ = os.path.join(args.bin, "quant-compile")
    quant_run = os.path.join(args.bin, "quant-run")

    with tempfile.TemporaryDirectory() as work:
        calib = os.path.join(work, "calib")
        os.makedirs(calib)
        if args.model == "cnn":
            mnist = load_module("evaluate", os.path.join(
                ROOT, "examples", "fashion-mnist", "evaluate.py"))
            model = os.path.join(ROOT, "examples", "fashion-mnist", "cnn.onnx")
            batch = 500
            shape = ["--input-shape=image=%dx1x28x28" % batch]
            train, _ = mnist.load_set("train")
            for i in range(2):
                np.save(os.path.join(calib, "%04d.npy" % i),
                        np.ascontiguousarray(train[i * batch:(i + 1) * batch]))
            images, labels = mnist.load_test_set()
            batches = []
            for i in range(0, len(images), batch):
                path = os.path.join(work, "batch%03d.npy" % (i // batch))
                np.save(path, np.ascontiguousarray(images[i:i + batch]))
                batches.append(path)

            def accuracy(lib):
                predictions = []
                for k, path in enumerate(batches):
                    out = os.path.join(work, "out%03d" % k)
                    run([quant_run, lib, "--input", "image=" + path,
                         "--output-dir", out, "--threads", "2"])
                    predictions.append(
                        np.load(os.path.join(out, "logits.npy")).argmax(1))
                return 100.0 * float((np.concatenate(predictions) == labels).mean())
        else:
            cls = BENCH_CLS
            model = cls.CLS
            if not os.path.exists(model):
                sys.exit("no classifier at %s (run utils/fetch-models.sh)" % model)
            shape = ["--input-shape", "x=1x3x48x192"]
            lines = 200
            labels = cls.make_set(os.path.join(work, "eval"), lines, seed=11)
            calib_set = os.path.join(work, "calib-set")
            cls.make_set(calib_set, 32, seed=12)
            calib = calib_set

            def accuracy(lib):
                got = cls.predictions(quant_run, lib, os.path.join(work, "eval"),
                                      lines, work)
                return 100.0 * sum(p == l for p, l in zip(got, labels)) / len(labels)

        quantized = ["--calibration-data", calib, "--calibration-method=percentile"]
        variants = [("fp32", [], 32.0), ("int8", ["--precision=int8"], 8.0),
                    ("int4 (group %d)" % args.group_size,
                     ["--precision=int4", "--group-size=%d" % args.group_size], 4.0)]
        for b in args.budgets.split(","):
            variants.append(("mixed, budget %s bits" % b,
                             ["--precision=mixed", "--weight-bits-budget=" + b,
                              "--group-size=%d" % args.group_size], None))
        rows = []
        for name, flags, bits in variants:
            lib = os.path.join(work, "model.so")
            result = run([compile_, model] + shape + ["-o", lib] + flags +
                         (quantized if flags else []))
            weight_bytes = ""
            m = re.search(r"qnt-allocate-bits: ([0-9.]+) bits per weight, (\d+) "
                          r"bytes of weights", result.stderr)
            if m:
                bits, weight_bytes = float(m.group(1)), m.group(2)
            size = os.path.getsize(lib)
            acc = accuracy(lib)
            rows.append((name, bits, weight_bytes, size, acc))
            print("%s: %.2f%%" % (name, acc), file=sys.stderr, flush=True)
        what = ("Fashion-MNIST CNN, top-1 on 10000 test images" if args.model == "cnn"
                else "PaddleOCR classifier, orientation accuracy on 200 held-out lines")
        print("%s (calibration: percentile)\n" % what)
        print("| precision | bits per weight | weight bytes (allocated layers) | "
              ".so bytes | accuracy % |")
        print("| --- | --- | --- | --- | --- |")
        for name, bits, weight_bytes, size, acc in rows:
            print("| %s | %.2f | %s | %d | %.2f |" % (name, bits, weight_bytes or "-",
                                                     size, acc))


if __name__ == "__main__":
    main()
