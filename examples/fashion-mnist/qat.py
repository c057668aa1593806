#!/usr/bin/env python3
"""Quantization-aware training (QAT) of the bundled Fashion-MNIST nets.

The result is a QDQ ONNX model that quant compiles without calibration data.

    /usr/bin/python3 examples/fashion-mnist/qat.py --model dwsep --weight-bits 4 \\
        [--epochs 2] [--out build/qat] [--threads 2]

Needs Debian's python3-torch, python3-onnx and numpy, the dataset in
/usr/share/datasets/fashion-mnist, and a built quant (build/bin, or
$QUANT_TOOLS_DIR) with its Python package importable (utils/install-python.sh).
docs/QAT.md has the numerics and the measured figures.

What it does, in order:

1. Builds a PyTorch module that interprets MODEL.onnx's graph (cnn.onnx or
   dwsep.onnx; their batch norms are already folded into the convs), with
   the ONNX initializers as parameters. Every tensor keeps its ONNX name.
2. Calibrates with quant: the first --calibration-images training images,
   as a folder of .npy batches of 256 (as utils/demo.sh does), and
       quant-compile MODEL.onnx --input-shape image=256x1x28x28
           --precision=int8 --calibration-method=minmax
           --calibration-data DIR --emit=calibration-state -o calibration.json
   From that JSON it reads only `format` (must be
   "quant-calibration-state"), `bins` (must be 0: minmax) and, per entry of
   `values`, `name`, `min` and `max`. An entry's name is
   "argument 0 'image'" for the graph input or "<qnt op> at <ONNX node
   name>" for an op's result; the ONNX node named there is looked up and its
   first output is the tensor whose range it is.
3. Places a fake quantizer where quant's int8 graph has a grid: the graph
   input; each Conv/Gemm's result, after its Relu or Clip when one follows
   (quant fuses those); each GlobalAveragePool result; standalone Relu/Clip
   results. MaxPool and Flatten keep their input's grid. Each activation
   quantizer is per tensor, int8, asymmetric, initialised from the
   calibrated [min, max] with quant's rule (range widened to contain 0,
   scale = f32((hi - lo) / 255), zero point = round_half_even(-128 - lo /
   scale)). The scale is learned (LSQ: straight-through rounding, the LSQ
   scale gradient scaled by 1/sqrt(numel * Qp); Adam, each scale with a
   learning rate relative to its starting value); the zero point stays.
   A grid after Clip(0, hi) (ReLU6) is kept within [0, hi]: its scale is
   at most the largest f32 s with 255 * s <= hi (qnt-fuse-qdq fuses the
   Clip into an int8 layer when hi quantizes to the grid's top code; until
   2026-12-06 it asked for 255 * s <= hi, which f32(6 / 255) misses by
   1 ulp).
   Weights of group-1 convs and of Gemms are fake-quantized per output
   channel, symmetric, zero point 0, on [-127, 127] (--weight-bits 8) or
   [-7, 7] (--weight-bits 4), with a learned per-channel scale (LSQ)
   initialised to max|w| / qmax (int8) or to the scale that minimises the
   channel's squared rounding error (int4). Their biases are fake-quantized
   to int32 at f32(input scale * weight scale), as the QDQ file stores them.
   Depthwise convs' weights stay float here unless --quantize-depthwise
   (quant had no int8 depthwise convs when this was written, and the
   figures in docs/QAT.md were made so; since 2026-12-07 quant runs a QDQ
   depthwise conv in int8).
4. Fine-tunes on the training images except the last --dev-images (the dev
   set: it alone chooses anything) with Adam and a cosine schedule.
5. Exports QDQ ONNX (opset 17, readable by ONNX 1.12): activations as
   QuantizeLinear/DequantizeLinear pairs with int8 zero points; weights as
   int8 initializers (zero point 0, per-axis scales) behind a
   DequantizeLinear; biases as int32 initializers. ONNX 1.12 has no INT4
   type: int4 weights are int8 initializers whose values lie in [-7, 7].
6. Compiles it with `quant-compile OUT.qdq.onnx --input-shape
   image=Bx1x28x28 -o OUT.so` (no calibration data; the qnt-fuse-qdq lines
   are printed) and scores the artifact, through quant.Model, on the
   10000 test images, next to the float model compiled by quant, and checks
   quant's logits against this script's fake-quant model, and (--ort)
   against ONNX Runtime running the QDQ file (utils/ort-run.js).

Outputs (in --out, outside git by default: build/qat): MODEL-wBITS.qdq.onnx,
MODEL-wBITS.so, MODEL-wBITS.pt (the fake-quant model; load_checkpoint),
MODEL-wBITS.json (every figure and the training history), and quant's
calibration folder and JSON. Seeded; with the same --threads and inputs
the run is deterministic.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from evaluate import load_set  # noqa: E402

# Ops that keep their input's grid: quant runs them on int8 between a
# DequantizeLinear and a QuantizeLinear of the same type.
GRID_PRESERVING = {"MaxPool", "Flatten", "Reshape"}
# Ops whose result gets its own grid.
COMPUTE = {"Conv", "Gemm", "GlobalAveragePool"}
ACTIVATIONS = {"Relu", "Clip"}
INT32_MIN, INT32_MAX = -2.0 ** 31, 2.0 ** 31 - 1


# --------------------------------------------------------------------------
# Fake quantization
# --------------------------------------------------------------------------

def _sum_to(grad, shape):
    """Sums a broadcast gradient back to `shape`."""
    while grad.dim() > len(shape):
        grad = grad.sum(0)
    for i, n in enumerate(shape):
        if n == 1 and grad.shape[i] != 1:
            grad = grad.sum(i, keepdim=True)
    return grad


class LsqFakeQuant(torch.autograd.Function):
    """quantize-then-dequantize with quant's rule (docs/Numerics.md):
    q = clamp(round_half_even(f32(x / scale)) + zp, qmin, qmax), then
    f32(q - zp) * scale. Backward: straight-through for x inside the grid
    (0 outside), and LSQ's gradient for the scale, times `grad_factor`."""

    @staticmethod
    def forward(ctx, x, scale, zero_point, qmin, qmax, grad_factor):
        v = x / scale
        r = torch.round(v)  # half to even
        q = torch.clamp(r + zero_point, qmin, qmax)
        ctx.save_for_backward(v, r, q, scale, zero_point)
        ctx.qmin, ctx.qmax, ctx.grad_factor = qmin, qmax, grad_factor
        return (q - zero_point) * scale

    @staticmethod
    def backward(ctx, grad):
        v, r, q, scale, zero_point = ctx.saved_tensors
        inside = (r + zero_point >= ctx.qmin) & (r + zero_point <= ctx.qmax)
        grad_x = grad * inside
        grad_scale = None
        if ctx.needs_input_grad[1]:
            local = torch.where(inside, r - v, q - zero_point)
            grad_scale = _sum_to(grad * local, scale.shape) * ctx.grad_factor
        return grad_x, grad_scale, None, None, None, None


