#!/usr/bin/env python3
"""Exports a TinyLM checkpoint to ONNX and writes its calibration samples.

    /usr/bin/python3 examples/tinylm/export.py [--checkpoint PT] [--out DIR]

Writes into --out (default $QUANT_CACHE/tinylm):

  tinylm_seq.onnx   tokens int64 [1,S] -> logits [1,S,256]: a whole window
                    with a causal mask (perplexity, prefill).
  tinylm_step.onnx  one decode step with a KV cache of fixed size T (the
                    context), so every shape is static:
                      token  int64 [1,1]     the byte at `position`
                      position int64 [1]
                      mask   float [1,T]     1 where a cached position may be
                                             attended to (0..position)
                      past_k, past_v float [L,H,T,Dh]
                    -> logits [1,256], present_k, present_v [L,H,T,Dh]
                    (the caches with this position's key and value written).
  calib_seq/tokens/NNN.npy        training windows (own seed) for the
                                  sequence model
  calib_step/<input>/NNN.npy      decode-step inputs at random positions of
                                  training windows, caches filled by running
                                  the model itself
  info.json         the config, the parameter count, the split sizes

--random makes an untrained model of the given size instead of loading a
checkpoint, and saves it as tinylm.pt in --out (the lit tests use a small
one).
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as tinylm  # noqa: E402
from train import cache_dir  # noqa: E402


class Seq(torch.nn.Module):
    def __init__(self, lm):
        super().__init__()
        self.lm = lm

    def forward(self, tokens):
        return self.lm(tokens)


class Step(torch.nn.Module):
    def __init__(self, lm):
        super().__init__()
        self.lm = lm

    def forward(self, token, position, mask, past_k, past_v):
        return self.lm.step(token, position, mask, past_k, past_v)


def empty_cache(cfg):
    shape = (cfg.n_layer, cfg.n_head, cfg.context, cfg.d_model // cfg.n_head)
    return torch.zeros(shape), torch.zeros(shape)


@torch.no_grad()
def step_inputs(lm, data, position):
    """Runs the step model over data[0:position] and returns the inputs of
    the step at `position` as numpy arrays."""
    cfg = lm.cfg
    k, v = empty_cache(cfg)
    mask = torch.zeros(1, cfg.context)
    for p in range(position):
        mask[0, p] = 1.0
        _, k, v = lm.step(torch.tensor([[int(data[p])]]), torch.tensor([p]), mask, k, v)
    mask[0, position] = 1.0
    return {"token": np.array([[data[position]]], np.int64),
            "position": np.array([position], np.int64),
            "mask": mask.numpy().copy(), "past_k": k.numpy(), "past_v": v.numpy()}


def save_samples(folder, samples):
    for i, sample in enumerate(samples):
        for name, array in sample.items():
            os.makedirs(os.path.join(folder, name), exist_ok=True)
            np.save(os.path.join(folder, name, f"{i:03d}.npy"), array)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default=os.path.join(cache_dir(), "tinylm.pt"))
    p.add_argument("--out", default=cache_dir())
    p.add_argument("--seq-len", type=int, default=0,
                   help="window of tinylm_seq.onnx (default: the context)")
    p.add_argument("--calib-seq", type=int, default=64,
                   help="calibration windows for the sequence model")
    p.add_argument("--calib-step", type=int, default=16,
                   help="calibration samples for the step model")
    p.add_argument("--seed", type=int, default=777)
    p.add_argument("--random", metavar="D,L,H,T",
                   help="an untrained model: d_model, layers, heads, context")
    args = p.parse_args()

    if args.random:
        d, layers, heads, context = (int(x) for x in args.random.split(","))
        torch.manual_seed(args.seed)
        lm = tinylm.TinyLM(tinylm.Config(d, layers, heads, context))
        step = None
        os.makedirs(args.out, exist_ok=True)
        torch.save({"config": lm.cfg.as_dict(), "state": lm.state_dict(), "step": 0},
                   os.path.join(args.out, "tinylm.pt"))
    else:
        if not os.path.exists(args.checkpoint):
            raise SystemExit(f"export: {args.checkpoint}: no such checkpoint; "
                             "run examples/tinylm/train.py first")
        ckpt = torch.load(args.checkpoint, map_location="cpu")
        lm = tinylm.TinyLM(tinylm.Config(**ckpt["config"]))
        lm.load_state_dict(ckpt["state"])
        step = ckpt.get("step")
    lm.eval()
    cfg = lm.cfg
    seq_len = args.seq_len or cfg.context
    os.makedirs(args.out, exist_ok=True)

    tokens = torch.zeros(1, seq_len, dtype=torch.int64)
    torch.onnx.export(Seq(lm), (tokens,), os.path.join(args.out, "tinylm_seq.onnx"),
                      input_names=["tokens"], output_names=["logits"],
                      opset_version=17, do_constant_folding=True)
    k, v = empty_cache(cfg)
    mask = torch.zeros(1, cfg.context)
    mask[0, 0] = 1.0
    torch.onnx.export(Step(lm), (torch.zeros(1, 1, dtype=torch.int64),
                                 torch.zeros(1, dtype=torch.int64), mask, k, v),
                      os.path.join(args.out, "tinylm_step.onnx"),
                      input_names=["token", "position", "mask", "past_k", "past_v"],
                      output_names=["logits", "present_k", "present_v"],
                      opset_version=17, do_constant_folding=True)

    corpus = tinylm.load_corpus()
    train = np.frombuffer(corpus["train"], np.uint8)
    rng = np.random.default_rng(args.seed)
    starts = rng.integers(0, len(train) - seq_len - 1, size=args.calib_seq)
    save_samples(os.path.join(args.out, "calib_seq"),
                 [{"tokens": train[s:s + seq_len].astype(np.int64)[None]} for s in starts])
    samples = []
    for _ in range(args.calib_step):
        s = int(rng.integers(0, len(train) - cfg.context - 1))
        position = int(rng.integers(0, cfg.context))
        samples.append(step_inputs(lm, train[s:s + cfg.context], position))
    save_samples(os.path.join(args.out, "calib_step"), samples)
    info = {"config": cfg.as_dict(), "parameters": lm.num_parameters(),
            "seq_len": seq_len, "trained_steps": step,
            "split_bytes": {k: len(v) for k, v in corpus.items()}}
    with open(os.path.join(args.out, "info.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(f"export: wrote {args.out} ({lm.num_parameters() / 1e6:.2f}M parameters)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
