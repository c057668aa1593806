#!/usr/bin/env python3
"""A Fashion-MNIST CNN quantized by PyTorch, exported as ONNX.

    /usr/bin/python3 examples/fashion-mnist/torch_qdq.py OUT.onnx [--calibration-images N]

This is what a PyTorch user hands to a compiler:
1. It rebuilds the bundled CNN in PyTorch from cnn.onnx's weights (the
   batch norms are already folded there).
2. It quantizes the CNN with PyTorch's eager mode (QuantStub/DeQuantStub,
   the default onednn qconfig (Debian's torch has the onednn and qnnpack engines): per-channel int8 weights, uint8 activations,
   `prepare` then `convert`), calibrated on the first N training images.
   Layers are not fused, because torch 1.13's exporter has no ONNX form
   for quantized::linear_relu / conv2d_relu (FX graph mode fuses them and
   its models do not export).
3. It exports the result with `torch.onnx.export` (opset 13).

Needs Debian's python3-torch (1.13); no PyPI. quant then compiles OUT.onnx
with no calibration data (docs/QdqImport.md).
"""

import argparse
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper
from torch.ao.quantization import DeQuantStub, QuantStub, convert, get_default_qconfig, prepare

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from evaluate import load_set  # noqa: E402


class FoldedCnn(nn.Module):
    """cnn.onnx's graph: conv+ReLU, max pool (x2), flatten, fc+ReLU, fc,
    between PyTorch's quantize and dequantize stubs."""

    def __init__(self):
        super().__init__()
        self.quant, self.dequant = QuantStub(), DeQuantStub()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1, self.fc2 = nn.Linear(32 * 7 * 7, 64), nn.Linear(64, 10)
        self.relu1, self.relu2, self.relu3 = nn.ReLU(), nn.ReLU(), nn.ReLU()

    def forward(self, x):
        x = self.quant(x)
        x = F.max_pool2d(self.relu1(self.conv1(x)), 2)
        x = F.max_pool2d(self.relu2(self.conv2(x)), 2)
        x = self.fc2(self.relu3(self.fc1(torch.flatten(x, 1))))
        return self.dequant(x)


def load_weights(model):
    graph = onnx.load(os.path.join(HERE, "cnn.onnx")).graph
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
               for t in graph.initializer}
    convs = [n for n in graph.node if n.op_type == "Conv"]
    for module, node in zip((model.conv1, model.conv2), convs):
        module.weight.data = weights[node.input[1]]
        module.bias.data = weights[node.input[2]]
    for name in ("fc1", "fc2"):
        getattr(model, name).weight.data = weights[name + ".weight"]
        getattr(model, name).bias.data = weights[name + ".bias"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("output")
    ap.add_argument("--calibration-images", type=int, default=1000)
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.backends.quantized.engine = "onednn"
    model = FoldedCnn().eval()
    load_weights(model)
    model.qconfig = get_default_qconfig("onednn")
    prepared = prepare(model)
    train, _ = load_set("train")
    with torch.no_grad():
        for i in range(0, args.calibration_images, 100):
            prepared(torch.from_numpy(train[i:i + 100]))
    quantized = convert(prepared)
    example = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(quantized, example, args.output, opset_version=13,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}})
    print("wrote", args.output)


if __name__ == "__main__":
    main()
