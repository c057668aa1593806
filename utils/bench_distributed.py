#!/usr/bin/env python3
"""Wall time of sharded calibration and of the sharded sensitivity sweep on
a Dask LocalCluster, against the single-process run, in one go.

    /usr/bin/python3 utils/bench_distributed.py [--pages 64]
        [--method percentile] [--workers 1,2] [--skip-detector]

1. The PaddleOCR detector (utils/fetch-models.sh) calibrated on N rendered
   pages (test/Models/Inputs/ocr_calibration_set.py, cached under
   ~/.cache/quant/calibration): `quant-compile --emit=calibration-state` in
   this process, then quant.compile_file(executor=...) with 1 and 2 worker
   processes (one shard per worker), whose merged IR must equal the
   single-process IR byte for byte.
2. The Fashion-MNIST CNN's mixed-precision sweep (--precision=mixed,
   16 samples): single process, then shards of layers on 1 and 2 workers.
3. The accuracy-driven fallback on the dw-separable net (per-tensor,
   calibrated on 16 batches of 8, --accuracy-target=33 on 16 other
   batches of 8): single
   process, then every measurement in shards of the report samples on 1
   and 2 workers.

Prints a Markdown table: wall seconds, and the ratio to the single-process
run measured in the same invocation. Workers are local processes with one
Dask thread each, on loopback.
"""

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
import quant  # noqa: E402
from quant import _distributed  # noqa: E402

CACHE = os.path.expanduser("~/.cache/quant")
DET = os.path.join(CACHE, "models/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx")
CNN = os.path.join(ROOT, "examples/fashion-mnist/cnn.onnx")
DWSEP = os.path.join(ROOT, "examples/fashion-mnist/dwsep.onnx")


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def cluster(workers):
    import distributed
    c = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                 processes=True, host="127.0.0.1",
                                 dashboard_address=None)
    return c, distributed.Client(c)


def row(job, where, seconds, base, same):
    print("| %s | %s | %.1f | %.2f | %s |" % (job, where, seconds, base / seconds,
                                             same), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=64)
    ap.add_argument("--method", default="percentile")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--skip-detector", action="store_true")
    args = ap.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    print("| job | where | wall s | speed-up vs 1 process | IR identical |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_detector:
            if not os.path.exists(DET):
                sys.exit("no detector model: run utils/fetch-models.sh first")
            pages = os.path.join(CACHE, "calibration", "det-640x640")
            have = len(os.listdir(pages)) if os.path.isdir(pages) else 0
            if have < args.pages:
                subprocess.run([sys.executable, os.path.join(
                    ROOT, "test/Models/Inputs/ocr_calibration_set.py"), pages,
                    str(args.pages)], check=True)
            calib = os.path.join(tmp, "pages")
            os.makedirs(calib)
            for name in sorted(os.listdir(pages))[:args.pages]:
                os.symlink(os.path.join(pages, name), os.path.join(calib, name))
            kwargs = dict(emit="mlir", input_shapes={"x": [1, 3, 640, 640]},
                          precision="int8", calibration_data=calib,
                          calibration_method=args.method)
            single = os.path.join(tmp, "det-single.mlir")
            base, _ = timed(lambda: quant.compile_file(DET, single, **kwargs))
            row("detector calibration, %d pages" % args.pages, "1 process", base, base,
                "(reference)")
            phases = []
            for w in workers:
                c, client = cluster(w)
                out = os.path.join(tmp, "det-%d.mlir" % w)
                seconds, _ = timed(lambda: quant.compile_file(
                    DET, out, executor=client, **kwargs))
                # The same job in its two phases: the shards on the workers
                # (transfer, JIT compilation, observation) and the merging
                # compile here.
                files, names = _distributed.read_samples(calib)
                flags = ["--input-shape=x=1x3x640x640", "--precision=int8",
                         "--calibration-method=" + args.method]
                shard_s, states = timed(lambda: _distributed.calibration_states(
                    client, DET, files, names, flags, None, tmp))
                merge_s, _ = timed(lambda: quant.compile_file(
                    DET, os.path.join(tmp, "det-merge.mlir"), emit="mlir",
                    input_shapes={"x": [1, 3, 640, 640]}, precision="int8",
                    calibration_method=args.method,
                    extra_args=["--calibration-state=" + ",".join(states)]))
                phases.append((w, shard_s, merge_s))
                client.close()
                c.close()
                row("detector calibration, %d pages" % args.pages,
                    "%d worker%s" % (w, "s" if w > 1 else ""), seconds, base,
                    "yes" if filecmp.cmp(single, out, shallow=False) else "NO")
            for w, shard_s, merge_s in phases:
                print("  - %d worker%s, measured again by phase: shards %.1f s "
                      "(read + transfer + JIT + observe), merging compile %.1f s"
                      % (w, "s" if w > 1 else "", shard_s, merge_s))

        samples = np.load(os.path.join(ROOT, "examples/fashion-mnist/samples.npy"))
        calib = os.path.join(tmp, "cnn-calib")
        os.makedirs(calib)
        for i in range(16):
            np.save(os.path.join(calib, "%02d.npy" % i), samples[i * 16:i * 16 + 16])
        kwargs = dict(emit="mlir", input_shapes={"image": [16, 1, 28, 28]},
                      precision="mixed", calibration_data=calib,
                      extra_args=["--weight-bits-budget=6"])
        single = os.path.join(tmp, "cnn-single.mlir")
        base, _ = timed(lambda: quant.compile_file(CNN, single, **kwargs))
        row("CNN sensitivity sweep, 16 samples", "1 process", base, base, "(reference)")
        for w in workers:
            c, client = cluster(w)
            out = os.path.join(tmp, "cnn-%d.mlir" % w)
            seconds, _ = timed(lambda: quant.compile_file(CNN, out, executor=client,
                                                          **kwargs))
            client.close()
            c.close()
            row("CNN sensitivity sweep, 16 samples",
                "%d worker%s" % (w, "s" if w > 1 else ""), seconds, base,
                "yes" if filecmp.cmp(single, out, shallow=False) else "NO")

        # Calibration on the first 128 samples, the report on the other 128
        # (batches of 8).
        dw_calib, held = os.path.join(tmp, "dw-calib"), os.path.join(tmp, "held")
        os.makedirs(dw_calib)
        os.makedirs(held)
        for i in range(16):
            np.save(os.path.join(dw_calib, "%02d.npy" % i), samples[i * 8:i * 8 + 8])
            np.save(os.path.join(held, "%02d.npy" % i),
                    samples[128 + i * 8:136 + i * 8])
        kwargs = dict(emit="mlir", input_shapes={"image": [8, 1, 28, 28]},
                      precision="int8", calibration_data=dw_calib,
                      extra_args=["--granularity=per-tensor"], accuracy_target=33,
                      report_data=held)
        single = os.path.join(tmp, "dwsep-single.mlir")
        base, _ = timed(lambda: quant.compile_file(DWSEP, single, **kwargs))
        job = "dwsep accuracy fallback, 16 samples"
        row(job, "1 process", base, base, "(reference)")
        for w in workers:
            c, client = cluster(w)
            out = os.path.join(tmp, "dwsep-%d.mlir" % w)
            seconds, _ = timed(lambda: quant.compile_file(DWSEP, out, executor=client,
                                                          **kwargs))
            client.close()
            c.close()
            row(job, "%d worker%s" % (w, "s" if w > 1 else ""), seconds, base,
                "yes" if filecmp.cmp(single, out, shallow=False) else "NO")


if __name__ == "__main__":
    main()
