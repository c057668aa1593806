#!/usr/bin/env python3
"""Batch-1 matrix-vector products (decode): int4 and int8 against ONNX Runtime.

    /usr/bin/python3 utils/bench_gemv.py [--bin build/bin] [--runs 30]
        [--threads 1,2] [--size 4096x4096] [--layers 1,16] [--group-size 128]

Not a test: one run that, for each --layers L,
  1. writes an ONNX model of L float MatMuls x[1, K] @ W[K, N] in a chain
     (K = N, random weights), and random calibration vectors;
  2. compiles it with quant-compile at --precision=int4 (W4A8: int8
     activations, 4-bit weights in groups of --group-size) and at
     --precision=int8, each with the microkernels (--int8-kernels=auto)
     and with the reference lowering, and checks that the two give the same
     output bit for bit;
  3. writes the same chain for ONNX Runtime as float MatMul and as
     com.microsoft MatMulNBits (4 bits, the same block size,
     accuracy_level 4: int8 activations), when onnxruntime-node runs it;
  4. times all four (median of --runs after warm-up, quant-run and
     utils/ort-run.js) and prints microseconds per GEMV, the ratios, and
     the weight bytes each GEMV reads per second;
  5. builds utils/stream_read.c and prints this machine's memory read
     bandwidth (a 1 GiB buffer), measured in the same run, and what share
     of it the int4 GEMV reaches.

One 4096 x 4096 layer is 8 MiB of int4 or 16 MiB of int8 weights: it
stays in a 32 MiB L3 cache between runs, so its bytes per second can
exceed DRAM's. Sixteen layers (128 / 256 MiB, four times that L3) cannot,
so that row is the memory-bound one (six, the old default, are 48 MiB of
int4: on 2026-12-07 the L3 kept enough of them that the row read 147% of
the measured bandwidth). The share of the measured bandwidth can still
pass 100%: stream_read.c is one summing loop over 1 GiB, and the GEMV's
several weight streams read faster than it on this VM.
"""

import argparse
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "utils"))
from bench_tools import median_ms, run  # noqa: E402


