#!/usr/bin/env bash
#===- utils/fuzz.sh - Fuzz quant under ASan and UBSan ---------------------===#
#
#   utils/fuzz.sh TARGET [SECONDS]     (default 600)
#
# TARGET is one of
#   import       quant-import-fuzzer: ONNX bytes into the importer + verifier
#   compile      quant-compile-fuzzer: ONNX bytes through import, ranges,
#                qnt-quantize, the CPU lowering and translation to LLVM IR
#   tensor-file  quant-tensor-file-fuzzer: bytes into the .npy and .pb readers
#   c-abi        quant-c-abi-fuzzer: quant_model_run of a compiled int8 model
#                and of hand-made model descriptions, sizes and pointers
#                from the bytes
#
# Builds the target with libFuzzer, ASan and UBSan in build-fuzz/
# (RelWithDebInfo; the first build of import or compile takes a while),
# seeds build-fuzz/corpus-TARGET (node-test models, the lit models, the cached
# real models; node-test .pb tensors and numpy-written .npy files for
# tensor-file) and fuzzes for SECONDS. Crashing inputs land in
# build-fuzz/crashes-TARGET/; each one found so far is a regression test
# (test/Import/fuzz-regressions.test, test/tools/fuzz-regressions.test).
# docs/Fuzzing.md records the runs.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
source "$(dirname "$0")/lib.sh"
target="${1:?usage: utils/fuzz.sh import|compile|tensor-file|c-abi [SECONDS]}"
seconds="${2:-600}"

fuzz="$QUANT_ROOT/build-fuzz"
corpus="$fuzz/corpus-$target"
crashes="$fuzz/crashes-$target"
mkdir -p "$corpus" "$crashes"

build() {
  QUANT_BUILD_DIR="$fuzz" QUANT_BUILD_TYPE=RelWithDebInfo \
    QUANT_CMAKE_ARGS="-DQUANT_SANITIZE=ON -DQUANT_BUILD_FUZZERS=ON" \
    quant_configure
  cmake --build "$fuzz" --target "$@"
}

seed_models() {
  for f in /usr/share/libonnx-testdata/data/node/*/model.onnx; do
    cp "$f" "$corpus/node-$(basename "$(dirname "$f")").onnx"
  done
  local gen="$QUANT_ROOT/test/Import/Inputs/onnx_models.py" name
  for name in $(/usr/bin/python3 -c "import sys; sys.path.insert(0, '$(dirname "$gen")'); import onnx_models; print(' '.join(onnx_models.MODELS))"); do
    /usr/bin/python3 "$gen" "$name" "$corpus/lit-$name.onnx" 2>/dev/null || true
  done
  cp "$QUANT_ROOT"/examples/*.onnx "$corpus/" 2>/dev/null || true
  find "${QUANT_CACHE_DIR:-$HOME/.cache/quant}/models" -name '*.onnx' -size -2M \
    -exec cp {} "$corpus/" \; 2>/dev/null || true
}

seed_tensors() {
  local i=0 f
  for f in /usr/share/libonnx-testdata/data/node/*/test_data_set_0/*.pb; do
    i=$((i + 1))
    # Every 7th: enough variety (dtypes, ranks, typed and raw fields).
    [ $((i % 7)) -eq 0 ] && cp "$f" "$corpus/pb-$i.pb"
  done
  /usr/bin/python3 - "$corpus" <<'PY'
import sys, io, numpy as np
out = sys.argv[1]
arrays = {
    "f32": np.arange(12, dtype=np.float32).reshape(3, 4),
    "f64": np.linspace(0, 1, 5),
    "f16": np.ones((2, 2), np.float16),
    "i64": np.arange(6, dtype=np.int64),
    "i32": np.arange(4, dtype=np.int32).reshape(1, 2, 2),
    "i16": np.arange(3, dtype=np.int16),
    "i8": np.array([-1, 2], np.int8),
    "u8": np.array([[255]], np.uint8),
    "bool": np.array([True, False]),
    "scalar": np.float32(3.5),
    "empty": np.zeros((0, 3), np.float32),
    "fortran": np.asfortranarray(np.ones((2, 3), np.float32)),
    "bigendian": np.arange(3, dtype=">f4"),
}
for name, a in arrays.items():
    np.save(f"{out}/{name}.npy", a)
for version in [(2, 0), (3, 0)]:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arrays["f32"], version=version)
    open(f"{out}/f32-v{version[0]}.npy", "wb").write(buf.getvalue())
PY
}

case "$target" in
import | compile)
  build "quant-$target-fuzzer"
  seed_models
  binary="$fuzz/bin/quant-$target-fuzzer"
  ;;
tensor-file)
  build quant-tensor-file-fuzzer
  seed_tensors
  binary="$fuzz/bin/quant-tensor-file-fuzzer"
  ;;
c-abi)
  # The model: the CNN block in int8 with the generic int8 kernels, linked
  # with the harness and the runtime built with ASan, UBSan and libFuzzer
  # coverage. The compiler itself is not under test here, so the plain
  # build's quant-compile makes the model (no instrumented compiler build).
  cmake --build "$QUANT_BUILD_DIR" --target quant-compile
  work="$fuzz/c-abi"
  mkdir -p "$work/calibration"
  /usr/bin/python3 -c "
import numpy as np
rng = np.random.default_rng(7)
for i in range(4):
    np.save('$work/calibration/s%d.npy' % i, rng.standard_normal((1, 1, 28, 28)).astype(np.float32))"
  "$QUANT_BUILD_DIR/bin/quant-compile" "$QUANT_ROOT/examples/cnn-block.onnx" \
    --input-shape image=1x1x28x28 --precision=int8 --calibration-data "$work/calibration" \
    --int8-kernels=generic --emit=obj --name FUZZ_MODEL -o "$work/model.o"
  binary="$fuzz/bin/quant-c-abi-fuzzer"
  # The object carries its own (uninstrumented) copy of the runtime: weaken
  # it so the instrumented one below is what the model's calls reach.
  objcopy --weaken "$work/model.o" "$work/model-weak.o"
  flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
  "$LLVM_PREFIX/bin/clang" "${flags[@]/fuzzer,/fuzzer-no-link,}" -c \
    "$QUANT_ROOT/runtime/quant_runtime.c" -o "$work/quant_runtime.o"
  "$LLVM_PREFIX/bin/clang++" -std=c++17 "${flags[@]}" -I"$QUANT_ROOT/runtime" \
    "$QUANT_ROOT/tools/quant-c-abi-fuzzer/quant-c-abi-fuzzer.cpp" \
    "$work/quant_runtime.o" "$work/model-weak.o" \
    -L"$LLVM_PREFIX/lib" -Wl,-rpath,"$LLVM_PREFIX/lib" -lomp -lm -o "$binary"
  # Seeds: random bytes of a few lengths (the harness reads them as choices).
  for n in 16 256 4096 8192; do
    head -c "$n" /dev/urandom >"$corpus/random-$n"
  done
  ;;
*)
  echo "utils/fuzz.sh: unknown target '$target' (import, compile, tensor-file, c-abi)" >&2
  exit 2
  ;;
esac

quant_log "fuzzing $target for $seconds s (corpus $corpus)"
ASAN_OPTIONS=detect_leaks=0 "$binary" "$corpus" \
  -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -max_len=2000000 \
  -artifact_prefix="$crashes/" -print_final_stats=1
