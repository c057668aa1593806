"""Compares quant's int8 outputs with ONNX Runtime running quant's QDQ export.

    python3 qdq_agreement.py MODEL.qdq.onnx OURS_DIR ORT_DIR

For each graph output that a DequantizeLinear writes, prints the number of
elements, how many differ and the largest difference in units of the
output's scale (LSB), and whether the top-1 classes agree.
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def main():
    model = onnx.load(sys.argv[1])
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    producer = {o: n for n in model.graph.node for o in n.output}
    for out in model.graph.output:
        node = producer.get(out.name)
        if node is None or node.op_type != "DequantizeLinear":
            sys.exit("%s is not dequantized int8" % out.name)
        scale = float(inits[node.input[1]])
        ours = np.load(os.path.join(sys.argv[2], out.name + ".npy"))
        ort = np.load(os.path.join(sys.argv[3], out.name + ".npy"))
        lsb = np.abs(ours.astype(np.float64) - ort) / scale
        print("%s: %d elements, %d differ, max %.0f LSB, top-1 agreement %.1f%%"
              % (out.name, ours.size, int((lsb > 0).sum()), lsb.max(),
                 100.0 * (ours.argmax(-1) == ort.argmax(-1)).mean()))


if __name__ == "__main__":
    main()
