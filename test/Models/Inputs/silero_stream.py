#!/usr/bin/env python3
"""Streams speech through silero_vad the way its users do: 512-sample
chunks of 16 kHz audio in [-1, 1], sr = 16000 (or --sr), and the LSTM
state (h, c) of each call fed to the next, starting from zeros.

    silero_stream.py AUDIO.npy OUTDIR [--chunks N] [--sr 8000] -- RUNNER ARGS...

AUDIO.npy is realistic_inputs.py's audio.npy (int16 range). For each chunk
this runs `RUNNER ARGS... --input input=... --input sr=... --input h=...
--input c=... --output-dir DIR` (quant-run on a compiled model, or
utils/ort-run.js on the .onnx) and reads output.npy, hn.npy, cn.npy. Writes
OUTDIR/probs.npy (the speech probability of every chunk, [N, 1]) and
OUTDIR/state.npy (the final hn and cn, [2, 2, 1, 64]).
"""

import argparse
import os
import subprocess
import sys

import numpy as np


def main():
    if "--" not in sys.argv:
        sys.exit("usage: silero_stream.py AUDIO.npy OUTDIR [--chunks N] -- RUNNER ARGS...")
    split = sys.argv.index("--")
    ap = argparse.ArgumentParser()
    ap.add_argument("audio")
    ap.add_argument("outdir")
    ap.add_argument("--chunks", type=int, default=8)
    ap.add_argument("--sr", type=int, default=16000,
                    help="the sr input (8000 runs the model's 8 kHz branch)")
    args = ap.parse_args(sys.argv[1:split])
    runner = sys.argv[split + 1:]
    os.makedirs(args.outdir, exist_ok=True)
    audio = np.load(args.audio).reshape(-1).astype(np.float32) / 32768.0
    if args.chunks * 512 > audio.size:
        sys.exit("silero_stream: the audio has fewer than %d chunks" % args.chunks)
    sr = os.path.join(args.outdir, "sr.npy")
    np.save(sr, np.array(args.sr, np.int64))
    h = np.zeros((2, 1, 64), np.float32)
    c = np.zeros((2, 1, 64), np.float32)
    probs = []
    for k in range(args.chunks):
        step = os.path.join(args.outdir, "step%d" % k)
        os.makedirs(step, exist_ok=True)
        files = {"input": audio[None, k * 512:(k + 1) * 512], "h": h, "c": c}
        cmd = list(runner)
        for name, value in files.items():
            path = os.path.join(step, name + ".npy")
            np.save(path, value)
            cmd += ["--input", "%s=%s" % (name, path)]
        cmd += ["--input", "sr=" + sr, "--output-dir", os.path.join(step, "out")]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("silero_stream: chunk %d: %s" % (k, r.stderr.strip()))
        out = os.path.join(step, "out")
        probs.append(np.load(os.path.join(out, "output.npy")).reshape(1))
        h = np.load(os.path.join(out, "hn.npy"))
        c = np.load(os.path.join(out, "cn.npy"))
    np.save(os.path.join(args.outdir, "probs.npy"), np.stack(probs))
    np.save(os.path.join(args.outdir, "state.npy"), np.stack([h, c]))
    print("silero_stream: %d chunks, speech probability %.3f to %.3f"
          % (args.chunks, min(p[0] for p in probs), max(p[0] for p in probs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