def fake_quant(x, scale, zero_point, qmin, qmax, grad_factor=1.0):
    return LsqFakeQuant.apply(x, scale, zero_point, float(qmin), float(qmax),
                              float(grad_factor))


def f32(x):
    return float(np.float32(x))


def choose_activation_params(lo, hi):
    """quant's chooseQuantParams for an int8 activation range."""
    lo, hi = min(f32(lo), 0.0), max(f32(hi), 0.0)
    if lo == hi:
        return 1.0, 0
    scale = f32((hi - lo) / 255.0)
    zp = -128.0 - lo / scale  # in double, from the f32 scale
    return scale, int(np.clip(np.round(zp), -128, 127))


def largest_scale_below(top, levels):
    """The largest f32 scale s with levels * s <= top (in double)."""
    s = np.float32(top / levels)
    while levels * float(s) > top:
        s = np.nextafter(s, np.float32(0))
    return float(s)


class ActQuant(nn.Module):
    """A per-tensor int8 activation grid with a learned (LSQ) scale.
    max_scale bounds it (see QatNet.top_of)."""

    def __init__(self, tensor, scale, zero_point, numel, max_scale=float("inf")):
        super().__init__()
        self.tensor = tensor
        self.max_scale = max_scale
        scale = min(scale, max_scale)
        self.scale = nn.Parameter(torch.tensor(scale, dtype=torch.float32))
        self.register_buffer("zero_point", torch.tensor(float(zero_point)))
        # LSQ: g = 1 / sqrt(N * Qp), N the elements of one sample.
        self.grad_factor = 1.0 / math.sqrt(numel * (127 - zero_point))

    def forward(self, x):
        return fake_quant(x, self.scale, self.zero_point, -128, 127, self.grad_factor)


def mse_scale(w, qmax, candidates=100):
    """Per output channel, the symmetric scale (a fraction of max|w|/qmax)
    with the least squared rounding error; int4's starting point."""
    flat = w.reshape(w.shape[0], -1)
    top = flat.abs().amax(1).clamp_min(1e-12) / qmax
    best, best_err = top.clone(), torch.full_like(top, float("inf"))
    for i in range(candidates):
        s = top * (1.0 - 0.7 * i / candidates)
        q = torch.clamp(torch.round(flat / s[:, None]), -qmax, qmax) * s[:, None]
        err = ((q - flat) ** 2).sum(1)
        better = err < best_err
        best, best_err = torch.where(better, s, best), torch.where(better, err, best_err)
    return best


