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


def quantize_static(model_input, model_output, calibration_data_reader,
                    quant_format="QDQ", per_channel=False, reduce_range=False,
                    activation_type="QInt8", weight_type="QInt8",
                    nodes_to_exclude=None, calibrate_method=CalibrationMethod.MinMax,
                    op_types_to_quantize=None, nodes_to_quantize=None,
                    extra_options=None):
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
    with tempfile.TemporaryDirectory(prefix="quant-calib-") as calib:
        for i, sample in enumerate(samples):
            if sorted(sample) != names:
                raise QuantError("quantize_static: sample %d has inputs %s, sample 0 %s"
                                 % (i, sorted(sample), names))
            for name in names:
                folder = calib if len(names) == 1 else os.path.join(calib, name)
                os.makedirs(folder, exist_ok=True)
                np.save(os.path.join(folder, "%06d.npy" % i), sample[name])
        args = [model_input, "--precision=int8", "--calibration-data", calib,
                "--calibration-method=" + _method_name(calibrate_method),
                "--granularity=" + ("per-channel" if per_channel else "per-tensor"),
                "--emit=onnx", "-o", model_output]
        for name in names:
            args.append("--input-shape=%s=%s" % (name, "x".join(
                str(d) for d in samples[0][name].shape)))
        if nodes_to_exclude:
            args.append("--keep-float=" + ",".join(nodes_to_exclude))
        notes = run_tool("quant-compile", args)
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
