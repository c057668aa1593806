"""Writes one .npy for calibration tests.

  write_npy.py OUT SHAPE VALUE...           the values, row-major
  write_npy.py OUT SHAPE --repeat V:N ...   N copies of V, concatenated
  write_npy.py OUT SHAPE --arange A B       A, A+1, ..., B-1
  write_npy.py OUT SHAPE --dtype T ...      numpy dtype T (default float32)

VALUE may be nan or inf. SHAPE is DxDx... ("scalar" for a 0-d array).
"""

import sys

import numpy as np


def main(argv):
    out, shape_text, rest = argv[0], argv[1], argv[2:]
    dtype = "float32"
    if rest[:1] == ["--dtype"]:
        dtype, rest = rest[1], rest[2:]
    if rest[:1] == ["--arange"]:
        values = np.arange(float(rest[1]), float(rest[2]))
    elif rest[:1] == ["--repeat"]:
        values = np.concatenate([
            np.full(int(n), float(v)) for v, n in
            (item.split(":") for item in rest[1:])])
    else:
        values = np.array([float(v) for v in rest])
    shape = () if shape_text == "scalar" else tuple(
        int(d) for d in shape_text.split("x"))
    np.save(out, values.astype(dtype).reshape(shape))


if __name__ == "__main__":
    main(sys.argv[1:])
