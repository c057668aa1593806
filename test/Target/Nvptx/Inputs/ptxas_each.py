"""Assembles each gpu.module's PTX in a quant-compile --emit=ptx file.

    ptxas_each.py PTXAS ARCH FILE.ptx

The file holds one PTX module per gpu.module, each after a
`// gpu.module @NAME` line; each must assemble. Prints the count.
"""
import subprocess
import sys
import tempfile

ptxas, arch, path = sys.argv[1:4]
parts, current = [], None
for line in open(path):
    if line.startswith("// gpu.module @"):
        current = []
        parts.append(current)
    elif current is not None:
        current.append(line)
if not parts:
    sys.exit("no gpu.module in %s" % path)
with tempfile.TemporaryDirectory() as work:
    for i, part in enumerate(parts):
        src = "%s/%d.ptx" % (work, i)
        with open(src, "w") as f:
            f.writelines(part)
        subprocess.run([ptxas, "-arch=" + arch, src, "-o", src + ".cubin"],
                       check=True)
print("assembled %d PTX modules for %s" % (len(parts), arch))
