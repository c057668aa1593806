"""TinyLM (examples/tinylm) compiled by quant against PyTorch.

    tinylm_check.py --model-dir DIR --seq-fp32 SO --seq-int8 SO \
        --step-fp32 SO --step-int8 SO --int8-mlir MLIR

DIR is what examples/tinylm/export.py wrote (tinylm.pt and the
calibration windows). Prints one line per check:
  - the sequence model at fp32 against PyTorch's logits (max |error|);
  - greedy generation with the decode-step model (KV cache) at fp32 against
    PyTorch's step loop, byte for byte;
  - how many of the int8 module's matmuls are int8 (linear layers and the
    products of two activations, Q K^T and P V);
  - the int8 sequence model's logits SQNR against fp32;
  - the int8 decode step's logits SQNR against fp32 on the exported step
    samples, and that it leaves the cache rows it does not write alone.
"""

import argparse
import os
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "examples", "tinylm"))
sys.path.insert(0, os.path.join(ROOT, "python"))

import model as tinylm  # noqa: E402
from generate import generate  # noqa: E402
import quant  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    for flag in ("--model-dir", "--seq-fp32", "--seq-int8", "--step-fp32", "--step-int8",
                 "--int8-mlir"):
        ap.add_argument(flag, required=True)
    args = ap.parse_args()
    ckpt = torch.load(os.path.join(args.model_dir, "tinylm.pt"), map_location="cpu")
    lm = tinylm.TinyLM(tinylm.Config(**ckpt["config"]))
    lm.load_state_dict(ckpt["state"])
    lm.eval()
    windows = sorted(os.listdir(os.path.join(args.model_dir, "calib_seq", "tokens")))
    tokens = [np.load(os.path.join(args.model_dir, "calib_seq", "tokens", w)) for w in windows]

    fp32, int8 = quant.Model(args.seq_fp32), quant.Model(args.seq_int8)
    err, signal, noise = 0.0, 0.0, 0.0
    for t in tokens:
        with torch.no_grad():
            ref = lm(torch.from_numpy(t)).numpy()
        got = fp32.run(tokens=t)["logits"]
        err = max(err, float(np.abs(got - ref).max()))
        q = int8.run(tokens=t)["logits"]
        signal += float(np.sum(got.astype(np.float64) ** 2))
        noise += float(np.sum((got.astype(np.float64) - q) ** 2))
    print("seq fp32 vs torch: max error %.1e, %s" % (err, "ok" if err < 1e-4 else "FAIL"))

    # Greedy decoding: PyTorch's step loop against the compiled step model.
    prompt = list(b"In the beginning")[: lm.cfg.context // 2]
    want = []
    with torch.no_grad():
        shape = (lm.cfg.n_layer, lm.cfg.n_head, lm.cfg.context, lm.cfg.d_model // lm.cfg.n_head)
        k, v = torch.zeros(shape), torch.zeros(shape)
        mask = torch.zeros(1, lm.cfg.context)
        seq = list(prompt)
        for pos in range(lm.cfg.context - 1):
            mask[0, pos] = 1.0
            logits, k, v = lm.step(torch.tensor([[seq[pos]]]), torch.tensor([pos]), mask, k, v)
            if pos + 1 >= len(seq):
                seq.append(int(logits[0].argmax()))
        want = seq[len(prompt):]
    got, _ = generate(quant.Model(args.step_fp32), prompt, len(want))
    same = sum(a == b for a, b in zip(got, want))
    print("step fp32 greedy vs torch: %d of %d bytes equal, %s" % (
        same, len(want), "ok" if got == want else "FAIL"))

    text = open(args.int8_mlir).read()
    matmuls = [line for line in text.splitlines() if "= qnt.matmul" in line]
    quantized = [line for line in matmuls if "!quant.uniform" in line.split("->")[-1]]
    print("int8 matmuls: %d of %d" % (len(quantized), len(matmuls)))
    print("seq int8 logits SQNR vs fp32: %.1f dB" % (10 * np.log10(signal / noise)))

    # The int8 decode step on the exported step samples (KV caches filled by
    # PyTorch): logits and the written caches against fp32.
    folder = os.path.join(args.model_dir, "calib_step")
    names = ["token", "position", "mask", "past_k", "past_v"]
    step32, step8 = quant.Model(args.step_fp32), quant.Model(args.step_int8)
    signal, noise, cache_err = 0.0, 0.0, 0.0
    for f in sorted(os.listdir(os.path.join(folder, "token"))):
        feed = {n: np.load(os.path.join(folder, n, f)) for n in names}
        a, b = step32.run(**feed), step8.run(**feed)
        signal += float(np.sum(a["logits"].astype(np.float64) ** 2))
        noise += float(np.sum((a["logits"].astype(np.float64) - b["logits"]) ** 2))
        # Positions other than the one written pass through unchanged.
        p = int(feed["position"][0])
        keep = np.ones(a["present_k"].shape[2], bool)
        keep[p] = False
        cache_err = max(cache_err, float(np.abs(b["present_k"][:, :, keep] -
                                             feed["past_k"][:, :, keep]).max()))
    print("step int8 logits SQNR vs fp32: %.1f dB; cache rows not written: "
          "max change %.1e" % (10 * np.log10(signal / noise), cache_err))


if __name__ == "__main__":
    main()
