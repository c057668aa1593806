#!/usr/bin/env python3
"""Perplexity and decode speed of TinyLM, quantized by quant, against fp32
and ONNX Runtime.

    /usr/bin/python3 utils/bench_lm.py [--model-dir DIR] [--split test|dev]
        [--eval-bytes N] [--configs NAME,...] [--decode] [--threads 1,2]
        [--tokens 128] [--bin build/bin]

Not a test. TinyLM is the byte-level decoder in examples/tinylm (trained by
examples/tinylm/train.py on the KJV Bible from Debian's bible-kjv-text;
the Gospel of John is the held-out test split, Romans the dev split, and
calibration windows come from the training books with their own seed).
The model directory (default $QUANT_CACHE_DIR/tinylm) must hold
tinylm.pt; the ONNX files and calibration samples are made from it by
examples/tinylm/export.py when missing.

1. Perplexity (per byte) on the first --eval-bytes of the split, in
   non-overlapping windows of the sequence model's length, for fp32 and
   each quantized configuration (quant-compile flags in CONFIGS below);
   prints ΔPPL against fp32 and the issue's targets.
2. With --decode: greedy generation with the decode-step model (KV cache)
   by quant at fp32 / int8 / int4 and by ONNX Runtime fp32 on the same
   ONNX, in the same run, at each thread count. Prints bytes/s and the
   ratios against ORT, and whether quant's fp32 greedy output equals
   ORT's.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

# numpy's OpenBLAS starts a thread pool whose idle threads spin on
# sched_yield; on a 2-core machine that steals the core quant's second
# OpenMP thread runs on. Nothing here needs BLAS threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("QUANT_CACHE_DIR", os.path.expanduser("~/.cache/quant"))
TINYLM = os.path.join(ROOT, "examples", "tinylm")
sys.path.insert(0, TINYLM)
sys.path.insert(0, os.path.join(ROOT, "python"))

# name -> (quant-compile flags; {calib} is the calibration folder)
CONFIGS = {
    "fp32": [],
    "w8a8-static": ["--precision=int8", "--calibration-data", "{calib}"],
    "w8a8-dynamic": ["--precision=int8", "--activations=dynamic"],
    "w8a8-smoothquant": ["--precision=int8", "--calibration-data", "{calib}",
                         "--smoothquant"],
    "int4-rtn-g128": ["--precision=int4", "--group-size=128", "--calibration-data", "{calib}"],
    "int4-gptq-g128": ["--precision=int4", "--group-size=128", "--calibration-data", "{calib}",
                       "--weight-algorithm=gptq"],
    "int4-awq-g128": ["--precision=int4", "--group-size=128", "--calibration-data", "{calib}",
                      "--weight-algorithm=awq"],
    "int4-rtn-g32": ["--precision=int4", "--group-size=32", "--calibration-data", "{calib}"],
    "int4-gptq-g32": ["--precision=int4", "--group-size=32", "--calibration-data", "{calib}",
                      "--weight-algorithm=gptq"],
    "int4-awq-g32": ["--precision=int4", "--group-size=32", "--calibration-data", "{calib}",
                     "--weight-algorithm=awq"],
}
DECODE_CONFIGS = ["fp32", "w8a8-static", "w8a8-dynamic", "int4-rtn-g128"]


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("bench_lm: failed (%d): %s\n%s" % (r.returncode, " ".join(cmd),
                                                   r.stderr[-3000:]))
    return r


def ensure_model(folder):
    if all(os.path.exists(os.path.join(folder, f))
           for f in ("tinylm_seq.onnx", "tinylm_step.onnx", "info.json")):
        return
    ckpt = os.path.join(folder, "tinylm.pt")
    if not os.path.exists(ckpt):
        sys.exit("bench_lm: %s is missing: train it with /usr/bin/python3 "
                 "examples/tinylm/train.py (about 45 minutes on two cores)" % ckpt)
    print("exporting %s ..." % ckpt, file=sys.stderr)
    run([sys.executable, os.path.join(TINYLM, "export.py"), "--checkpoint", ckpt,
         "--out", folder])


def compile_model(bin_dir, onnx_path, flags, calib, out):
    cmd = [os.path.join(bin_dir, "quant-compile"), onnx_path]
    cmd += [f.replace("{calib}", calib) for f in flags] + ["-o", out]
    start = time.time()
    run(cmd)
    return time.time() - start


def perplexity(model, data, seq_len):
    """exp(mean next-byte NLL) over non-overlapping windows of seq_len."""
    total, count = 0.0, 0
    for start in range(0, len(data) - seq_len + 1, seq_len):
        window = data[start:start + seq_len].astype(np.int64)[None]
        logits = model.run(tokens=window)["logits"][0].astype(np.float64)
        logits -= logits.max(axis=-1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
        total -= logp[np.arange(seq_len - 1), window[0, 1:]].sum()
        count += seq_len - 1
    return math.exp(total / count), count


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-dir", default=os.path.join(CACHE, "tinylm"))
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--split", choices=["test", "dev"], default="test")
    ap.add_argument("--eval-bytes", type=int, default=32768)
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--decode", action="store_true")
    ap.add_argument("--no-ppl", action="store_true", help="only the decode part")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--prompt", default="And Jesus answered and said unto them, ")
    args = ap.parse_args()

    import quant
    import model as tinylm
    from generate import generate

    ensure_model(args.model_dir)
    with open(os.path.join(args.model_dir, "info.json")) as f:
        info = json.load(f)
    seq_onnx = os.path.join(args.model_dir, "tinylm_seq.onnx")
    step_onnx = os.path.join(args.model_dir, "tinylm_step.onnx")
    print("TinyLM: %.2fM parameters, %s, trained %s steps; %s split" %
          (info["parameters"] / 1e6, info["config"], info["trained_steps"], args.split))
    configs = args.configs.split(",")
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        sys.exit("bench_lm: unknown config(s) %s; known: %s" % (unknown, list(CONFIGS)))

    with tempfile.TemporaryDirectory() as work:
        if not args.no_ppl:
            data = np.frombuffer(tinylm.load_corpus()[args.split], np.uint8)[:args.eval_bytes]
            calib = os.path.join(args.model_dir, "calib_seq")
            results = {}
            for name in configs:
                so = os.path.join(work, name.replace("-", "_") + ".so")
                secs = compile_model(args.bin, seq_onnx, CONFIGS[name], calib, so)
                start = time.time()
                ppl, count = perplexity(quant.Model(so), data, info["seq_len"])
                results[name] = ppl
                print("  %-18s ppl %.4f  (compile %.0f s, eval %.0f s, %d bytes)" %
                      (name, ppl, secs, time.time() - start, count), flush=True)
            base = results.get("fp32")
            print("\n| config | perplexity | ΔPPL vs fp32 |\n| --- | --- | --- |")
            for name, ppl in results.items():
                delta = "" if base is None else "%+.2f%%" % (100 * (ppl / base - 1))
                print("| %s | %.4f | %s |" % (name, ppl, delta))
            if base is not None:
                for name in ("w8a8-static", "w8a8-dynamic", "w8a8-smoothquant"):
                    if name in results:
                        d = 100 * (results[name] / base - 1)
                        print("target int8 ΔPPL <= 1%%: %s %+.2f%% %s" %
                              (name, d, "met" if d <= 1 else "NOT met"))
                for g in ("128", "32"):
                    rtn = results.get("int4-rtn-g" + g)
                    best = [results[k] for k in ("int4-gptq-g" + g, "int4-awq-g" + g)
                            if k in results]
                    if rtn is None or not best:
                        continue
                    if rtn <= base:
                        print("g%s: RTN's ΔPPL is <= 0: the ratio is undefined" % g)
                        continue
                    ratio = (min(best) - base) / (rtn - base)
                    verdict = ""
                    if g == "128":
                        verdict = " (target <= 0.5: %s)" % ("met" if ratio <= 0.5 else "NOT met")
                    print("g%s: best of GPTQ/AWQ ΔPPL = %.2f x RTN's%s" % (g, ratio, verdict))

        if args.decode:
            calib = os.path.join(args.model_dir, "calib_step")
            prompt = list(args.prompt.encode("ascii", "replace"))
            print("\ndecode: prompt %d bytes, %d generated bytes, batch 1" %
                  (len(prompt), args.tokens))
            models = {}
            for name in DECODE_CONFIGS:
                so = os.path.join(work, "step_" + name.replace("-", "_") + ".so")
                compile_model(args.bin, step_onnx, CONFIGS[name], calib, so)
                models[name] = quant.Model(so)
            for threads in [int(t) for t in args.threads.split(",")]:
                ort = json.loads(run(["node", os.path.join(ROOT, "utils", "ort-generate.js"),
                                      step_onnx, "--prompt", args.prompt, "--tokens",
                                      str(args.tokens), "--threads", str(threads)]).stdout)
                print("%d thread(s): ORT fp32 %.1f bytes/s" % (threads, ort["tokens_per_s"]))
                for name, model in models.items():
                    model.set_num_threads(threads)
                    generate(model, prompt, 8)  # warm-up
                    out, secs = generate(model, prompt, args.tokens)
                    rate = len(out) / secs
                    same = sum(a == b for a, b in zip(out, ort["tokens"]))
                    print("  quant %-14s %8.1f bytes/s  %.2fx ORT fp32  "
                          "(greedy bytes equal to ORT fp32's: %d/%d)" %
                          (name, rate, rate / ort["tokens_per_s"], same, len(out)))
                    if name == "fp32" and threads == 1:
                        print("    quant fp32: %r" % bytes(out).decode("ascii", "replace"))
                        print("    ORT fp32:   %r" % bytes(ort["tokens"]).decode("ascii", "replace"))


if __name__ == "__main__":
    main()