class WeightQuant(nn.Module):
    """Per-output-channel symmetric weights on [-qmax, qmax], zero point 0,
    with learned (LSQ) scales."""

    def __init__(self, weight, axis, bits):
        super().__init__()
        self.qmax = 2 ** (bits - 1) - 1
        self.axis = axis
        w = weight.detach().movedim(axis, 0)
        if bits == 8:
            scale = w.reshape(w.shape[0], -1).abs().amax(1) / self.qmax
        else:
            scale = mse_scale(w, self.qmax)
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))
        self.scale = nn.Parameter(scale.float())
        self.register_buffer("zero_point", torch.zeros(()))
        self.grad_factor = 1.0 / math.sqrt(w[0].numel() * self.qmax)
        self.shape = [1] * weight.dim()
        self.shape[axis] = weight.shape[axis]

    def broadcast_scale(self):
        return self.scale.reshape(self.shape)

    def forward(self, w):
        return fake_quant(w, self.broadcast_scale(), self.zero_point, -self.qmax,
                          self.qmax, self.grad_factor)

    def integers(self, w):
        s = self.broadcast_scale().detach()
        return torch.clamp(torch.round(w.detach() / s), -self.qmax, self.qmax)


# --------------------------------------------------------------------------
# The ONNX graph as a PyTorch module
# --------------------------------------------------------------------------

