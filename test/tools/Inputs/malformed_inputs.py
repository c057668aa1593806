"""The malformed-input table: every bad file or argument a user can hand
quant-run, a compiled executable or calibration, run through the tool.

    malformed_inputs.py WORKDIR QUANT_BIN_DIR MODEL_ONNX

Writes the bad inputs under WORKDIR, runs each case, and prints one
Markdown row per case: case | tool | exit code | the error line. A case is
clean when the tool exits 1 (not a signal, not 0) and writes exactly one
line to stderr that starts with the tool's name or an "error:" location;
the last line says how many were clean. test/tools/malformed-inputs.test
checks every row; docs/Reliability.md shows the table.
"""

import os
import struct
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

work, bindir, onnx_model = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
os.chdir(work)


def npy_header(shape_text, descr="<f4", fortran="False"):
    header = (f"{{'descr': '{descr}', 'fortran_order': {fortran}, "
              f"'shape': {shape_text}, }}")
    header += " " * (118 - len(header)) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)


image = np.zeros((1, 1, 28, 28), np.float32)
np.save("good.npy", image)
good = open("good.npy", "rb").read()
np.save("int64.npy", image.astype(np.int64))
np.save("shape.npy", np.zeros((1, 1, 27, 28), np.float32))
np.save("fortran.npy", np.asfortranarray(np.zeros((1, 2, 28, 28), np.float32)))
write("body.npy", good[:-100])
write("header.npy", good[:40])
write("huge.npy", npy_header("(4611686018427387904, 4)"))
write("overflow.npy", npy_header("(99999999999999999999, 4)"))
np.save("object.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
np.save("bigendian.npy", image.astype(">f4"))
write("junk.npy", b"not numpy at all")
write("empty.npy", b"")
os.makedirs("folder.npy", exist_ok=True)

write("int64.pb", numpy_helper.from_array(image.astype(np.int64)).SerializeToString())
write("string.pb", helper.make_tensor("s", TensorProto.STRING, [1], [b"abc"]).SerializeToString())
t = numpy_helper.from_array(image)
t.raw_data = t.raw_data[:-4]
write("shortraw.pb", t.SerializeToString())
write("truncated.pb", numpy_helper.from_array(image).SerializeToString()[:-50])
t = numpy_helper.from_array(image)
t.data_location = TensorProto.EXTERNAL
write("external.pb", t.SerializeToString())
t = TensorProto(name="h", data_type=TensorProto.FLOAT, dims=[2**62, 4])
write("huge.pb", t.SerializeToString())

np.save("a.npy", np.ones(2, np.float32))

rng = np.random.default_rng(3)


def calibration(name, files):
    os.makedirs(name, exist_ok=True)
    for f, array in files.items():
        if isinstance(array, bytes):
            write(f"{name}/{f}", array)
        else:
            np.save(f"{name}/{f}", array)


sample = lambda: rng.standard_normal((1, 1, 28, 28)).astype(np.float32)
calibration("cal-mixed", {"0.npy": sample(), "1.npy": sample()[:, :, :27]})
calibration("cal-junk", {"0.npy": sample(), "1.npy": b"garbage"})
calibration("cal-dtype", {"0.npy": sample().astype(np.float64)})
nan = sample()
nan[0, 0, 3, 4] = np.nan
calibration("cal-nan", {"0.npy": nan})
calibration("cal-unreadable", {"0.npy": sample()})
os.makedirs("cal-unreadable/1.npy", exist_ok=True)
calibration("cal-dangling", {"0.npy": sample()})
if not os.path.lexists("cal-dangling/1.npy"):
    os.symlink("nowhere.npy", "cal-dangling/1.npy")
os.makedirs("cal-empty", exist_ok=True)

b = lambda tool: os.path.join(bindir, tool)
cnn = os.path.join(work, "cnn.mlir")
subprocess.run([b("quant-import"), onnx_model, "--input-shape", "image=1x1x28x28",
                "-o", cnn], check=True)
exe = os.path.join(work, "two")
two = os.path.join(os.path.dirname(os.path.abspath(__file__)), "two_inputs.mlir")
subprocess.run([b("quant-compile"), two, "--emit=exe", "-o", exe], check=True)

run = lambda f: [b("quant-run"), cnn, "--input", f"image={f}"]
compile_int8 = lambda d: [b("quant-compile"), onnx_model, "--input-shape",
                          "image=1x1x28x28", "--precision=int8",
                          "--calibration-data", d, "-o", "m.o"]
cases = [
    ("npy: wrong dtype", run("int64.npy")),
    ("npy: wrong shape", run("shape.npy")),
    ("npy: Fortran order", run("fortran.npy")),
    ("npy: truncated body", run("body.npy")),
    ("npy: truncated header", run("header.npy")),
    ("npy: header claims 2^62x4", run("huge.npy")),
    ("npy: dim beyond int64", run("overflow.npy")),
    ("npy: object array", run("object.npy")),
    ("npy: big-endian", run("bigendian.npy")),
    ("npy: not numpy", run("junk.npy")),
    ("npy: empty file", run("empty.npy")),
    ("npy: a folder", run("folder.npy")),
    ("npy: missing file", run("missing.npy")),
    ("pb: wrong type (int64)", run("int64.pb")),
    ("pb: string tensor", run("string.pb")),
    ("pb: raw_data short", run("shortraw.pb")),
    ("pb: truncated message", run("truncated.pb")),
    ("pb: external data", run("external.pb")),
    ("pb: dims claim 2^62x4", run("huge.pb")),
    ("exe: an input missing", [exe, "--input", "a=a.npy"]),
    ("exe: an input twice", [exe, "--input", "a=a.npy", "--input", "b=a.npy", "--input", "a=a.npy"]),
    ("exe: unnamed input, 2 inputs", [exe, "--input", "a.npy"]),
    ("exe: unknown input name", [exe, "--input", "c=a.npy"]),
    ("exe: wrong shape", [exe, "--input", "a=good.npy", "--input", "b=a.npy"]),
    ("calibration: mixed shapes", compile_int8("cal-mixed")),
    ("calibration: junk .npy", compile_int8("cal-junk")),
    ("calibration: a folder named 1.npy", compile_int8("cal-unreadable")),
    ("calibration: a dangling link", compile_int8("cal-dangling")),
    ("calibration: float64 sample", compile_int8("cal-dtype")),
    ("calibration: NaN in a sample", compile_int8("cal-nan")),
    ("calibration: empty folder", compile_int8("cal-empty")),
    ("calibration: no such folder", compile_int8("cal-missing")),
]

print("| case | tool | exit | message |")
print("|---|---|---|---|")
clean = 0
for name, command in cases:
    p = subprocess.run(command, capture_output=True, text=True, timeout=600)
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    tool = os.path.basename(command[0])
    message = lines[0] if lines else "(no message)"
    # Paths are the work folder's: print them relative to it.
    message = (message.replace(work + "/", "").replace(bindir + "/", "")
               .replace(os.path.dirname(onnx_model) + "/", ""))
    ok = (p.returncode == 1 and len(lines) == 1 and
          (lines[0].startswith(tool + ":") or ": error: " in lines[0]))
    clean += ok
    row = f"| {name} | {tool} | {p.returncode} | `{message}` |"
    print(row if ok else row + " **NOT CLEAN**")
print(f"clean: {clean} of {len(cases)}")
