"""quant: an MLIR-based quantization compiler, from Python.

    import quant
    lib = quant.compile_file("model.onnx", input_shapes={"x": [1, 3, 224, 224]},
                             precision="int8", calibration_data="calib/")
    model = quant.Model(lib)
    outputs = model.run(x=array)          # {output name: numpy array}
    model.bench(iterations=20)            # {"median_ms": ..., "mean_ms": ...}

    quant.quantize_static("model.onnx", "model.qdq.onnx", reader,
                          per_channel=True, calibrate_method="MinMax")
    quant.quantize_dynamic("model.onnx", "model.dyn.onnx", per_channel=True,
                           input_shapes={"x": [1, 128]})

The functions drive quant's tools (quant-compile), found in $QUANT_TOOLS_DIR,
else next to this package in the source tree (build/bin), else on PATH.
Compiled models run in this process through the C ABI of
runtime/quant_runtime.h (ctypes, numpy arrays in and out). Errors are
QuantError, carrying the tool's one-line diagnostics.
"""

from ._tools import QuantError, compile_file, find_tool
from ._model import Model
from ._quantize import (CalibrationDataReader, CalibrationMethod, quantize_dynamic,
                        quantize_static)

__all__ = [
    "CalibrationDataReader",
    "CalibrationMethod",
    "Model",
    "QuantError",
    "compile_file",
    "find_tool",
    "quantize_dynamic",
    "quantize_static",
]
