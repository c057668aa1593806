"""Compares int8 and fp32 runs of the Fashion-MNIST CNN.

    int8_check.py INT8_REF.npy INT8_OPT.npy FP32.npy LABELS.npy FIRST

INT8_REF and INT8_OPT are the logits of the reference (--int8-kernels=reference
--vector-width=0) and the default int8 builds (microkernels): they must be bit-identical (both are the same
int8 values, dequantized). Prints top-1 accuracy of int8 and fp32 on the
labels LABELS[FIRST:FIRST+N] and their top-1 agreement.
"""

import sys

import numpy as np

ref, opt, fp32 = (np.load(p) for p in sys.argv[1:4])
first = int(sys.argv[5])
labels = np.load(sys.argv[4])[first:first + len(ref)]
print("bit-identical:", ref.tobytes() == opt.tobytes())
print("int8 accuracy %.1f%%, fp32 accuracy %.1f%%, agreement %.1f%%" % (
    100 * (ref.argmax(1) == labels).mean(), 100 * (fp32.argmax(1) == labels).mean(),
    100 * (ref.argmax(1) == fp32.argmax(1)).mean()))
sys.exit(0 if ref.tobytes() == opt.tobytes() else 1)
