#!/usr/bin/env python3
"""Trains TinyLM (model.py) on the King James Bible with PyTorch on the CPU.

    /usr/bin/python3 examples/tinylm/train.py [--steps N] [--out PATH]

Needs Debian's python3-torch and bible-kjv-text. Writes a checkpoint
(weights + config + the training log) to --out, by default
$QUANT_CACHE/tinylm/tinylm.pt (QUANT_CACHE defaults to ~/.cache/quant): the
weights never go into git. Seeded; PyTorch versions differ in kernels, so a
rerun elsewhere gives a close, not identical, model.

The defaults (6 layers, d 384, 6 heads, context 256: 10.8M parameters;
800 steps of 16 windows of 256 bytes, about one pass over the training
text; AdamW, cosine schedule) take about 45 minutes on two cores with
OpenBLAS (libopenblas0-pthread: Debian's torch falls back to the reference
BLAS without it, 20x slower). Progress and the dev-set loss go to stderr;
the checkpoint is rewritten every 50 steps.
"""

import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as tinylm  # noqa: E402


def cache_dir():
    root = os.environ.get("QUANT_CACHE",
                          os.path.join(os.path.expanduser("~"), ".cache", "quant"))
    return os.path.join(root, "tinylm")


def batches(data, batch, context, rng):
    starts = rng.integers(0, len(data) - context - 1, size=batch)
    x = np.stack([data[s:s + context] for s in starts])
    y = np.stack([data[s + 1:s + context + 1] for s in starts])
    return torch.from_numpy(x.astype(np.int64)), torch.from_numpy(y.astype(np.int64))


@torch.no_grad()
def mean_loss(model, data, context, windows=32):
    """Mean next-byte cross-entropy (nats) over evenly spaced windows."""
    model.eval()
    starts = np.linspace(0, len(data) - context - 1, windows).astype(np.int64)
    x = torch.from_numpy(np.stack([data[s:s + context] for s in starts]).astype(np.int64))
    y = torch.from_numpy(np.stack([data[s + 1:s + context + 1] for s in starts]).astype(np.int64))
    loss = F.cross_entropy(model(x).reshape(-1, tinylm.VOCAB), y.reshape(-1))
    model.train()
    return float(loss)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=800)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--d-model", type=int, default=384)
    p.add_argument("--layers", type=int, default=6)
    p.add_argument("--heads", type=int, default=6)
    p.add_argument("--context", type=int, default=256)
    p.add_argument("--out", default=os.path.join(cache_dir(), "tinylm.pt"))
    args = p.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    corpus = tinylm.load_corpus()
    train = np.frombuffer(corpus["train"], np.uint8)
    dev = np.frombuffer(corpus["dev"], np.uint8)
    cfg = tinylm.Config(args.d_model, args.layers, args.heads, args.context)
    model = tinylm.TinyLM(cfg)
    print(f"tinylm: {model.num_parameters() / 1e6:.2f}M parameters, "
          f"train {len(train)} bytes, dev {len(dev)} bytes", file=sys.stderr)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    other = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": other, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    warmup = max(1, args.steps // 20)
    log = []
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)

    def save(step):
        tmp = args.out + ".tmp"
        torch.save({"config": cfg.as_dict(), "state": model.state_dict(),
                    "step": step, "log": log, "seed": args.seed}, tmp)
        os.replace(tmp, args.out)

    start = time.time()
    for step in range(1, args.steps + 1):
        lr = args.lr * min(step / warmup,
                           0.5 * (1 + math.cos(math.pi * step / args.steps)))
        for group in opt.param_groups:
            group["lr"] = lr
        x, y = batches(train, args.batch, args.context, rng)
        loss = F.cross_entropy(model(x).reshape(-1, tinylm.VOCAB), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 50 == 0 or step == args.steps:
            dev_loss = mean_loss(model, dev, args.context)
            log.append({"step": step, "train": float(loss), "dev": dev_loss})
            print(f"tinylm: step {step}/{args.steps} train {float(loss):.3f} "
                  f"dev {dev_loss:.3f} nats/byte (ppl {math.exp(dev_loss):.3f}) "
                  f"{time.time() - start:.0f} s", file=sys.stderr, flush=True)
            save(step)
    print(f"tinylm: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
