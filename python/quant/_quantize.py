"""quantize_static with ONNX Runtime's calling convention, so that an ORT
user's script works after changing its import:

    from quant import quantize_static, CalibrationDataReader, CalibrationMethod

The result is a QDQ ONNX model (quant's --emit=onnx), which quant compiles
to int8 with no calibration (docs/QdqImport.md) and ONNX Runtime runs.
"""

import enum
import os
import tempfile

import numpy as np

from . import _distributed
from ._tools import QuantError, run_tool


class CalibrationDataReader:
    """ORT's protocol: get_next() returns {input name: array} per
    calibration sample, then None. Subclass it, or pass any object with a
    get_next method."""

    def get_next(self):
        raise NotImplementedError


class CalibrationMethod(enum.Enum):
    MinMax = "minmax"
    Entropy = "entropy"
    Percentile = "percentile"
    MSE = "mse"  # quant's; ORT has Distribution instead


def _method_name(method):
    if isinstance(method, CalibrationMethod):
        return method.value
    name = getattr(method, "name", method)  # ORT's enum, or a string
    table = {"minmax": "minmax", "entropy": "entropy", "percentile": "percentile",
             "mse": "mse"}
    if str(name).lower() not in table:
        raise QuantError("calibrate_method %s is not supported (MinMax, Entropy, "
                         "Percentile or MSE)" % name)
    return table[str(name).lower()]


def _name_of(value, default):
    return str(getattr(value, "name", value if value is not None else default))


def _write_samples(folder, samples, names):
    """Writes samples as quant's calibration folder (docs/Calibration.md)."""
    for i, sample in enumerate(samples):
        for name in names:
            sub = folder if len(names) == 1 else os.path.join(folder, name)
            os.makedirs(sub, exist_ok=True)
            np.save(os.path.join(sub, "%06d.npy" % i), sample[name])


def quantize_static(model_input, model_output, calibration_data_reader,
                    quant_format="QDQ", per_channel=False, reduce_range=False,
                    activation_type="QInt8", weight_type="QInt8",
                    nodes_to_exclude=None, calibrate_method=CalibrationMethod.MinMax,
                    op_types_to_quantize=None, nodes_to_quantize=None,
                    extra_options=None, executor=None, shards=None):
    """Quantizes `model_input` (ONNX, float) to int8 and writes the QDQ
    model to `model_output`, calibrating on the samples
    `calibration_data_reader.get_next()` yields (all of them).

    Supported, as ONNX Runtime means them: per_channel, calibrate_method
    (MinMax, Entropy, Percentile; quant's MSE too), nodes_to_exclude (kept
    float). quant's grids are int8 activations and symmetric int8 weights:
    quant_format must be QDQ, activation_type and weight_type QInt8,
    reduce_range False; op_types_to_quantize, nodes_to_quantize and
    extra_options are not supported (None). Dynamic input dims take the
    calibration samples' shapes, so the written model is static.

    executor: a dask.distributed Client (or any object with submit and
    gather): the samples are split into `shards` contiguous shards (default:
    one per worker), each worker observes its shard with quant-compile
    --emit=calibration-state, and the states are merged here. The result is
    byte-identical to calibrating in this process, except that with
    per_channel a model with depthwise convs is not activation-equalized in
    shards (docs/Distributed.md: as quant-compile
    --equalize-activations=false).
    Workers need quant installed; the model and samples travel to them.
    Returns the list of quant-compile's notes (stderr lines).
    """
    unsupported = []
    if _name_of(quant_format, "QDQ") != "QDQ":
        unsupported.append("quant_format=%s (quant writes QDQ)" % _name_of(quant_format, ""))
    for what, value in (("activation_type", activation_type), ("weight_type", weight_type)):
        if _name_of(value, "QInt8") != "QInt8":
            unsupported.append("%s=%s (quant's grids are QInt8)" % (what, _name_of(value, "")))
    if reduce_range:
        unsupported.append("reduce_range=True")
    for what, value in (("op_types_to_quantize", op_types_to_quantize),
                        ("nodes_to_quantize", nodes_to_quantize),
                        ("extra_options", extra_options)):
        if value:
            unsupported.append(what)
    if unsupported:
        raise QuantError("quantize_static: not supported: " + ", ".join(unsupported))

    samples = []
    while True:
        sample = calibration_data_reader.get_next()
        if sample is None:
            break
        samples.append({k: np.asarray(v) for k, v in sample.items()})
    if not samples:
        raise QuantError("quantize_static: the calibration data reader gave no samples")
    names = sorted(samples[0])
    for i, sample in enumerate(samples):
        if sorted(sample) != names:
            raise QuantError("quantize_static: sample %d has inputs %s, sample 0 %s"
                             % (i, sorted(sample), names))
    flags = ["--precision=int8",
             "--calibration-method=" + _method_name(calibrate_method),
             "--granularity=" + ("per-channel" if per_channel else "per-tensor")]
    for name in names:
        flags.append("--input-shape=%s=%s" % (name, "x".join(
            str(d) for d in samples[0][name].shape)))
    if nodes_to_exclude:
        flags.append("--keep-float=" + ",".join(nodes_to_exclude))
    with tempfile.TemporaryDirectory(prefix="quant-calib-") as calib:
        _write_samples(calib, samples, names)
        if executor is None:
            data = ["--calibration-data", calib]
        else:
            files, sample_names = _distributed.read_samples(calib)
            states = _distributed.calibration_states(
                executor, model_input, files, sample_names, flags, shards, calib)
            data = ["--calibration-state=" + ",".join(states)]
        notes = run_tool("quant-compile", [model_input] + data + flags
                         + ["--emit=onnx", "-o", model_output])
    return [l for l in notes.splitlines() if l.strip()]


