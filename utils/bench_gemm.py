#!/usr/bin/env python3
"""int8 GEMM throughput: quant's microkernels, ONNX Runtime, the VNNI peak.

    /usr/bin/python3 utils/bench_gemm.py [--bin build/bin] [--runs 50]
        [--threads 1,2] [--sizes 256x512x384,512x1024x1024,64x4096x1024]

Not a test: one run that, for each M x K x N,
  1. writes a one-op quantized module, int8 A (M x K, zero point 3) times
     constant int8 weights (N x K, per-channel scales) plus an int32 bias,
     requantized to int8 (the gemm qnt-quantize produces), compiles it
     with quant-compile (--int8-kernels=auto) and checks it against the
     reference lowering bit for bit;
  2. writes the same product for ONNX Runtime as MatMulInteger (uint8 A
     with its zero point, int8 B; int32 out, no requantization: less work
     than quant's);
  3. times both (median of --runs after warm-up, quant-run and
     utils/ort-run.js) and prints GOPS (2 * M * N * K / time);
  4. builds utils/vnni_peak.c and prints the machine's vpdpbusd peak
     (when the CPU has AVX-512 VNNI), measured in the same run.
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


def blob(array):
    # dense_resource hex: a 4-byte little-endian alignment, then the data.
    align = np.array([array.dtype.itemsize], np.uint32).tobytes()
    return "0x" + (align + array.tobytes()).hex().upper()


def write_module(path, m, k, n, rng):
    w = rng.integers(-127, 128, (n, k)).astype(np.int8)
    b = rng.integers(-5000, 5000, (n,)).astype(np.int32)
    # Scales that keep the int8 output busy: s_x * s_w / s_y ~ 1 / sqrt(K).
    sw = rng.uniform(0.5, 1.5, n) / np.sqrt(k) / 4
    a_t = "tensor<%dx%dx!quant.uniform<i8:f32, 1.0:3>>" % (m, k)
    w_t = "tensor<%dx%dx!quant.uniform<i8<-127:127>:f32:0, {%s}>>" % (
        n, k, ",".join("%.9g" % s for s in sw))
    b_t = "tensor<%dx!quant.uniform<i32:f32:0, {%s}>>" % (
        n, ",".join("%.9g" % s for s in sw))
    y_t = "tensor<%dx%dx!quant.uniform<i8:f32, 4.0:-5>>" % (m, n)
    with open(path, "w") as f:
        f.write(f"""func.func @main(%a: tensor<{m}x{k}xi8>) -> tensor<{m}x{n}xi8> {{
  %aq = quant.scast %a : tensor<{m}x{k}xi8> to {a_t}
  %w = qnt.constant dense_resource<w> : tensor<{n}x{k}xi8>
  %wq = quant.scast %w : tensor<{n}x{k}xi8> to {w_t}
  %b = qnt.constant dense_resource<b> : tensor<{n}xi32>
  %bq = quant.scast %b : tensor<{n}xi32> to {b_t}
  %y = qnt.gemm %aq, %wq, %bq {{trans_b = true}} : ({a_t}, {w_t}, {b_t}) -> {y_t}
  %o = quant.scast %y : {y_t} to tensor<{m}x{n}xi8>
  return %o : tensor<{m}x{n}xi8>
}}
{{-#
  dialect_resources: {{ builtin: {{ w: "{blob(w)}", b: "{blob(b)}" }} }}
#-}}
""")
    return w


def write_ort_model(path, m, k, n, w):
    a = helper.make_tensor_value_info("a", TensorProto.UINT8, [m, k])
    y = helper.make_tensor_value_info("y", TensorProto.INT32, [m, n])
    inits = [numpy_helper.from_array(np.ascontiguousarray(w.T), "b"),
             numpy_helper.from_array(np.array(131, np.uint8), "a_zero_point"),
             numpy_helper.from_array(np.array(0, np.int8), "b_zero_point")]
    node = helper.make_node("MatMulInteger", ["a", "b", "a_zero_point",
                                              "b_zero_point"], ["y"])
    graph = helper.make_graph([node], "gemm", [a], [y], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--sizes", default="256x512x384,512x1024x1024,64x4096x1024")
    args = ap.parse_args()
    compile_ = os.path.join(args.bin, "quant-compile")
    quant_run = os.path.join(args.bin, "quant-run")
    ort_run = ["node", os.path.join(ROOT, "utils", "ort-run.js")]
    rng = np.random.default_rng(0)
    threads = args.threads.split(",")
    with tempfile.TemporaryDirectory() as work:
        peak = {}
        cpuinfo = open("/proc/cpuinfo").read()
        if "avx512_vnni" in cpuinfo:
            exe = os.path.join(work, "vnni_peak")
            cc = os.environ.get("CC", "clang-22")
            run([cc, "-O2", "-mavx512f", "-mavx512vnni", "-fopenmp",
                 os.path.join(ROOT, "utils", "vnni_peak.c"), "-o", exe,
                 "-L/usr/lib/llvm-22/lib", "-Wl,-rpath,/usr/lib/llvm-22/lib"])
            for t in threads:
                peak[t] = float(run([exe, t]).split()[2])
        print("| M x K x N | threads | quant GOPS | ORT MatMulInteger GOPS | "
              "vpdpbusd peak GOPS | quant / ORT | quant / peak |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for size in args.sizes.split(","):
            m, k, n = (int(d) for d in size.split("x"))
            module = os.path.join(work, "gemm.mlir")
            w = write_module(module, m, k, n, rng)
            lib = os.path.join(work, "gemm.so")
            ref = os.path.join(work, "gemm-ref.so")
            run([compile_, module, "--emit=shared", "-o", lib])
            run([compile_, module, "--emit=shared", "--int8-kernels=reference",
                 "-o", ref])
            a = rng.integers(-128, 128, (m, k)).astype(np.int8)
            a_npy = os.path.join(work, "a.npy")
            np.save(a_npy, a)
            outs = []
            for so in (lib, ref):
                out_dir = os.path.join(work, os.path.basename(so) + ".out")
                run([quant_run, so, "--input", "input0=" + a_npy,
                     "--output-dir", out_dir])
                outs.append(np.load(os.path.join(out_dir, "output0.npy")))
            if not np.array_equal(outs[0], outs[1]):
                sys.exit("%s: kernels and reference lowering differ" % size)
            model = os.path.join(work, "gemm.onnx")
            write_ort_model(model, m, k, n, w)
            # uint8 A for ONNX Runtime: the same values shifted by 128.
            u_npy = os.path.join(work, "u.npy")
            np.save(u_npy, (a.astype(np.int16) + 128).astype(np.uint8))
            ops = 2.0 * m * n * k
            for t in threads:
                q = median_ms([quant_run, lib, "--input", "input0=" + a_npy,
                               "--bench", str(args.runs), "--threads", t])
                o = median_ms(ort_run + [model, "--input", "a=" + u_npy,
                                         "--bench", str(args.runs),
                                         "--threads", t])
                qg, og = ops / q / 1e6, ops / o / 1e6
                pk = peak.get(t)
                print("| %s | %s | %.0f | %.0f | %s | %.2f | %s |" % (
                    size, t, qg, og, "%.0f" % pk if pk else "-", qg / og,
                    "%.0f%%" % (100 * qg / pk) if pk else "-"), flush=True)


if __name__ == "__main__":
    main()