def save_model(nodes, inits, k, n, path, ms_domain=False):
    graph = helper.make_graph(
        nodes, "gemv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])], inits)
    opsets = [helper.make_opsetid("", 17)]
    if ms_domain:
        opsets.append(helper.make_opsetid("com.microsoft", 1))
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 8
    onnx.save(model, path)


def float_chain(weights, path):
    nodes, inits, prev = [], [], "x"
    for i, w in enumerate(weights):
        out = "y" if i == len(weights) - 1 else "h%d" % i
        inits.append(numpy_helper.from_array(w, "w%d" % i))
        nodes.append(helper.make_node("MatMul", [prev, "w%d" % i], [out], name="mm%d" % i))
        prev = out
    save_model(nodes, inits, weights[0].shape[0], weights[-1].shape[1], path)


def nbits_chain(weights, block, path):
    """MatMulNBits: B [N][K / block][block / 2] uint8, two consecutive k per
    byte (low nibble first), unsigned 4-bit with the default zero point 8;
    scales [N * K / block] (round to nearest, max |w| / 7)."""
    nodes, inits, prev = [], [], "x"
    for i, w in enumerate(weights):
        k, n = w.shape
        wt = w.T.reshape(n, k // block, block).astype(np.float64)
        scale = np.abs(wt).max(axis=2, keepdims=True) / 7
        scale[scale == 0] = 1
        q = (np.clip(np.rint(wt / scale), -8, 7) + 8).astype(np.uint8)
        packed = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)
        out = "y" if i == len(weights) - 1 else "h%d" % i
        inits += [numpy_helper.from_array(packed, "b%d" % i),
                  numpy_helper.from_array(scale.reshape(-1).astype(np.float32), "s%d" % i)]
        nodes.append(helper.make_node(
            "MatMulNBits", [prev, "b%d" % i, "s%d" % i], [out], domain="com.microsoft",
            K=k, N=n, bits=4, block_size=block, accuracy_level=4, name="mm%d" % i))
        prev = out
    save_model(nodes, inits, weights[0].shape[0], weights[-1].shape[1], path, True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--size", default="4096x4096")
    ap.add_argument("--layers", default="1,16")
    ap.add_argument("--group-size", type=int, default=128)
    args = ap.parse_args()
    compile_ = os.path.join(args.bin, "quant-compile")
    quant_run = os.path.join(args.bin, "quant-run")
    ort_run = ["node", os.path.join(ROOT, "utils", "ort-run.js")]
    k, n = (int(d) for d in args.size.split("x"))
    threads = args.threads.split(",")
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as work:
        exe = os.path.join(work, "stream_read")
        cc = os.environ.get("CC", "clang-22")
        run([cc, "-O2", "-march=native", "-fopenmp",
             os.path.join(ROOT, "utils", "stream_read.c"), "-o", exe,
             "-L/usr/lib/llvm-22/lib", "-Wl,-rpath,/usr/lib/llvm-22/lib"])
        bandwidth = {t: float(run([exe, t]).split()[1]) for t in threads}
        print("memory read bandwidth (utils/stream_read.c, 1 GiB): %s" % ", ".join(
            "%s thread%s %.1f GB/s" % (t, "" if t == "1" else "s", bandwidth[t])
            for t in threads))
        print()
        print("| layers of %dx%d | threads | ORT fp32 us | ORT MatMulNBits us | "
              "quant int8 us | quant int4 us | int4 / int8 | int4 / ORT fp32 | "
              "int4 / MatMulNBits | int4 GB/s | int4 / read bandwidth |" % (k, n))
        print("| --- " * 11 + "|")
        calib = os.path.join(work, "calib")
        os.makedirs(calib, exist_ok=True)
        for i in range(8):
            np.save(os.path.join(calib, "%d.npy" % i),
                    rng.normal(0, 1, (1, k)).astype(np.float32))
        x_npy = os.path.join(work, "x.npy")
        np.save(x_npy, rng.normal(0, 1, (1, k)).astype(np.float32))
        for layers in (int(v) for v in args.layers.split(",")):
            # Weights ~ 1 / sqrt(K) keep the activations O(1) down the chain.
            weights = [(rng.normal(0, 1, (k, n)) / np.sqrt(k)).astype(np.float32)
                       for _ in range(layers)]
            model = os.path.join(work, "chain.onnx")
            float_chain(weights, model)
            nbits = os.path.join(work, "nbits.onnx")
            nbits_chain(weights, args.group_size, nbits)
            libs = {}
            for precision in ("int4", "int8"):
                outs = []
                for kernels in ("auto", "reference"):
                    lib = os.path.join(work, "%s-%s.so" % (precision, kernels))
                    run([compile_, model, "--precision=" + precision,
                         "--group-size=%d" % args.group_size,
                         "--calibration-data", calib, "--int8-kernels=" + kernels,
                         "--emit=shared", "-o", lib])
                    out_dir = lib + ".out"
                    run([quant_run, lib, "--input", "x=" + x_npy, "--output-dir", out_dir])
                    outs.append(np.load(os.path.join(out_dir, "y.npy")))
                    libs.setdefault(precision, lib)
                if not np.array_equal(outs[0], outs[1]):
                    sys.exit("%s: kernels and reference lowering differ" % precision)
            # int4 bytes each GEMV reads: nibbles, f32 scales and int32
            # corrections per (channel, group), and the f32 bias.
            int4_bytes = k * n / 2 + 2 * 4 * n * (k // args.group_size) + 4 * n
            for t in threads:
                q4 = median_ms([quant_run, libs["int4"], "--input", "x=" + x_npy,
                                "--bench", str(args.runs), "--threads", t]) / layers
                q8 = median_ms([quant_run, libs["int8"], "--input", "x=" + x_npy,
                                "--bench", str(args.runs), "--threads", t]) / layers
                of = median_ms(ort_run + [model, "--input", "x=" + x_npy, "--bench",
                                          str(args.runs), "--threads", t]) / layers
                try:
                    on = median_ms(ort_run + [nbits, "--input", "x=" + x_npy, "--bench",
                                              str(args.runs), "--threads", t]) / layers
                except SystemExit as e:
                    print("(MatMulNBits did not run: %s)" % str(e).splitlines()[-1])
                    on = None
                rate = int4_bytes / (q4 * 1e-3) / 1e9
                print("| %d | %s | %.0f | %s | %.0f | %.0f | %.2fx | %.2fx | %s | %.1f | %.0f%% |" % (
                    layers, t, of * 1e3, "%.0f" % (on * 1e3) if on else "-", q8 * 1e3,
                    q4 * 1e3, q8 / q4, of / q4, "%.2fx" % (on / q4) if on else "-",
                    rate, 100 * rate / bandwidth[t]), flush=True)


if __name__ == "__main__":
    main()
