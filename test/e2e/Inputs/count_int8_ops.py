"""Counts the ops of an .mlir file by result element type (int8 or float)."""
import re
import sys

text = open(sys.argv[1]).read()
ops = ["global_average_pool", "mul", "add", "resize", "concat"]
int8, floats = {}, {}
for op in ops:
    lines = re.findall(r"qnt\.%s .*->\s*(tensor<[^\n]*)" % op, text)
    int8[op] = sum("!quant.uniform<i8" in line for line in lines)
    floats[op] = sum(line.rstrip().endswith("xf32>") and "quant" not in line
                     for line in lines)
print("int8 %s; float add %d, mul %d, concat %d; dcasts %d" % (
    ", ".join("%s %d" % (op, int8[op]) for op in ops), floats["add"],
    floats["mul"], floats["concat"], text.count("quant.dcast")))
