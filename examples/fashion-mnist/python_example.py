#!/usr/bin/env python3
"""quant from Python: compile, calibrate, run and bench the bundled
Fashion-MNIST CNN, float and int8, on the full test set.

    utils/install-python.sh                      # once: makes `import quant` work
    /usr/bin/python3 examples/fashion-mnist/python_example.py [--batch 500]

Calibration uses the first 1000 training images (through an ONNX Runtime
style CalibrationDataReader and quant.quantize_static, which writes a QDQ
model), the accuracy is measured on the 10000 test images, and the timing
is one batch on one thread.
"""

import argparse
import os
import tempfile

import numpy as np

import quant
from evaluate import load_set, load_test_set

HERE = os.path.dirname(os.path.abspath(__file__))


class TrainingImages(quant.CalibrationDataReader):
    def __init__(self, images, batch):
        self.batches = iter(range(0, len(images), batch))
        self.images, self.batch = images, batch

    def get_next(self):
        start = next(self.batches, None)
        return None if start is None else {"image": self.images[start:start + self.batch]}


def accuracy(model, images, labels, batch):
    correct = 0
    for i in range(0, len(images), batch):
        logits = model.run(image=images[i:i + batch])["logits"]
        correct += int((logits.argmax(1) == labels[i:i + batch]).sum())
    return 100.0 * correct / len(images)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=500)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="quant-example-")
    onnx_model = os.path.join(HERE, "cnn.onnx")
    test_images, test_labels = load_test_set()
    train_images, _ = load_set("train")

    fp32 = quant.Model(quant.compile_file(
        onnx_model, os.path.join(work, "cnn_fp32.so"),
        input_shapes={"image": [args.batch, 1, 28, 28]}))
    qdq = os.path.join(work, "cnn.qdq.onnx")
    quant.quantize_static(onnx_model, qdq, TrainingImages(train_images[:1000], args.batch),
                          per_channel=True)
    int8 = quant.Model(quant.compile_file(qdq, os.path.join(work, "cnn_int8.so")))

    for name, model in (("fp32", fp32), ("int8", int8)):
        acc = accuracy(model, test_images, test_labels, args.batch)
        timing = model.bench(test_images[:args.batch], iterations=10, threads=1)
        print("%s: accuracy %.2f%% on %d test images; %.2f ms per batch of %d "
              "(1 thread, mean of %d)" % (name, acc, len(test_images), timing["mean_ms"],
                                         args.batch, timing["iterations"]))
    print("QDQ model (ONNX Runtime runs it too):", qdq)


if __name__ == "__main__":
    main()
