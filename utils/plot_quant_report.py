#!/usr/bin/env python3
"""Plots a qnt-quant-report along the graph.

    utils/plot_quant_report.py DIR/report.json [-o DIR/report.png]

One point per int8 layer in program order: the SQNR of its output with only
it quantized ("alone") and with every layer up to it quantized
("cumulative"), and the model outputs' SQNR as a line. Exact values (no
error, null in the JSON) are drawn at the top of the axis. Needs
python3-matplotlib.
"""

import argparse
import json
import os
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report", help="report.json written by qnt-quant-report")
    ap.add_argument("-o", "--output", help="PNG (default: report.png beside it)")
    args = ap.parse_args()
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("plot_quant_report.py: needs matplotlib (apt install python3-matplotlib)")
    try:
        with open(args.report) as f:
            report = json.load(f)
        layers = report["layers"]
    except (OSError, ValueError, KeyError) as e:
        sys.exit("plot_quant_report.py: %s: not a qnt-quant-report: %s" % (args.report, e))
    output = args.output or os.path.join(os.path.dirname(args.report) or ".", "report.png")

    finite = [v for l in layers for v in (l["sqnr_alone_db"], l["sqnr_cumulative_db"]) if v is not None]
    top = (max(finite) if finite else 60.0) + 5.0

    def values(key):
        return [top if l[key] is None else l[key] for l in layers]

    x = list(range(len(layers)))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.35 * len(layers) + 2), 4.5))
    ax.plot(x, values("sqnr_alone_db"), "o-", label="this layer alone int8")
    ax.plot(x, values("sqnr_cumulative_db"), "s--", label="every layer up to it int8")
    if report.get("model_sqnr_db") is not None:
        ax.axhline(report["model_sqnr_db"], color="gray", linestyle=":",
                   label="model outputs, all int8 (%.1f dB)" % report["model_sqnr_db"])
    ax.set_xticks(x)
    ax.set_xticklabels([l["name"] for l in layers], rotation=90, fontsize=7)
    ax.set_ylabel("output SQNR against float (dB)")
    ax.set_title("qnt-quant-report: %d layers, %d samples" % (len(layers), report["samples"]))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(output, dpi=110)
    print("wrote " + output)


if __name__ == "__main__":
    main()