def quantize_dynamic(model_input, model_output, op_types_to_quantize=None,
                     per_channel=False, reduce_range=False, weight_type="QInt8",
                     nodes_to_quantize=None, nodes_to_exclude=None,
                     extra_options=None, input_shapes=None):
    """Quantizes `model_input` (ONNX, float) with dynamic activations and
    writes the ONNX model to `model_output`: every Gemm/MatMul gets int8
    weights and an input quantized at run time by DynamicQuantizeLinear
    (one scale and zero point per tensor, as ONNX Runtime's
    quantize_dynamic), products of two activations both operands; the rest
    stays float. No calibration data.

    Supported, as ONNX Runtime means them: per_channel, nodes_to_exclude
    (kept float). weight_type must be QInt8, reduce_range False;
    op_types_to_quantize, nodes_to_quantize and extra_options are not
    supported (None). input_shapes ({"input": [dims...]}, quant's own
    argument) fixes dynamic input dims: quant writes static models.
    Returns the list of quant-compile's notes (stderr lines).
    """
    unsupported = []
    if _name_of(weight_type, "QInt8") != "QInt8":
        unsupported.append("weight_type=%s (quant's weights are QInt8)"
                           % _name_of(weight_type, ""))
    if reduce_range:
        unsupported.append("reduce_range=True")
    for what, value in (("op_types_to_quantize", op_types_to_quantize),
                        ("nodes_to_quantize", nodes_to_quantize),
                        ("extra_options", extra_options)):
        if value:
            unsupported.append(what)
    if unsupported:
        raise QuantError("quantize_dynamic: not supported: " + ", ".join(unsupported))
    args = [model_input, "--precision=int8", "--activations=dynamic",
            "--dynamic-scaling=per-tensor-minmax",
            "--granularity=" + ("per-channel" if per_channel else "per-tensor"),
            "--emit=onnx", "-o", model_output]
    for name, dims in (input_shapes or {}).items():
        args.append("--input-shape=%s=%s" % (name, "x".join(str(d) for d in dims)))
    if nodes_to_exclude:
        args.append("--keep-float=" + ",".join(nodes_to_exclude))
    notes = run_tool("quant-compile", args)
    return [l for l in notes.splitlines() if l.strip()]