class QatNet(nn.Module):
    """Runs MODEL.onnx's nodes in order, float or fake-quantized."""

    def __init__(self, onnx_path, weight_bits=8, quantize_depthwise=False):
        super().__init__()
        self.onnx_path = onnx_path
        self.model = onnx.load(onnx_path)
        graph = self.model.graph
        self.weight_bits = weight_bits
        self.quantize_depthwise = quantize_depthwise
        self.quantized = False
        inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        self.constants = {}
        self.params = nn.ParameterDict()
        self.nodes = []
        for node in graph.node:
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            if node.op_type == "Constant":
                self.constants[node.output[0]] = torch.from_numpy(
                    numpy_helper.to_array(attrs["value"]).copy())
                continue
            self.nodes.append((node, attrs))
        for node, attrs in self.nodes:
            for name in node.input:
                if name in inits and name not in self.params:
                    if node.op_type in ("Conv", "Gemm"):
                        self.params[self._key(name)] = nn.Parameter(
                            torch.from_numpy(inits[name].copy()))
                    else:
                        self.constants[name] = torch.from_numpy(inits[name].copy())
        self.input_name = graph.input[0].name
        self.output_name = graph.output[0].name
        self._plan()

    @staticmethod
    def _key(name):
        return name.replace(".", "_").replace("/", "_").replace(":", "_")

    def param(self, name):
        return self.params[self._key(name)]

    def _plan(self):
        """Which tensors carry a grid, and which grid each tensor reads."""
        consumers = {}
        for node, _ in self.nodes:
            for name in node.input:
                consumers.setdefault(name, []).append(node)
        self.producer = {o: node for node, _ in self.nodes for o in node.output}
        grids = [self.input_name]     # tensors with their own quantizer
        self.grid_of = {self.input_name: self.input_name}
        # Grids after a Clip(0, hi) must end at or below hi: quant's
        # qnt-fuse-qdq fuses the Clip into an int8 layer only when
        # (127 - zero point) * scale <= hi, computed in double.
        self.top_of = {}
        self.int8_layers = set()      # node names with quantized weights
        # (group-1 convs and gemms; depthwise convs' weights stay float
        # unless --quantize-depthwise)
        for node, attrs in self.nodes:
            op, out = node.op_type, node.output[0]
            if op in GRID_PRESERVING:
                if node.input[0] in self.grid_of:
                    self.grid_of[out] = self.grid_of[node.input[0]]
                continue
            if op in COMPUTE:
                users = consumers.get(out, [])
                if op != "GlobalAveragePool" and len(users) == 1 and \
                        users[0].op_type in ACTIVATIONS:
                    pass  # quant fuses the Relu/Clip: the grid comes after it
                else:
                    grids.append(out)
                    self.grid_of[out] = out
                if op in ("Conv", "Gemm"):
                    depthwise = op == "Conv" and attrs.get("group", 1) > 1
                    if not depthwise or self.quantize_depthwise:
                        self.int8_layers.add(node.name)
            elif op in ACTIVATIONS:
                grids.append(out)
                self.grid_of[out] = out
            else:
                raise ValueError("%s: node '%s' (%s): qat.py does not handle this op"
                                 % (self.onnx_path, node.name, op))
        self.grids = grids
        for node, _ in self.nodes:
            if node.op_type == "Clip" and node.output[0] in grids:
                hi = self._operand(node, 2)
                if hi is not None:
                    self.top_of[node.output[0]] = hi
        if self.output_name not in self.grid_of:
            raise ValueError("the graph output %s gets no grid" % self.output_name)

    def init_quantizers(self, ranges, sample_shapes):
        """ranges: {tensor name: (min, max)}; sample_shapes: {tensor: shape of
        one sample} (for LSQ's gradient scale)."""
        self.act = nn.ModuleDict()
        for name in self.grids:
            if name not in ranges:
                raise ValueError("quant's calibration has no range for tensor '%s'" % name)
            scale, zp = choose_activation_params(*ranges[name])
            top = self.top_of.get(name)
            self.act[self._key(name)] = ActQuant(
                name, scale, zp, int(np.prod(sample_shapes[name])),
                largest_scale_below(top, 127 - zp) if top is not None else float("inf"))
        self.wq = nn.ModuleDict()
        for node, attrs in self.nodes:
            if node.name in self.int8_layers:
                axis = 1 if node.op_type == "Gemm" and not attrs.get("transB", 0) else 0
                self.wq[self._key(node.name)] = WeightQuant(
                    self.param(node.input[1]), axis, self.weight_bits)
        self.quantized = True

    def grid(self, tensor):
        return self.act[self._key(self.grid_of[tensor])]

    def layer_weight_bias(self, node, attrs):
        """The weight and bias the layer computes with (fake-quantized when
        the layer is an int8 layer)."""
        w = self.param(node.input[1])
        b = self.param(node.input[2]) if len(node.input) > 2 and node.input[2] else None
        if not self.quantized or node.name not in self.int8_layers:
            return w, b
        wq = self.wq[self._key(node.name)]
        w_fq = wq(w)
        if b is not None:
            bias_scale = self.bias_scale(node, wq)
            b = fake_quant(b, bias_scale, torch.zeros(()), INT32_MIN, INT32_MAX)
        return w_fq, b

    def bias_scale(self, node, wq):
        """f32(input scale * weight scale) per output channel (constant for
        the gradient)."""
        return (self.grid(node.input[0]).scale.detach() * wq.scale.detach())

    def forward(self, x, keep=None):
        env = {self.input_name: x}
        if self.quantized:
            env[self.input_name] = self.grid(self.input_name)(x)
        for node, attrs in self.nodes:
            op = node.op_type
            a = env[node.input[0]]
            if op == "Conv":
                w, b = self.layer_weight_bias(node, attrs)
                k = attrs.get("kernel_shape", list(w.shape[2:]))
                pads = attrs.get("pads", [0] * (2 * len(k)))
                if pads[:len(k)] != pads[len(k):]:
                    raise ValueError("node '%s': asymmetric pads" % node.name)
                y = F.conv2d(a, w, b, attrs.get("strides", 1), pads[:len(k)],
                             attrs.get("dilations", 1), attrs.get("group", 1))
            elif op == "Gemm":
                w, b = self.layer_weight_bias(node, attrs)
                if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or \
                        attrs.get("beta", 1.0) != 1.0:
                    raise ValueError("node '%s': only Gemm(A, B, C) with transB" % node.name)
                y = F.linear(a, w if attrs.get("transB", 0) else w.t(), b)
            elif op == "Relu":
                y = F.relu(a)
            elif op == "Clip":
                lo, hi = (self._operand(node, i) for i in (1, 2))
                y = torch.clamp(a, lo, hi)
            elif op == "MaxPool":
                k = attrs["kernel_shape"]
                pads = attrs.get("pads", [0] * 4)
                if attrs.get("ceil_mode", 0) or pads[:2] != pads[2:]:
                    raise ValueError("node '%s': unsupported MaxPool" % node.name)
                y = F.max_pool2d(a, k, attrs.get("strides", k), pads[:2])
            elif op == "GlobalAveragePool":
                y = a.mean((2, 3), keepdim=True)
            elif op == "Flatten":
                y = torch.flatten(a, attrs.get("axis", 1))
            elif op == "Reshape":
                y = a.reshape([int(d) for d in self.constants[node.input[1]]])
            out = node.output[0]
            if self.quantized and out in self.grids:
                y = self.act[self._key(out)](y)
            env[out] = y
        if keep is not None:
            keep.update(env)
        return env[self.output_name]

    def _operand(self, node, i):
        if len(node.input) <= i or not node.input[i]:
            return None
        return float(self.constants[node.input[i]])

    # ---------------------------------------------------------------- export

    def export_qdq(self, path):
        """Writes the fake-quant model as QDQ ONNX (see the module doc)."""
        assert self.quantized
        graph = self.model.graph
        nodes, inits = [], []
        renamed = {}          # tensor -> the name its consumers read

        def const(name, array):
            inits.append(numpy_helper.from_array(array, name))
            return name

        def qdq(tensor, source, grid_tensor, dq_name):
            """QuantizeLinear/DequantizeLinear of `source` on `grid_tensor`'s grid."""
            g = self.act[self._key(grid_tensor)]
            scale = const(grid_tensor + "_scale",
                          np.array(g.scale.detach().item(), np.float32)) \
                if grid_tensor == tensor else grid_tensor + "_scale"
            zp = const(grid_tensor + "_zero_point",
                       np.array(int(g.zero_point.item()), np.int8)) \
                if grid_tensor == tensor else grid_tensor + "_zero_point"
            nodes.append(helper.make_node("QuantizeLinear", [source, scale, zp],
                                          [tensor + "_quantized"],
                                          name=tensor + "_QuantizeLinear"))
            nodes.append(helper.make_node("DequantizeLinear",
                                          [tensor + "_quantized", scale, zp], [dq_name],
                                          name=tensor + "_DequantizeLinear"))
            renamed[tensor] = dq_name

        def produce(tensor):
            """The name a node should write `tensor` under."""
            if tensor == self.output_name:
                return tensor + "_float"
            return tensor

        def after(tensor):
            """Adds the QDQ pair after `tensor` when it has a grid."""
            if tensor in self.grids or (tensor in self.grid_of and
                                        tensor != self.grid_of[tensor]):
                qdq(tensor, produce(tensor), self.grid_of[tensor],
                    tensor if tensor == self.output_name else tensor + "_dequantized")

        def dequantized(base, integers, scale, zero_dtype, axis):
            """Stores `integers` with `scale` (zero point 0) and adds their
            DequantizeLinear; returns the dequantized tensor's name."""
            const(base + "_quantized", integers)
            const(base + "_scale", scale)
            const(base + "_zero_point", np.zeros(scale.shape, zero_dtype))
            nodes.append(helper.make_node(
                "DequantizeLinear", [base + "_quantized", base + "_scale",
                                     base + "_zero_point"],
                [base + "_dequantized"], name=base + "_DequantizeLinear",
                axis=axis))
            return base + "_dequantized"

        after(self.input_name)
        for node, attrs in self.nodes:
            inputs = [renamed.get(i, i) for i in node.input]
            if node.op_type in ("Conv", "Gemm"):
                w = self.param(node.input[1])
                b = self.param(node.input[2]) if len(node.input) > 2 else None
                if node.name in self.int8_layers:
                    wq = self.wq[self._key(node.name)]
                    wint = wq.integers(w).numpy().astype(np.int8)
                    scale = wq.scale.detach().numpy().astype(np.float32)
                    inputs[1] = dequantized(node.input[1], wint, scale, np.int8,
                                            wq.axis)
                    if b is not None:
                        bscale = self.bias_scale(node, wq).numpy().astype(np.float32)
                        bint = torch.clamp(torch.round(b.detach() / torch.from_numpy(bscale)),
                                           INT32_MIN, INT32_MAX).numpy().astype(np.int32)
                        inputs[2] = dequantized(node.input[2], bint, bscale, np.int32, 0)
                else:
                    const(node.input[1], w.detach().numpy())
                    if b is not None:
                        const(node.input[2], b.detach().numpy())
            out = node.output[0]
            n = helper.make_node(node.op_type, inputs, [produce(out)], name=node.name)
            n.attribute.extend(node.attribute)
            nodes.append(n)
            after(out)
        # Clip's bounds were Constant nodes; they are initializers now.
        for name, value in self.constants.items():
            if name not in {t.name for t in inits}:
                const(name, value.numpy())
        used = {i for n in nodes for i in n.input}
        inits = [t for t in inits if t.name in used]
        out_graph = helper.make_graph(nodes, graph.name + "_qdq", list(graph.input),
                                      list(graph.output), inits)
        model = helper.make_model(out_graph, opset_imports=[helper.make_opsetid("", 17)],
                                  producer_name="quant qat.py")
        model.ir_version = 8  # ONNX 1.12 writes and reads IR 8
        onnx.checker.check_model(model)
        onnx.save(model, path)
        return model


