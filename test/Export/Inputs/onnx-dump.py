"""Prints an ONNX model for FileCheck, after onnx.checker's full check.

    python3 onnx-dump.py MODEL.onnx

One line per graph input/output (`input NAME TYPE[DIMS]`), per initializer
(`init NAME TYPE[DIMS] = VALUES`, the values when there are at most 16),
then per node in order (`OpType(in, ...) -> out, ... {attr=value, ...}`).
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def tensor_type(t):
    shape = t.shape.dim
    return "%s[%s]" % (onnx.TensorProto.DataType.Name(t.elem_type),
                       "x".join(str(d.dim_value) for d in shape))


def main():
    model = onnx.load(sys.argv[1])
    onnx.checker.check_model(model, full_check=True)
    print("opset", model.opset_import[0].version, "ir", model.ir_version)
    for i in model.graph.input:
        print("input", i.name, tensor_type(i.type.tensor_type))
    for o in model.graph.output:
        print("output", o.name, tensor_type(o.type.tensor_type))
    for t in model.graph.initializer:
        a = numpy_helper.to_array(t)
        values = ""
        if a.size <= 16:
            values = " = " + np.array2string(a.reshape(-1), separator=",",
                                             max_line_width=1 << 20,
                                             floatmode="unique")
        print("init %s %s[%s]%s" % (t.name,
                                     onnx.TensorProto.DataType.Name(t.data_type),
                                     "x".join(str(d) for d in t.dims), values))
    for n in model.graph.node:
        attrs = ", ".join("%s=%s" % (a.name, helper.get_attribute_value(a))
                          for a in n.attribute)
        print("%s(%s) -> %s {%s}" % (n.op_type, ", ".join(n.input),
                                     ", ".join(n.output), attrs))


if __name__ == "__main__":
    main()
