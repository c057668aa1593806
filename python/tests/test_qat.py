"""pytest of examples/fashion-mnist/qat.py (quantization-aware training).

A few fine-tuning steps on a small subset, then: the QDQ export is valid
ONNX with the promised integer initializers, quant compiles it with no
calibration data, and quant's int8 logits agree with the fake-quant
PyTorch model on a few images. Needs Debian's python3-torch and the
Fashion-MNIST dataset; skipped without them.
"""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

import quant

torch = pytest.importorskip("torch")

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EXAMPLES = os.path.join(ROOT, "examples", "fashion-mnist")
QAT = os.path.join(EXAMPLES, "qat.py")
DATASET = "/usr/share/datasets/fashion-mnist"

pytestmark = pytest.mark.skipif(not os.path.isdir(DATASET),
                                reason="needs Debian's dataset-fashion-mnist")


def load_qat():
    spec = importlib.util.spec_from_file_location("qat", QAT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fake_quant_rounds_and_clamps_like_quant():
    qat = load_qat()
    scale, zp = torch.tensor(0.5), torch.tensor(-128.0)
    # Ties round half to even; -128 + q clamps to [-128, 127] (real [0, 127.5]).
    x = torch.tensor([0.25, 0.75, 1.25, -3.0, 200.0], requires_grad=True)
    y = qat.fake_quant(x, scale, zp, -128, 127)
    assert y.tolist() == [0.0, 1.0, 1.0, 0.0, 127.5]
    # Straight-through inside the grid, zero outside.
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0, 0.0, 0.0]
    # LSQ's scale gradient: round(v) - v inside, the clamped level outside.
    s = torch.tensor(0.5, requires_grad=True)
    qat.fake_quant(torch.tensor([0.3, 200.0]), s, zp, -128, 127).sum().backward()
    assert s.grad.item() == pytest.approx((1 - 0.6) + 255)
    # quant's choice of grid for a calibrated range (docs/Numerics.md).
    assert qat.choose_activation_params(0.0, 6.0) == (np.float32(6 / 255), -128)
    assert qat.choose_activation_params(-1.0, 1.0)[1] == -1


@pytest.mark.parametrize("model,bits,int8,floats", [("dwsep", 4, 5, 3), ("cnn", 8, 4, 0)])
def test_qat_export_compiles_without_calibration_and_matches(tmp_path, model, bits,
                                                              int8, floats):
    out = tmp_path / "qat"
    subprocess.run([sys.executable, QAT, "--model", model, "--weight-bits", str(bits),
                    "--steps", "4", "--train-images", "512", "--dev-images", "0",
                    "--calibration-images", "256", "--eval-images", "0",
                    "--check-images", "0", "--threads", "1", "--out", str(out)],
                   check=True, capture_output=True)
    tag = "%s-w%d" % (model, bits)
    qdq = str(out / (tag + ".qdq.onnx"))
    results = json.load(open(out / (tag + ".json")))
    assert results["history"][-1]["step"] == 4

    # Valid ONNX for ONNX 1.12, with integer weights on the promised grid.
    proto = onnx.load(qdq)
    onnx.checker.check_model(proto, full_check=True)
    assert max(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")) <= 17
    inits = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    qmax = 2 ** (bits - 1) - 1
    weights = 0
    for node in proto.graph.node:
        if node.op_type != "DequantizeLinear" or node.input[0] not in inits:
            continue
        q, scale, zp = (inits[i] for i in node.input)
        assert not zp.any() and (scale > 0).all()
        if q.dtype == np.int8:
            weights += 1
            assert np.abs(q).max() <= qmax and np.abs(q).max() >= qmax // 2
            assert scale.shape == (q.shape[0],)
        else:
            assert q.dtype == np.int32
    assert weights == int8
    acts = [n for n in proto.graph.node if n.op_type == "QuantizeLinear"]
    assert all(inits[n.input[2]].dtype == np.int8 and inits[n.input[2]].ndim == 0
               for n in acts)

    # quant compiles it with no calibration data; qnt-fuse-qdq makes the
    # group-1 convs and gemms int8 and leaves the depthwise convs, whose
    # weights qat.py exports float, float.
    lib = str(tmp_path / "qat.so")
    proc = subprocess.run([quant.find_tool("quant-compile"), qdq,
                           "--input-shape=image=8x1x28x28", "-o", lib],
                          capture_output=True, text=True, check=True)
    summary = "qnt-fuse-qdq: %d conv/gemm/matmul int8 with the model's scales, %d float" \
        % (int8, floats)
    assert summary in proc.stderr.splitlines(), proc.stderr
    assert proc.stderr.count(
        "stays float: its weight is not a constant int8 tensor") == floats

    # quant's int8 logits against the fake-quant model, on 8 images: the same
    # labels, each logit within 2 LSB of the output grid.
    x = np.load(os.path.join(EXAMPLES, "samples.npy"))[:8]
    got = quant.Model(lib).run(image=x)["logits"]
    net = load_qat().load_checkpoint(str(out / (tag + ".pt")))
    with torch.no_grad():
        want = net(torch.from_numpy(x)).numpy()
    lsb = float(net.grid("logits").scale)
    np.testing.assert_array_equal(got.argmax(1), want.argmax(1))
    assert np.abs(got - want).max() <= 2 * lsb + 1e-6
    # Both differ from the float model (the check is not vacuous).
    net.quantized = False
    with torch.no_grad():
        plain = net(torch.from_numpy(x)).numpy()
    assert np.abs(plain - want).max() > 2 * lsb
