#!/usr/bin/env python3
"""ONNX conformance: runs ONNX's backend node tests end to end through quant.

For every node test (Debian libonnx-testdata) whose ops quant-import claims
(--list-ops), this JIT-compiles the model with `quant-run model.onnx`, runs
it on test_data_set_0 and compares each output with the expected one:
floats with |got - want| <= atol + rtol * |want| (rtol 1e-3, atol 1e-5, NaNs
must match), everything else exactly.

Every claimed test must pass unless the expected-failure list names it (one
`test_name: reason` per line); a listed test that passes is an error too
(remove it from the list). Prints the failures, then

  conformance: P passed / C claimed / T node tests (X expected failures)

and exits 1 on any unexpected result.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper


def load_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def safe_name(name):
    out = "".join(c if (c.isalnum() or c in "-_.") else "_" for c in name)
    return "_" + out if (not out or out[0] == ".") else out


def run_test(args, name):
    """Returns (name, ok, reason)."""
    try:
        return run_test_unchecked(args, name)
    except Exception as e:  # a test-data file this script cannot read
        return name, False, "test data not readable: %s" % str(e).splitlines()[0]


def run_test_unchecked(args, name):
    test_dir = os.path.join(args.data, name)
    model_path = os.path.join(test_dir, "model.onnx")
    graph = onnx.load(model_path, load_external_data=False).graph
    inits = {t.name for t in graph.initializer}
    inputs = [i.name for i in graph.input if i.name not in inits]
    data = os.path.join(test_dir, "test_data_set_0")
    cmd = [args.quant_run, model_path]
    for k, input_name in enumerate(inputs):
        pb = os.path.join(data, "input_%d.pb" % k)
        if not os.path.isfile(pb):
            return name, False, "missing input_%d.pb" % k
        arr = load_pb(pb)
        if arr.ndim and all(d > 0 for d in arr.shape):
            cmd += ["--input-shape", "%s=%s" % (input_name, "x".join(map(str, arr.shape)))]
        cmd += ["--input", "%s=%s" % (input_name, pb)]
    with tempfile.TemporaryDirectory() as out_dir:
        cmd += ["--output-dir", out_dir]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=args.timeout)
        except subprocess.TimeoutExpired:
            return name, False, "timed out"
        if r.returncode != 0:
            lines = r.stderr.strip().splitlines()
            msg = lines[0] if lines else "exit %d" % r.returncode
            if r.returncode < 0 or r.returncode > 1:
                msg = "crashed (exit %d): %s" % (r.returncode, msg)
            return name, False, msg.split("error: ", 1)[-1]
        for k, out in enumerate(graph.output):
            want = load_pb(os.path.join(data, "output_%d.pb" % k))
            path = os.path.join(out_dir, safe_name(out.name) + ".npy")
            if not os.path.isfile(path):
                return name, False, "no output '%s'" % out.name
            got = np.load(path)
            if got.shape != want.shape:
                return name, False, "output '%s' shape %s, expected %s" % (
                    out.name, got.shape, want.shape)
            if want.dtype.kind == "f":
                w = want.astype(np.float64)
                g = got.astype(np.float64)
                nan = np.isnan(w)
                if (np.isnan(g) != nan).any():
                    return name, False, "output '%s' NaNs differ" % out.name
                err = np.abs(g[~nan] - w[~nan])
                tol = args.atol + args.rtol * np.abs(w[~nan])
                if (err > tol).any():
                    i = int(np.argmax(err - tol))
                    return name, False, "output '%s' differs: max error %.3g (at %.6g vs %.6g)" % (
                        out.name, err.max(), g[~nan].flat[i], w[~nan].flat[i])
            elif not np.array_equal(got.astype(want.dtype), want):
                return name, False, "output '%s' differs" % out.name
    return name, True, ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-run", required=True)
    ap.add_argument("--quant-import", required=True)
    ap.add_argument("--data", default="/usr/share/libonnx-testdata/data/node")
    ap.add_argument("--xfail", required=True)
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--write-xfail", action="store_true",
                    help="rewrite the expected-failure list from this run")
    ap.add_argument("--filter", default="", help="regex on test names")
    args = ap.parse_args()

    # --list-ops prints "OpType  opset ranges" per line: the first word.
    listed = subprocess.run([args.quant_import, "--list-ops"], check=True,
                            capture_output=True, text=True).stdout
    claimed_ops = {line.split()[0] for line in listed.splitlines() if line.strip()}
    xfail = {}
    with open(args.xfail) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                test, _, reason = line.partition(":")
                xfail[test.strip()] = reason.strip()

    total = 0
    claimed = []
    for name in sorted(os.listdir(args.data)):
        path = os.path.join(args.data, name, "model.onnx")
        if not os.path.isfile(path):
            continue
        total += 1
        if args.filter and not re.search(args.filter, name):
            continue
        ops = {n.op_type for n in onnx.load(path, load_external_data=False).graph.node}
        if ops <= claimed_ops:
            claimed.append(name)

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda n: run_test(args, n), claimed))

    passed = 0
    unexpected = 0
    failures = []
    for name, ok, reason in results:
        if ok:
            passed += 1
            if name in xfail:
                unexpected += 1
                print("UNEXPECTED PASS: %s (listed: %s)" % (name, xfail[name]))
        else:
            failures.append((name, reason))
            if name not in xfail:
                unexpected += 1
                print("FAIL: %s: %s" % (name, reason))
    if args.write_xfail:
        with open(args.xfail, "w") as f:
            f.write("# ONNX node tests with claimed ops that quant does not pass yet.\n"
                    "# test_name: the first error. Maintained by conformance.py "
                    "--write-xfail;\n# an entry that starts passing fails the suite.\n")
            for name, reason in failures:
                f.write("%s: %s\n" % (name, reason))
    expected = sum(1 for n, _ in failures if n in xfail)
    print("conformance: %d passed / %d claimed / %d node tests (%d expected failures)"
          % (passed, len(claimed), total, expected))
    return 1 if unexpected and not args.write_xfail else 0


if __name__ == "__main__":
    sys.exit(main())
