"""Drives the accuracy-driven fallback by hand, as a cluster driver would.

    report_rounds.py --quant-compile BIN --work DIR --shard DIR [--shard DIR
        ...] --report-data DIR -- MODEL FLAG...

Repeats: quant-compile MODEL FLAG... --report-data DIR --report-measurement
=<all so far> --emit=report-pending; then, for every set of float layers it
lists, one --emit=report-measurement per shard (each on its own folder of
samples, --report-samples=0), until the list is empty. Prints each round's
sets, and the measurement files' paths (comma-separated) last. Exit 1 when
a tool fails or after 20 rounds.
"""

import argparse
import json
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-compile", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--shard", action="append", required=True)
    ap.add_argument("--report-data", required=True)
    ap.add_argument("compile", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = [a for a in args.compile if a != "--"]
    model, flags = command[0], command[1:]
    # The shards measure without the search's own flags.
    worker_flags = [f for f in flags if not f.startswith("--accuracy-target")]
    os.makedirs(args.work, exist_ok=True)
    tables = []
    for round_ in range(20):
        pending_path = os.path.join(args.work, "pending%d.json" % round_)
        cmd = [args.quant_compile, model] + flags + [
            "--report-data", args.report_data, "--emit=report-pending",
            "-o", pending_path]
        if tables:
            cmd.append("--report-measurement=" + ",".join(tables))
        if subprocess.run(cmd).returncode != 0:
            return 1
        with open(pending_path) as f:
            pending = json.load(f)["float_layers"]
        print("round %d: %d pending: %s" % (
            round_, len(pending),
            " | ".join(",".join(p) or "(all int8)" for p in pending)))
        if not pending:
            print(",".join(tables))
            return 0
        for i, float_layers in enumerate(pending):
            for k, shard in enumerate(args.shard):
                out = os.path.join(args.work, "m%d-%d-%d.json" % (round_, i, k))
                cmd = [args.quant_compile, model] + worker_flags + [
                    "--report-data", shard, "--report-samples=0"] + [
                    "--report-float-layer=" + name for name in float_layers] + [
                    "--emit=report-measurement", "-o", out]
                if subprocess.run(cmd).returncode != 0:
                    return 1
                tables.append(out)
    print("FAIL: more than 20 rounds")
    return 1


if __name__ == "__main__":
    sys.exit(main())
