# -*- Python -*-
# Runs quant's GoogleTest binaries through lit, one lit test per gtest case
# (the way upstream MLIR runs its unittests).

import os

import lit.formats

config.name = "QUANT-Unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.quant_obj_root, "test", "Unit")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