# --------------------------------------------------------------------------
# quant
# --------------------------------------------------------------------------

def quant_tool(name):
    import quant
    return quant.find_tool(name)


def calibrate_with_quant(onnx_path, images, work, batch=256):
    """Runs quant's minmax calibration; returns {tensor name: (min, max)}
    and the JSON path."""
    calib = os.path.join(work, "calibration")
    os.makedirs(calib, exist_ok=True)
    for f in os.listdir(calib):
        os.remove(os.path.join(calib, f))
    if len(images) % batch:
        raise SystemExit("qat: --calibration-images must be a multiple of %d" % batch)
    for i in range(0, len(images), batch):
        np.save(os.path.join(calib, "%04d.npy" % (i // batch)),
                np.ascontiguousarray(images[i:i + batch]))
    state = os.path.join(work, os.path.basename(onnx_path)[:-5] + ".calibration.json")
    cmd = [quant_tool("quant-compile"), onnx_path, "--input-shape=image=%dx1x28x28" % batch,
           "--precision=int8", "--calibration-method=minmax", "--calibration-data", calib,
           "--emit=calibration-state", "-o", state]
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    return read_calibration_state(state, onnx_path), state


def read_calibration_state(path, onnx_path):
    """{ONNX tensor name: (min, max)} from a quant calibration state."""
    with open(path) as f:
        state = json.load(f)
    if state.get("format") != "quant-calibration-state":
        raise ValueError("%s: not a quant calibration state" % path)
    if state.get("bins") != 0:
        raise ValueError("%s: not a minmax calibration (bins %s)" % (path, state.get("bins")))
    graph = onnx.load(onnx_path).graph
    first_output = {n.name: n.output[0] for n in graph.node}
    ranges = {}
    for value in state["values"]:
        name = value["name"]
        if name.startswith("argument "):
            tensor = name.split("'")[1]
        elif " at " in name:
            node = name.split(" at ", 1)[1]
            if node not in first_output:
                continue
            tensor = first_output[node]
        else:
            continue
        ranges[tensor] = (float(value["min"]), float(value["max"]))
    return ranges


def compile_qdq(qdq_path, lib_path, batch):
    """quant-compile QDQ -> shared library, no calibration data. Returns the
    qnt-fuse-qdq lines it printed."""
    cmd = [quant_tool("quant-compile"), qdq_path, "--input-shape=image=%dx1x28x28" % batch,
           "-o", lib_path]
    print("$", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    sys.stderr.write(proc.stderr)
    if proc.returncode:
        raise SystemExit("qat: quant-compile failed (exit %d)" % proc.returncode)
    return [l for l in proc.stderr.splitlines() if "qnt-fuse-qdq" in l]


def ort_available():
    modules = os.environ.get("ORT_NODE_MODULES") or os.path.join(
        os.environ.get("QUANT_CACHE_DIR") or os.path.expanduser("~/.cache/quant"),
        "ort", "node_modules")
    return os.path.isdir(os.path.join(modules, "onnxruntime-node")) and \
        subprocess.run(["node", "--version"], capture_output=True).returncode == 0


def run_ort(qdq, images, work, threads):
    """The QDQ model under ONNX Runtime (npm onnxruntime-node, through
    utils/ort-run.js)."""
    x = os.path.join(work, "ort-input.npy")
    np.save(x, np.ascontiguousarray(images))
    out = os.path.join(work, "ort-out")
    subprocess.run(["node", os.path.join(ROOT, "utils", "ort-run.js"), qdq,
                    "--input", "image=" + x, "--output-dir", out, "--threads",
                    str(threads)], check=True)
    os.remove(x)
    return np.load(os.path.join(out, "logits.npy"))


def run_quant(lib, images, batch, threads):
    import quant
    model = quant.Model(lib)
    model.set_num_threads(threads)
    outs = [model.run(image=np.ascontiguousarray(images[i:i + batch]))["logits"]
            for i in range(0, len(images), batch)]
    return np.concatenate(outs)


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------

def predict(net, images, batch=1000):
    net.eval()
    with torch.no_grad():
        return torch.cat([net(torch.from_numpy(images[i:i + batch]))
                          for i in range(0, len(images), batch)]).numpy()


def accuracy(logits, labels):
    return 100.0 * float((logits.argmax(1) == labels).mean())


def train(net, images, labels, args, dev):
    weights = [p for p in net.params.values()]
    scales = [q.scale for q in net.act.values()] + [q.scale for q in net.wq.values()]
    bounds = [q.max_scale for q in net.act.values()] + [float("inf")] * len(net.wq)
    # Adam moves each parameter by about its learning rate per step, and the
    # scales differ by orders of magnitude: each scale's rate is relative to
    # its starting size.
    groups = [{"params": weights, "lr": args.lr}] + [
        {"params": [s], "lr": args.scale_lr * float(s.detach().abs().mean())}
        for s in scales]
    opt = torch.optim.Adam(groups)
    per_epoch = len(images) // args.batch_size
    total = per_epoch * args.epochs if args.steps is None else args.steps
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: 0.5 * (1 + math.cos(math.pi * min(step, total) / max(total, 1))))
    gen = torch.Generator().manual_seed(args.seed)
    x_all, y_all = torch.from_numpy(images), torch.from_numpy(labels)
    step, history = 0, []
    start = time.perf_counter()
    while step < total:
        net.train()
        perm = torch.randperm(len(images), generator=gen)
        loss_sum, count = 0.0, 0
        for b in range(per_epoch):
            if step >= total:
                break
            idx = perm[b * args.batch_size:(b + 1) * args.batch_size]
            loss = F.cross_entropy(net(x_all[idx]), y_all[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            with torch.no_grad():
                for s, top in zip(scales, bounds):
                    s.clamp_(min=1e-8, max=top)
            loss_sum, count, step = loss_sum + float(loss), count + 1, step + 1
        entry = {"step": step, "loss": loss_sum / max(count, 1),
                 "seconds": time.perf_counter() - start}
        if dev is not None and len(dev[0]):
            entry["dev_accuracy"] = accuracy(predict(net, dev[0]), dev[1])
        history.append(entry)
        print("qat: step %d/%d loss %.4f%s (%.0f s)" % (
            step, total, entry["loss"],
            " dev %.2f%%" % entry["dev_accuracy"] if "dev_accuracy" in entry else "",
            entry["seconds"]), flush=True)
    return history, time.perf_counter() - start


def load_checkpoint(path):
    """The fake-quant model a run saved (MODEL-wBITS.pt)."""
    ckpt = torch.load(path)
    net = QatNet(ckpt["onnx"], ckpt["weight_bits"], ckpt["quantize_depthwise"])
    net.init_quantizers(ckpt["ranges"], ckpt["sample_shapes"])
    net.load_state_dict(ckpt["state"])
    return net


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog=__doc__.split("\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="dwsep", help="cnn or dwsep, or a path to an "
                    "ONNX model of the same ops (default dwsep)")
    ap.add_argument("--weight-bits", type=int, choices=[8, 4], default=8,
                    help="8: weights on [-127, 127]; 4: on [-7, 7] (stored as int8)")
    ap.add_argument("--epochs", type=int, default=2, help="fine-tuning epochs (default 2)")
    ap.add_argument("--steps", type=int, default=None,
                    help="stop after this many steps instead (for quick tests)")
    ap.add_argument("--lr", type=float, default=1e-4, help="Adam learning rate of the "
                    "weights and biases (default 1e-4), cosine-decayed to 0")
    ap.add_argument("--scale-lr", type=float, default=1e-3,
                    help="Adam learning rate of each scale, relative to its "
                         "starting value (default 1e-3), cosine-decayed to 0")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--quantize-depthwise", action="store_true",
                    help="fake-quantize depthwise conv weights too (quant still "
                         "runs those convs in float, on the dequantized weights)")
    ap.add_argument("--calibration-images", type=int, default=1024,
                    help="first N training images quant calibrates on (multiple of 256)")
    ap.add_argument("--train-images", type=int, default=None,
                    help="fine-tune on the first N training images (default: all "
                         "but the dev set)")
    ap.add_argument("--dev-images", type=int, default=5000,
                    help="the last N training images, held out to choose options")
    ap.add_argument("--eval-images", type=int, default=10000,
                    help="test images scored at the end (0: none)")
    ap.add_argument("--check-images", type=int, default=16,
                    help="dev images on which quant's logits are compared with the "
                         "fake-quant model's, element by element")
    ap.add_argument("--eval-batch", type=int, default=500)
    ap.add_argument("--ort", choices=["auto", "yes", "no"], default="auto",
                    help="also run the QDQ model on the test images with ONNX Runtime "
                         "(utils/ort-run.js; auto: when onnxruntime-node is installed)")
    ap.add_argument("--threads", type=int, default=1, help="torch and quant threads")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "qat"),
                    help="output folder (default build/qat, outside git)")
    args = ap.parse_args(argv)

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out, exist_ok=True)
    onnx_path = args.model if args.model.endswith(".onnx") else \
        os.path.join(HERE, args.model + ".onnx")
    stem = os.path.basename(onnx_path)[:-5]
    tag = "%s-w%d%s" % (stem, args.weight_bits, "-dw" if args.quantize_depthwise else "")
    results = {"model": stem, "weight_bits": args.weight_bits, "args": vars(args),
               "command": " ".join([os.path.relpath(__file__, os.getcwd())] +
                                   (argv if argv is not None else sys.argv[1:]))}

    train_x, train_y = load_set("train")
    dev = (train_x[len(train_x) - args.dev_images:], train_y[len(train_y) - args.dev_images:]) \
        if args.dev_images else (train_x[:0], train_y[:0])
    fit_end = len(train_x) - args.dev_images
    if args.train_images is not None:
        fit_end = min(fit_end, args.train_images)
    fit_x, fit_y = train_x[:fit_end], train_y[:fit_end]

    ranges, state_path = calibrate_with_quant(
        onnx_path, train_x[:args.calibration_images], args.out)
    net = QatNet(onnx_path, args.weight_bits, args.quantize_depthwise)
    shapes = {}
    with torch.no_grad():
        net(torch.from_numpy(train_x[:1]), keep=shapes)
    sample_shapes = {k: list(v.shape[1:]) for k, v in shapes.items()}
    float_dev = accuracy(predict(net, dev[0]), dev[1]) if len(dev[0]) else None
    net.init_quantizers(ranges, sample_shapes)
    results["calibration_state"] = state_path
    results["ranges"] = {t: ranges[t] for t in net.grids}
    results["quantized_weight_layers"] = sorted(net.int8_layers)
    if len(dev[0]):
        results["dev"] = {"float": float_dev,
                          "fake_quant_before": accuracy(predict(net, dev[0]), dev[1])}
        print("qat: dev accuracy: float %.2f%%, fake-quant at quant's calibration %.2f%%"
              % (float_dev, results["dev"]["fake_quant_before"]), flush=True)

    history, seconds = train(net, fit_x, fit_y, args, dev if len(dev[0]) else None)
    results["history"], results["train_seconds"] = history, seconds
    results["train_images"] = len(fit_x)
    print("qat: fine-tuning took %.1f s (%d threads)" % (seconds, args.threads), flush=True)
    ckpt = os.path.join(args.out, tag + ".pt")
    torch.save({"onnx": onnx_path, "weight_bits": args.weight_bits,
                "quantize_depthwise": args.quantize_depthwise, "ranges": ranges,
                "sample_shapes": sample_shapes, "state": net.state_dict()}, ckpt)

    qdq = os.path.join(args.out, tag + ".qdq.onnx")
    net.export_qdq(qdq)
    print("qat: wrote", qdq, flush=True)
    results["qdq"] = qdq

    # Element-wise check of quant's int8 artifact against the fake-quant model.
    if args.check_images:
        lib = os.path.join(args.out, tag + ".check.so")
        results["fuse_qdq"] = compile_qdq(qdq, lib, args.check_images)
        x = dev[0][:args.check_images] if len(dev[0]) >= args.check_images \
            else train_x[:args.check_images]
        got = run_quant(lib, x, args.check_images, args.threads)
        want = predict(net, x)
        lsb = float(net.grid(net.output_name).scale)
        results["check"] = {"images": len(x), "max_abs_diff": float(np.abs(got - want).max()),
                            "max_diff_lsb": float(np.abs(got - want).max() / lsb),
                            "labels_equal": bool((got.argmax(1) == want.argmax(1)).all())}
        print("qat: quant vs fake-quant on %d dev images: max |diff| %.3g (%.2f output LSB), "
              "labels %s" % (len(x), results["check"]["max_abs_diff"],
                             results["check"]["max_diff_lsb"],
                             "equal" if results["check"]["labels_equal"] else "DIFFER"),
              flush=True)

    if args.eval_images:
        test_x, test_y = load_set("t10k")
        test_x, test_y = test_x[:args.eval_images], test_y[:args.eval_images]
        batch = math.gcd(args.eval_batch, len(test_x))
        lib = os.path.join(args.out, tag + ".so")
        results["fuse_qdq"] = compile_qdq(qdq, lib, batch)
        float_lib = os.path.join(args.out, stem + ".fp32.so")
        import quant
        quant.compile_file(onnx_path, float_lib, input_shapes={"image": [batch, 1, 28, 28]})
        start = time.perf_counter()
        q_logits = run_quant(lib, test_x, batch, args.threads)
        eval_s = time.perf_counter() - start
        f_logits = run_quant(float_lib, test_x, batch, args.threads)
        t_logits = predict(net, test_x)
        lsb = float(net.grid(net.output_name).scale)
        diff = np.abs(q_logits - t_logits) / lsb
        results["test"] = {
            "images": len(test_x),
            "float_quant": accuracy(f_logits, test_y),
            "qat_quant": accuracy(q_logits, test_y),
            "qat_torch_fake_quant": accuracy(t_logits, test_y),
            "label_agreement_quant_vs_torch": 100.0 * float(
                (q_logits.argmax(1) == t_logits.argmax(1)).mean()),
            "max_logit_diff_lsb": float(diff.max()),
            "logits_differing": int((diff > 0.5).sum()),
            "quant_run_seconds": eval_s}
        if args.ort == "yes" or (args.ort == "auto" and ort_available()):
            o_logits = run_ort(qdq, test_x, args.out, args.threads)
            o_diff = np.abs(q_logits - o_logits) / lsb
            results["test"].update({
                "qat_ort": accuracy(o_logits, test_y),
                "label_agreement_quant_vs_ort": 100.0 * float(
                    (q_logits.argmax(1) == o_logits.argmax(1)).mean()),
                "max_logit_diff_lsb_quant_vs_ort": float(o_diff.max()),
                "logits_differing_quant_vs_ort": int((o_diff > 0.5).sum())})
            t = results["test"]
            print("qat: ONNX Runtime on the QDQ model: %.2f%%; labels agree with quant on "
                  "%.2f%%, max logit diff %.1f LSB, %d logits differ" % (
                      t["qat_ort"], t["label_agreement_quant_vs_ort"],
                      t["max_logit_diff_lsb_quant_vs_ort"],
                      t["logits_differing_quant_vs_ort"]), flush=True)
        t = results["test"]
        print("qat: %s, %d-bit weights, %d test images, scored by quant's compiled "
              "artifacts: float %.2f%%, QAT %.2f%% (fake-quant in torch %.2f%%; labels "
              "agree on %.2f%%, max logit diff %.1f LSB, %d logits differ)" % (
                  stem, args.weight_bits, len(test_x), t["float_quant"], t["qat_quant"],
                  t["qat_torch_fake_quant"], t["label_agreement_quant_vs_torch"],
                  t["max_logit_diff_lsb"], t["logits_differing"]), flush=True)
    with open(os.path.join(args.out, tag + ".json"), "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    return results


if __name__ == "__main__":
    main()
