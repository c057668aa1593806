#!/usr/bin/env python3
"""Runs quant-import over ONNX's backend node tests (Debian libonnx-testdata).

For every node test whose ops quant-import claims (--list-ops), imports the
model and classifies the outcome:

  imported     exit 0
  unsupported  exit 1 with the unsupported-op or unsupported-data-type error
  form         exit 1 with "not supported: ..." (a form of a claimed op quant
               does not handle, e.g. a Resize size known only at run time)
  error        exit 1 with any other error (printed: name and message)
  crash        killed by a signal or timed out (printed)

Prints one line per error/crash, then a summary line. Exits 1 if anything
crashed, so a test can rely on the exit status.
"""

import argparse
import os
import subprocess
import sys

import onnx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-import", required=True)
    ap.add_argument("--data", default="/usr/share/libonnx-testdata/data/node")
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()

    # --list-ops prints "OpType  opset ranges" per line: the first word.
    listed = subprocess.run([args.quant_import, "--list-ops"], check=True,
                            capture_output=True, text=True).stdout
    claimed = {line.split()[0] for line in listed.splitlines() if line.strip()}
    counts = {"imported": 0, "unsupported": 0, "form": 0, "error": 0, "crash": 0}
    forms = {}
    total = 0
    for name in sorted(os.listdir(args.data)):
        path = os.path.join(args.data, name, "model.onnx")
        if not os.path.isfile(path):
            continue
        total += 1
        ops = {n.op_type for n in onnx.load(path, load_external_data=False).graph.node}
        if not ops <= claimed:
            continue
        # Fix input shapes from the test's first data set, as a user would.
        cmd = [args.quant_import, path, "-o", os.devnull]
        graph = onnx.load(path, load_external_data=False).graph
        inits = {t.name for t in graph.initializer}
        inputs = [i.name for i in graph.input if i.name not in inits]
        for k, input_name in enumerate(inputs):
            pb = os.path.join(args.data, name, "test_data_set_0", "input_%d.pb" % k)
            if not os.path.isfile(pb):
                continue
            t = onnx.TensorProto()
            with open(pb, "rb") as f:
                t.ParseFromString(f.read())
            if t.dims and all(d > 0 for d in t.dims):
                cmd += ["--input-shape", "%s=%s" % (input_name, "x".join(map(str, t.dims)))]
        try:
            r = subprocess.run(cmd,
                               capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            counts["crash"] += 1
            print("crash: %s: timed out" % name)
            continue
        if r.returncode == 0:
            counts["imported"] += 1
        elif r.returncode == 1 and ("unsupported ONNX ops" in r.stderr or
                                    "unsupported data types" in r.stderr):
            counts["unsupported"] += 1
        elif r.returncode == 1 and "not supported: " in r.stderr:
            counts["form"] += 1
            reason = r.stderr.split("not supported: ", 1)[1].splitlines()[0]
            forms[reason.split("'")[0].strip()] = forms.get(reason.split("'")[0].strip(), 0) + 1
        elif r.returncode == 1:
            counts["error"] += 1
            first = r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""
            print("error: %s: %s" % (name, first.split("error: ", 1)[-1]))
        else:
            counts["crash"] += 1
            print("crash: %s: exit %d" % (name, r.returncode))
    claimed_tests = sum(counts.values())
    for reason, n in sorted(forms.items(), key=lambda kv: -kv[1]):
        print("not supported (%d): %s" % (n, reason))
    print("node tests: %d total, %d with claimed ops: %d imported, %d unsupported "
          "op or type, %d unsupported form, %d other errors, %d crashes"
          % (total, claimed_tests, counts["imported"], counts["unsupported"],
             counts["form"], counts["error"], counts["crash"]))
    return 1 if counts["crash"] else 0


if __name__ == "__main__":
    sys.exit(main())
