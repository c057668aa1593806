"""qnt-quant-report's figures against numpy.

    quant_report_check.py --quant-opt BIN --work DIR [--granularity G]

A two-layer MLP (gemm + relu, gemm; seeded weights, one output channel of
the first layer scaled up 8x so that per-tensor weights hurt) is
calibrated on 16 samples and reported on 8 others. The script
recomputes every SQNR in numpy from the grids the report wrote (scale, zero
point) and int8 weights quantized as QuantMath does, and checks:
  - each layer's alone and cumulative SQNR and the model SQNR within
    0.05 dB;
  - each grid covers its calibrated range (to half a step), and the clipped fractions
    (outside the calibrated range) and saturation counts (beyond the
    grid) of the report samples.
Prints the figures and "ok", or what differs; exit 1 on a difference.
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np

K, H, N = 8, 6, 4


def fake_quant(x, scale, zp, qmin, qmax):
    s = np.float32(scale)
    q = np.rint(x.astype(np.float32) / s).astype(np.float64) + zp
    q = np.clip(q, qmin, qmax)
    return ((q - zp) * s).astype(np.float32)


def int8_weights(w, per_channel):
    # [K, N] gemm weights: output channels on axis 1, symmetric [-127, 127].
    m = np.abs(w).max(axis=0) if per_channel else np.full(w.shape[1], np.abs(w).max())
    scale = np.float32(m / 127.0)
    return (np.clip(np.rint(w / scale), -127, 127) * scale).astype(np.float32)


def sqnr(ref, got):
    noise = np.sum((got.astype(np.float64) - ref) ** 2)
    return float("inf") if noise == 0 else 10 * np.log10(np.sum(ref.astype(np.float64) ** 2) / noise)


def grid(entry):
    return (entry["scale"], entry["zero_point"], -128, 127)


def mlir_tensor(a):
    rows = ", ".join("[" + ", ".join("%.8e" % v for v in r) + "]" for r in a)
    return "dense<[%s]> : tensor<%dx%dxf32>" % (rows, a.shape[0], a.shape[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quant-opt", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--granularity", default="per-channel")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(7)
    w1 = rng.normal(0, 0.5, (K, H)).astype(np.float32)
    w1[:, 2] *= 8
    b1 = rng.normal(0, 0.1, (H,)).astype(np.float32)
    w2 = rng.normal(0, 0.5, (H, N)).astype(np.float32)
    model = os.path.join(args.work, "mlp.mlir")
    with open(model, "w") as f:
        f.write("""func.func @main(%%x: tensor<1x%dxf32> {onnx.name = "x"}) -> tensor<1x%dxf32> {
  %%w1 = qnt.constant %s
  %%b1 = qnt.constant dense<[%s]> : tensor<%dxf32>
  %%w2 = qnt.constant %s
  %%h = qnt.gemm %%x, %%w1, %%b1 : (tensor<1x%dxf32>, tensor<%dx%dxf32>, tensor<%dxf32>) -> tensor<1x%dxf32> loc("fc1")
  %%r = qnt.relu %%h : (tensor<1x%dxf32>) -> tensor<1x%dxf32> loc("relu1")
  %%y = qnt.gemm %%r, %%w2 : (tensor<1x%dxf32>, tensor<%dx%dxf32>) -> tensor<1x%dxf32> loc("fc2")
  return %%y : tensor<1x%dxf32>
}
""" % (K, N, mlir_tensor(w1), ", ".join("%.8e" % v for v in b1), H, mlir_tensor(w2),
       K, K, H, H, H, H, H, H, H, N, N, N))
    calib, evaluate = os.path.join(args.work, "calib"), os.path.join(args.work, "eval")
    for d in (calib, evaluate):
        os.makedirs(d, exist_ok=True)
    xs_cal = rng.normal(0, 1, (16, 1, K)).astype(np.float32)
    # Report samples: the same distribution, other draws (a few clip).
    xs = rng.normal(0, 1.0, (8, 1, K)).astype(np.float32)
    for i, x in enumerate(xs_cal):
        np.save(os.path.join(calib, "%02d.npy" % i), x)
    for i, x in enumerate(xs):
        np.save(os.path.join(evaluate, "%02d.npy" % i), x)
    report_dir = os.path.join(args.work, "report")
    subprocess.run([args.quant_opt, model, "--qnt-calibrate=data=" + calib,
                    "--qnt-quant-report=data=%s dir=%s granularity=%s" % (evaluate, report_dir, args.granularity),
                    "-o", os.path.join(args.work, "out.mlir")], check=True)
    with open(os.path.join(report_dir, "report.json")) as f:
        report = json.load(f)
    fc1, fc2 = report["layers"]
    per_channel = args.granularity == "per-channel"

    x = xs[:, 0, :]
    h = np.maximum(x @ w1 + b1, 0)
    y = h @ w2
    q1, q2 = int8_weights(w1, per_channel), int8_weights(w2, per_channel)
    h_alone = fake_quant(np.maximum(fake_quant(x, *grid(fc1["input"])) @ q1 + b1, 0), *grid(fc1["output"]))
    y_alone = fake_quant(fake_quant(h, *grid(fc2["input"])) @ q2, *grid(fc2["output"]))
    y_cum = fake_quant(fake_quant(h_alone, *grid(fc2["input"])) @ q2, *grid(fc2["output"]))
    def nsr(ref, got):
        return float(np.sum((got.astype(np.float64) - ref) ** 2) / np.sum(ref.astype(np.float64) ** 2))

    expected = {
        ("fc2", "sqnr_cumulative_input_db"): sqnr(h, h_alone),
        ("fc1", "noise_added"): nsr(h, h_alone),
        ("fc2", "noise_added"): nsr(y, y_cum) - nsr(h, h_alone),
        ("fc1", "sqnr_alone_db"): sqnr(h, h_alone),
        ("fc1", "sqnr_cumulative_db"): sqnr(h, h_alone),
        ("fc2", "sqnr_alone_db"): sqnr(y, y_alone),
        ("fc2", "sqnr_cumulative_db"): sqnr(y, y_cum),
    }
    status = 0
    for layer in (fc1, fc2):
        for key in ("sqnr_alone_db", "sqnr_cumulative_db"):
            want, got = expected[(layer["name"], key)], layer[key]
            print("%s %s: report %.3f numpy %.3f" % (layer["name"], key, got, want))
            if abs(got - want) > 0.05:
                print("DIFFERENT")
                status = 1
    # fc1 reads the model input: nothing before it is quantized.
    print("fc1 sqnr_cumulative_input_db: report %s" % fc1["sqnr_cumulative_input_db"])
    if fc1["sqnr_cumulative_input_db"] is not None:
        print("DIFFERENT: fc1's input has noise")
        status = 1
    got, want = fc2["sqnr_cumulative_input_db"], expected[("fc2", "sqnr_cumulative_input_db")]
    print("fc2 sqnr_cumulative_input_db: report %.3f numpy %.3f" % (got, want))
    if abs(got - want) > 0.05:
        print("DIFFERENT")
        status = 1
    for layer in (fc1, fc2):
        want, got = expected[(layer["name"], "noise_added")], layer["noise_added"]
        print("%s noise_added: report %.5g numpy %.5g" % (layer["name"], got, want))
        if abs(got - want) > 0.01 * abs(want) + 1e-6:
            print("DIFFERENT")
            status = 1
    got, want = report["model_sqnr_db"], sqnr(y, y_cum)
    print("model: report %.3f numpy %.3f" % (got, want))
    if abs(got - want) > 0.05:
        print("DIFFERENT")
        status = 1

    # Clipped: outside the calibrated range; saturated: beyond the grid.
    for layer, inp, out in ((fc1, x, h), (fc2, h, y)):
        for key, values in (("input", inp), ("output", out)):
            g = layer[key]
            s, zp = g["scale"], g["zero_point"]
            lo, hi = g["calibrated_range"]
            glo, ghi = g["grid_range"]
            clipped = float(np.mean((values < lo) | (values > hi)))
            q = np.rint(values.astype(np.float32) / np.float32(s)) + zp
            saturated = int(np.sum((q < -128) | (q > 127)))
            print("%s %s: range [%.4g, %.4g] in grid [%.4g, %.4g] clipped %.4f (numpy %.4f) "
                  "saturated %d (numpy %d)" % (layer["name"], key, lo, hi, glo, ghi,
                                               g["clipped_fraction"], clipped, g["saturated"], saturated))
            if abs(g["clipped_fraction"] - clipped) > 1e-9 or g["saturated"] != saturated:
                print("DIFFERENT")
                status = 1
            # The grid covers the range (widened to 0) but for the half step
            # the rounded zero point may shift it by.
            if not (glo <= min(lo, 0) + 0.5001 * s and ghi >= max(hi, 0) - 0.5001 * s):
                print("DIFFERENT: the grid does not cover the range")
                status = 1
    for layer in (fc1, fc2):
        print("%s weight scales %.6g to %.6g" % (layer["name"], layer["weight_scale_min"],
                                                 layer["weight_scale_max"]))
    print("ok" if status == 0 else "FAIL")
    return status


if __name__ == "__main__":
    sys.exit(main())
