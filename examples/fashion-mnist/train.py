#!/usr/bin/env python3
"""Trains the three bundled Fashion-MNIST models and exports them to ONNX.

Needs Debian's python3-torch, python3-onnx, numpy and dataset-fashion-mnist;
run with Debian's interpreter from the repository root:

    /usr/bin/python3 examples/fashion-mnist/train.py [--epochs N]

Writes, next to this script:

  cnn.onnx        plain CNN: conv3x3+BN+ReLU, max pool (x2), Gemm+ReLU, Gemm
  dwsep.onnx      MobileNet-style: a stem conv, then depthwise-separable blocks
                  (depthwise 3x3 + BN + ReLU6, pointwise 1x1 + BN + ReLU6),
                  global average pool, Gemm. Depthwise weights have a wide
                  spread of per-channel ranges, where per-tensor int8 breaks.
  vit.onnx        tiny vision transformer: 7x7 patch embedding (Conv), a class
                  token, learned position embedding, 2 pre-norm encoder blocks
                  (LayerNorm, 4-head attention, GELU MLP), LayerNorm, Gemm.
  samples.npy     the first 256 test images, float32 [256,1,28,28], already
                  normalized the way the models expect (x/255 - 0.5)/0.5
  labels.npy      their labels, int64 [256]
  reference.json  each model's float test-set accuracy (all 10000 images) as
                  PyTorch computes it, with the ONNX input/output names

All models take `image` [N,1,28,28] float32 (dynamic batch) and return
`logits` [N,10]. Training is seeded and single-threaded-deterministic on CPU,
but PyTorch versions differ in kernels; reference.json is what the committed
.onnx files achieve, and evaluate.py checks quant against that.
"""

import argparse
import gzip
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DATASET = "/usr/share/datasets/fashion-mnist"


def load_split(kind):
    """Returns (images float32 [N,1,28,28] normalized, labels int64 [N])."""
    with gzip.open(os.path.join(DATASET, f"{kind}-images-idx3-ubyte.gz")) as f:
        raw = np.frombuffer(f.read(), np.uint8, offset=16)
    with gzip.open(os.path.join(DATASET, f"{kind}-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    images = raw.reshape(-1, 1, 28, 28).astype(np.float32)
    return (images / 255.0 - 0.5) / 0.5, labels


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.conv2, self.bn2 = nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32)
        self.fc1, self.fc2 = nn.Linear(32 * 7 * 7, 64), nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


def conv_bn(cin, cout, k, stride=1, groups=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout), nn.ReLU6())


class DwSep(nn.Module):
    def __init__(self):
        super().__init__()
        layers = [conv_bn(1, 16, 3)]
        for cin, cout, stride in [(16, 32, 2), (32, 64, 2), (64, 64, 1)]:
            layers += [conv_bn(cin, cin, 3, stride, groups=cin), conv_bn(cin, cout, 1)]
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), 1)
        return self.fc(torch.flatten(x, 1))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.fc1, self.fc2 = nn.Linear(dim, mlp), nn.Linear(mlp, dim)

    def forward(self, x):
        n, t, d = x.shape
        h = self.heads
        q, k, v = self.qkv(self.ln1(x)).reshape(n, t, 3, h, d // h).permute(2, 0, 3, 1, 4).unbind(0)
        att = torch.softmax(q @ k.transpose(-2, -1) * (d // h) ** -0.5, dim=-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(n, t, d))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class TinyVit(nn.Module):
    def __init__(self, dim=64, depth=2, heads=4, mlp=128, patch=7):
        super().__init__()
        self.embed = nn.Conv2d(1, dim, patch, patch)
        tokens = (28 // patch) ** 2 + 1
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.randn(1, tokens, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, mlp) for _ in range(depth)])
        self.ln, self.head = nn.LayerNorm(dim), nn.Linear(dim, 10)

    def forward(self, x):
        x = self.embed(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.pos
        return self.head(self.ln(self.blocks(x))[:, 0])


def accuracy(model, images, labels):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(images), 1000):
            logits = model(torch.from_numpy(images[i:i + 1000]))
            correct += int((logits.argmax(1).numpy() == labels[i:i + 1000]).sum())
    return 100.0 * correct / len(images)


def train(name, model, data, epochs, lr):
    (xtr, ytr), (xte, yte) = data
    gen = torch.Generator().manual_seed(0)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps = epochs * (len(xtr) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps)
    xtr_t, ytr_t = torch.from_numpy(xtr), torch.from_numpy(ytr)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        total = 0.0
        for b in range(len(xtr) // 128):
            idx = perm[b * 128:(b + 1) * 128]
            loss = F.cross_entropy(model(xtr_t[idx]), ytr_t[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss)
        print(f"{name}: epoch {epoch + 1}/{epochs} loss {total / (len(xtr) // 128):.4f} "
              f"test accuracy {accuracy(model, xte, yte):.2f}%", flush=True)
    return accuracy(model, xte, yte)


def export(model, path):
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, opset_version=17,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--models", default="cnn,dwsep,vit")
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    data = load_split("train"), load_split("t10k")

    ref_path = os.path.join(HERE, "reference.json")
    reference = json.load(open(ref_path)) if os.path.exists(ref_path) else {}
    makers = {"cnn": (Cnn, 3e-3), "dwsep": (DwSep, 3e-3), "vit": (TinyVit, 2e-3)}
    for name in args.models.split(","):
        make, lr = makers[name]
        torch.manual_seed(0)
        model = make()
        acc = train(name, model, data, args.epochs, lr)
        export(model, os.path.join(HERE, f"{name}.onnx"))
        reference[name] = {"accuracy": round(acc, 2), "input": "image", "output": "logits",
                           "test_images": len(data[1][1]), "epochs": args.epochs}
        print(f"{name}: exported, float test accuracy {acc:.2f}%")

    xte, yte = data[1]
    np.save(os.path.join(HERE, "samples.npy"), np.ascontiguousarray(xte[:256]))
    np.save(os.path.join(HERE, "labels.npy"), yte[:256])
    with open(ref_path, "w") as f:
        json.dump(reference, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
