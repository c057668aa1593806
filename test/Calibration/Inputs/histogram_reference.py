"""A numpy reference for qnt-calibrate's histogram methods.

Writes calibration samples (normal or heavy-tailed data whose scale grows
from sample to sample, so the streaming histogram has to coarsen its grid),
runs `quant-opt --qnt-calibrate` with each method on a model that observes
the input x and relu(x), and checks every range bound against an
independent numpy implementation over all the data at once:

  minmax      exact min and max
  percentile  np.percentile of all values (no histogram at all)
  entropy     TensorRT's KL search (clipping at most 1% of the values, and
              no more squared error than rounding) on np.histogram(|x|)
  mse         exhaustive search over the edges of np.histogram(x)

The reference histograms use quant's final grid (bins of the width stats=1
reports, edges at its multiples) but are built from all the data at once,
so they check both the streaming (which merges bins as the range grows)
and the methods. Agreement means within one bin. Prints one line per case
and exits non-zero on any disagreement.
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np

MODEL = """
func.func @main(%x: tensor<1x4096xf32>) -> tensor<1x4096xf32> {
  %0 = qnt.relu %x : (tensor<1x4096xf32>) -> tensor<1x4096xf32>
  return %0 : tensor<1x4096xf32>
}
"""
BINS = 2048


def ref_percentile(x, p):
    lo, hi = np.percentile(x.astype(np.float64), [100 - p, p])
    return lo, hi


def grid_edges(lo, hi, width):
    """Edges of quant's grid: multiples of the bin width, covering [lo, hi]."""
    first = np.floor(lo / width)
    last = np.floor(hi / width)
    return np.arange(first, last + 2) * width


def ref_entropy(x, width, bits=8, max_clipped=0.01):
    x = x.astype(np.float64)
    lo, hi = x.min(), x.max()
    amax = np.abs(x).max()
    edges = grid_edges(0, amax, width)
    hist, _ = np.histogram(np.abs(x), bins=edges)
    hist = hist.astype(np.float64)
    BINS = len(hist)
    two_sided = lo < 0 < hi
    levels = 2 ** (bits - 1) if two_sided else 2 ** bits
    total = hist.sum()
    best, best_i = np.inf, BINS
    for i in range(levels, BINS + 1):
        tail = hist[i:].sum()
        if tail > max_clipped * total:
            continue
        # Clipping may cost at most the rounding noise (bin centers, in
        # bins): sum over clipped bins of (center - i)^2 <= inside * step^2/12.
        centers = np.arange(i, BINS) + 0.5
        if np.sum(hist[i:] * (centers - i) ** 2) > hist[:i].sum() * (i / levels) ** 2 / 12:
            continue
        p = hist[:i].copy()
        p[-1] += tail
        merge = i // levels
        q = np.zeros(i)
        for c in range(levels):
            a = c * merge
            b = i if c == levels - 1 else a + merge
            nz = p[a:b] > 0
            if nz.sum():
                q[a:b][nz] = hist[a:b].sum() / nz.sum()
        mask = p > 0
        if hist[:i].sum() <= 0 or np.any(q[mask] <= 0):
            continue  # P has mass where Q has none: infinite divergence.
        pn = p[mask] / total
        qn = q[mask] / hist[:i].sum()
        kl = np.sum(pn * np.log(pn / qn))
        if kl < best:
            best, best_i = kl, i
    t = edges[best_i]
    rlo = lo if lo >= 0 else max(lo, -t)
    rhi = hi if hi <= 0 else min(hi, t)
    return rlo, rhi


def ref_mse(x, width, bits=8):
    x = x.astype(np.float64)
    lo, hi = x.min(), x.max()
    edges = grid_edges(lo, hi, width)
    hist, _ = np.histogram(x, bins=edges)
    hist = hist.astype(np.float64)
    BINS = len(hist)
    centers = (edges[:-1] + edges[1:]) / 2
    steps = 2 ** bits - 1
    best, best_ab = np.inf, (lo, hi)
    for ea in range(BINS):
        a = edges[ea]
        below = np.sum(hist[:ea] * (a - centers[:ea]) ** 2)
        eb = np.arange(ea + 1, BINS + 1)
        b = edges[eb]
        # Clipping error above b for every candidate b at once.
        c0 = np.concatenate([np.cumsum(hist[::-1])[::-1], [0]])
        c1 = np.concatenate([np.cumsum((hist * centers)[::-1])[::-1], [0]])
        c2 = np.concatenate([np.cumsum((hist * centers ** 2)[::-1])[::-1], [0]])
        above = c2[eb] - 2 * b * c1[eb] + b * b * c0[eb]
        inside = c0[ea] - c0[eb]
        err = below + above + inside * ((b - a) / steps) ** 2 / 12
        k = np.argmin(err)
        if err[k] < best:
            best, best_ab = err[k], (a, b[k])
    return max(lo, best_ab[0]), min(hi, best_ab[1])


def parse(ir):
    """(range, bin width) of the argument and of the relu result."""
    ranges = [tuple(float(v) for v in m) for m in
              re.findall(r"qnt.range = #qnt.range<([^,]+), ([^>]+)>", ir)]
    widths = [float(w) for w in re.findall(r"bin_width = ([^ ]+) : f64", ir)]
    return ranges, widths


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-opt", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    model = os.path.join(args.work, "model.mlir")
    with open(model, "w") as f:
        f.write(MODEL)

    rng = np.random.default_rng(7)
    datasets = {
        "normal": lambda s: rng.normal(0.3, 1.0, 4096) * (0.5 + s / 8),
        "heavy-tailed": lambda s: rng.standard_t(2.0, 4096) * (0.5 + s / 8),
    }
    failures = 0
    for name, draw in datasets.items():
        folder = os.path.join(args.work, name)
        os.makedirs(folder, exist_ok=True)
        samples = [draw(s).astype(np.float32).reshape(1, 4096)
                   for s in range(16)]
        for s, x in enumerate(samples):
            np.save(os.path.join(folder, "%04d.npy" % s), x)
        x = np.concatenate([v.ravel() for v in samples])
        observed = {"x": x, "relu": np.maximum(x, 0)}
        for method in ["minmax", "percentile", "entropy", "mse"]:
            out = subprocess.run(
                [args.quant_opt, model,
                 "--qnt-calibrate=data=%s method=%s percentile=99.9 stats=1"
                 % (folder, method)],
                check=True, capture_output=True, text=True).stdout
            ranges, widths = parse(out)
            for (vname, data), got, width in zip(observed.items(), ranges,
                                                 widths):
                if method == "minmax":
                    want, tol = (data.min(), data.max()), 0.0
                elif method == "percentile":
                    want, tol = ref_percentile(data, 99.9), width * 1.000001
                else:
                    # On quant's final grid (its bin width), built from all
                    # the data at once.
                    want = {"entropy": ref_entropy,
                            "mse": ref_mse}[method](data, width)
                    tol = width * 1.000001
                ok = all(abs(g - w) <= tol for g, w in zip(got, want))
                failures += not ok
                print("%s %s %s: %s (quant [%.6g, %.6g], numpy [%.6g, %.6g], "
                      "bin %.3g)" % (name, method, vname,
                                     "ok" if ok else "MISMATCH", got[0],
                                     got[1], want[0], want[1], tol))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
