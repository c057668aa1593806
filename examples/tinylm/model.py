"""TinyLM: a byte-level decoder-only transformer (GPT-style) and its corpus.

Shared by train.py (training), export.py (ONNX export) and the benchmarks.

The corpus is the King James Bible from Debian's bible-kjv-text package
(public domain), printed by the `bible` program (package bible-kjv), one verse per line
with the verse reference removed. The split is by book and fixed:

  test   the Gospel of John   (held out: perplexity figures)
  dev    Romans               (held out: for choosing options)
  train  every other book     (training; calibration windows are drawn from
                               it with their own seed)

The model reads bytes (vocabulary 256), so no tokenizer is needed.
"""

import math
import re
import subprocess

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB = 256
TEST_BOOKS = ("John",)
DEV_BOOKS = ("Rom",)

_VERSE = re.compile(r"^(\d?[A-Za-z]+)(\d+):(\d+) (.*)$")


def load_corpus():
    """Returns {"train": bytes, "dev": bytes, "test": bytes}."""
    try:
        text = subprocess.run(["bible", "-f", "Gen1:1-Rev22:21"], check=True,
                              capture_output=True, text=True).stdout
    except FileNotFoundError as e:
        raise SystemExit("tinylm: the `bible` program is missing; "
                         "apt-get install bible-kjv (it prints "
                         "bible-kjv-text)") from e
    parts = {"train": [], "dev": [], "test": []}
    for line in text.splitlines():
        m = _VERSE.match(line)
        if not m:
            continue
        book, verse = m.group(1), m.group(4).strip()
        split = ("test" if book in TEST_BOOKS else
                 "dev" if book in DEV_BOOKS else "train")
        parts[split].append(verse)
    return {k: ("\n".join(v) + "\n").encode("ascii", "replace")
            for k, v in parts.items()}


class Config:
    def __init__(self, d_model=384, n_layer=6, n_head=6, context=256):
        self.d_model, self.n_layer, self.n_head = d_model, n_layer, n_head
        self.context = context

    def as_dict(self):
        return dict(d_model=self.d_model, n_layer=self.n_layer,
                    n_head=self.n_head, context=self.context)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg.d_model
        self.n_head, self.head_dim = cfg.n_head, d // cfg.n_head
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def _heads(self, t):
        n, s, _ = t.shape
        return t.view(n, s, self.n_head, self.head_dim).transpose(1, 2)

    def _mlp(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))

    def forward(self, x, bias):
        """x [N,S,D]; bias [S,S] additive causal mask (0 or -1e4)."""
        q, k, v = self.qkv(self.ln1(x)).split(x.shape[-1], dim=-1)
        q, k, v = self._heads(q), self._heads(k), self._heads(v)
        att = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim))
        y = torch.softmax(att + bias, dim=-1) @ v
        y = y.transpose(1, 2).reshape(x.shape)
        return self._mlp(x + self.proj(y))

    def step(self, x, onehot, bias, past_k, past_v):
        """One decode step. x [1,1,D]; onehot [1,1,T,1] marks the position
        written; bias [1,1,1,T] additive mask; past_k/past_v [1,H,T,Dh].
        Returns (x, k_cache, v_cache) with the new key/value written."""
        q, k, v = self.qkv(self.ln1(x)).split(x.shape[-1], dim=-1)
        q, k, v = self._heads(q), self._heads(k), self._heads(v)
        keep = 1.0 - onehot
        k_cache = past_k * keep + k * onehot
        v_cache = past_v * keep + v * onehot
        att = (q @ k_cache.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim))
        y = torch.softmax(att + bias, dim=-1) @ v_cache
        y = y.transpose(1, 2).reshape(x.shape)
        return self._mlp(x + self.proj(y)), k_cache, v_cache


class TinyLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.wte = nn.Embedding(VOCAB, d)
        self.wpe = nn.Embedding(cfg.context, d)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, VOCAB, bias=False)
        causal = torch.full((cfg.context, cfg.context), -1e4).triu(1)
        self.register_buffer("causal", causal, persistent=False)

    def forward(self, tokens):
        """tokens int64 [N,S] -> logits [N,S,256]."""
        s = tokens.shape[1]
        x = self.wte(tokens) + self.wpe.weight[:s]
        bias = self.causal[:s, :s]
        for block in self.blocks:
            x = block(x, bias)
        return self.head(self.ln_f(x))

    def step(self, token, position, mask, past_k, past_v):
        """token int64 [1,1]; position int64 [1]; mask float [1,T] (1 where a
        cached position may be attended to, including `position`);
        past_k/past_v float [L,H,T,Dh]. Returns (logits [1,256], present_k,
        present_v)."""
        t = self.cfg.context
        x = self.wte(token) + self.wpe(position).unsqueeze(0)
        positions = torch.arange(t, dtype=torch.int64)
        onehot = (positions == position).float().view(1, 1, t, 1)
        bias = ((1.0 - mask) * -1e4).view(1, 1, 1, t)
        ks, vs = [], []
        for i, block in enumerate(self.blocks):
            x, k, v = block.step(x, onehot, bias, past_k[i:i + 1], past_v[i:i + 1])
            ks.append(k)
            vs.append(v)
        logits = self.head(self.ln_f(x)).view(1, VOCAB)
        return logits, torch.cat(ks, 0), torch.cat(vs, 0)

    def num_parameters(self):
        return sum(p.numel() for p in self.parameters())
