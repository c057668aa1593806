"""Writes the float16 form of a float32 model, as ONNX Runtime's float16
converter writes it with keep_io_types (float32 inputs and outputs).

    python3 make_fp16_model.py IN.onnx OUT_FP16.onnx OUT_REFERENCE.onnx

OUT_FP16.onnx: every float initializer stored as float16, a Cast to
float16 after each graph input and a Cast to float32 before each graph
output, so that every op between computes on float16 tensors.
OUT_REFERENCE.onnx: the same model in float32 with the float16-rounded
weights widened back (what "float16 weights, float32 compute" means): the
model quant compiles an fp16 model into, for ONNX Runtime to run as the
peer.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    src, out16, out_ref = sys.argv[1:4]
    model = onnx.load(src)
    graph = model.graph
    reference = onnx.load(src)
    ref_inits = {t.name: t for t in reference.graph.initializer}
    new_inits = []
    for t in graph.initializer:
        a = numpy_helper.to_array(t)
        if a.dtype == np.float32:
            half = a.astype(np.float16)
            new_inits.append(numpy_helper.from_array(half, t.name))
            ref_inits[t.name].CopyFrom(numpy_helper.from_array(half.astype(np.float32), t.name))
        else:
            new_inits.append(t)
    del graph.initializer[:]
    graph.initializer.extend(new_inits)
    del graph.value_info[:]

    rename = {}
    casts = []
    for i in graph.input:
        if i.type.tensor_type.elem_type == TensorProto.FLOAT:
            rename[i.name] = i.name + "_fp16"
            casts.append(helper.make_node("Cast", [i.name], [i.name + "_fp16"],
                                          name=i.name + "_to_fp16", to=TensorProto.FLOAT16))
    for n in graph.node:
        for k, name in enumerate(n.input):
            if name in rename:
                n.input[k] = rename[name]
        # Constant nodes and attributes holding float tensors become fp16.
        for a in n.attribute:
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == TensorProto.FLOAT:
                a.t.CopyFrom(numpy_helper.from_array(
                    numpy_helper.to_array(a.t).astype(np.float16), a.t.name))
    out_casts = []
    for o in graph.output:
        if o.type.tensor_type.elem_type == TensorProto.FLOAT:
            inner = o.name + "_fp16"
            for n in graph.node:
                for k, name in enumerate(n.output):
                    if name == o.name:
                        n.output[k] = inner
                for k, name in enumerate(n.input):
                    if name == o.name:
                        n.input[k] = inner
            out_casts.append(helper.make_node("Cast", [inner], [o.name],
                                              name=o.name + "_to_fp32", to=TensorProto.FLOAT))
    nodes = casts + list(graph.node) + out_casts
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, out16)
    onnx.save(reference, out_ref)


if __name__ == "__main__":
    main()
