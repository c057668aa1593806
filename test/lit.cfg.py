# -*- Python -*-
# lit configuration for quant's regression tests.

import os
import subprocess
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "QUANT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.quant_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Unit"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%quant_src_root", config.quant_src_root))
config.substitutions.append(("%quant_obj_root", config.quant_obj_root))
config.substitutions.append(("%quant_tools_dir", config.quant_tools_dir))
# Importer tests build their ONNX models at test time with python3-onnx.
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(
    ("%onnx_models",
     sys.executable + " " + os.path.join(config.quant_src_root, "test", "Import",
                                         "Inputs", "onnx_models.py")))

# Building C programs against compiled models (the C ABI tests).
config.substitutions.append(("%cc", config.quant_cc))
config.substitutions.append(
    ("%link_omp", "-L%s -Wl,-rpath,%s -lomp -lm" % (config.quant_openmp_dir,
                                                     config.quant_openmp_dir)))
config.substitutions.append(
    ("%runtime_include", os.path.join(config.quant_src_root, "runtime")))
config.substitutions.append(
    ("%runtime_lib", os.path.join(config.quant_obj_root, "lib",
                                  "libquant_runtime.a")))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.quant_tools_dir, config.llvm_tools_dir]
tools = ["quant-opt", "quant-import", "quant-compile", "quant-run"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Real third-party models (utils/fetch-models.sh caches them outside git).
# Tests that read them say `REQUIRES: models` and are reported UNSUPPORTED,
# with this note, when the cache is missing.
models_dir = os.environ.get(
    "QUANT_MODELS_DIR",
    os.path.join(os.path.expanduser("~"), ".cache", "quant", "models"))
if os.path.isfile(os.path.join(models_dir, "ocr-models", ".verified")) and \
   os.path.isfile(os.path.join(models_dir, "openwakeword", ".verified")):
    config.available_features.add("models")
    config.substitutions.append(("%models", models_dir))
else:
    lit_config.note("real-model tests are skipped: no verified models in %s "
                    "(run utils/fetch-models.sh)" % models_dir)

# Debian's python3-torch, for the tests that quantize with PyTorch and hand
# the result to quant (`REQUIRES: torch`).
import subprocess
if subprocess.run([sys.executable, "-c", "import torch"],
                  capture_output=True).returncode == 0:
    config.available_features.add("torch")
else:
    lit_config.note("tests with PyTorch are skipped: python3-torch is not installed")

# The KJV Bible from bible-kjv-text: examples/tinylm's corpus and its
# calibration windows (`REQUIRES: bible`).
import shutil
if shutil.which("bible"):
    config.available_features.add("bible")
else:
    lit_config.note("TinyLM tests are skipped: bible-kjv-text is not installed")

# The peer, ONNX Runtime for Node.js (also installed by utils/fetch-models.sh);
# tests that compare against it say `REQUIRES: ort`. %ort_run runs a model
# with it (utils/ort-run.js, quant-run's command line).
ort_dir = os.path.join(os.path.dirname(models_dir), "ort")
if os.path.isfile(os.path.join(ort_dir, ".verified")):
    config.available_features.add("ort")
    config.substitutions.append(
        ("%ort_run", "env ORT_NODE_MODULES=%s node %s" % (
            os.path.join(ort_dir, "node_modules"),
            os.path.join(config.quant_src_root, "utils", "ort-run.js"))))
    # %ort_generate: greedy TinyLM generation (utils/ort-generate.js).
    config.substitutions.append(
        ("%ort_generate", "env ORT_NODE_MODULES=%s node %s" % (
            os.path.join(ort_dir, "node_modules"),
            os.path.join(config.quant_src_root, "utils", "ort-generate.js"))))
else:
    lit_config.note("tests against ONNX Runtime are skipped: no verified "
                    "onnxruntime-node in %s (run utils/fetch-models.sh)" % ort_dir)

# The Fashion-MNIST test set (Debian's dataset-fashion-mnist).
if os.path.isfile("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"):
    config.available_features.add("fashion-mnist")

# python3-matplotlib, for the report plots (utils/plot_quant_report.py).
if subprocess.run([sys.executable, "-c", "import matplotlib"],
                  capture_output=True).returncode == 0:
    config.available_features.add("matplotlib")

# ONNX's backend node tests, from Debian's libonnx-testdata.
onnx_node_tests = "/usr/share/libonnx-testdata/data/node"
if os.path.isdir(onnx_node_tests):
    config.available_features.add("onnx-testdata")
    config.substitutions.append(("%onnx_node_tests", onnx_node_tests))

# AArch64 artifacts (quant-compile --target=aarch64) are linked with Debian's
# cross toolchain and run with qemu-user: tests that do say
# `REQUIRES: aarch64-cross`; %qemu-aarch64 runs a dynamically linked
# AArch64 program with the cross sysroot's loader and libraries.
import shutil
aarch64_runtime = os.path.join(config.quant_obj_root, "lib", "aarch64",
                               "libquant_driver.a")
if shutil.which("aarch64-linux-gnu-gcc") and \
   shutil.which("qemu-aarch64-static") and os.path.isfile(aarch64_runtime):
    config.available_features.add("aarch64-cross")
    config.substitutions.append(
        ("%qemu-aarch64", "qemu-aarch64-static -L /usr/aarch64-linux-gnu"))
else:
    lit_config.note("AArch64 run tests are skipped: no aarch64-linux-gnu-gcc, "
                    "qemu-aarch64-static or AArch64 runtime (install "
                    "gcc-aarch64-linux-gnu g++-aarch64-linux-gnu "
                    "qemu-user-static, then reconfigure)")

# x86-64 hosts run the x86 kernel copies natively (`REQUIRES: x86_64-host`).
import platform
if platform.machine() in ("x86_64", "AMD64"):
    config.available_features.add("x86_64-host")

# NVIDIA GPUs (quant-compile --target=nvptx): `REQUIRES: ptxas` tests feed
# the emitted PTX to the CUDA toolkit's assembler (%ptxas); `REQUIRES:
# cuda-runtime` tests link GPU artifacts (the runtime needs cuda.h). No test
# needs a GPU: utils/gpu_check.sh runs the artifacts on one.
cuda_root = os.environ.get("CUDAToolkit_ROOT", "/usr/local/cuda")
ptxas = shutil.which("ptxas") or os.path.join(cuda_root, "bin", "ptxas")
if os.access(ptxas, os.X_OK):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
else:
    lit_config.note("PTX assembly tests are skipped: no ptxas (install the "
                    "CUDA toolkit at /usr/local/cuda)")
if os.path.isfile(os.path.join(config.quant_obj_root, "lib",
                               "libquant_runtime_cuda.a")):
    config.available_features.add("cuda-runtime")
