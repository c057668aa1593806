#!/usr/bin/env bash
#===- utils/check.sh - Install, build and run every test ------------------===#
#
#   utils/check.sh              everything, in build/ (what CI runs)
#   utils/check.sh --sanitize   ASan + UBSan build in build-sanitize/, fast suites
#
# The one command CI runs (.ci/run). On a fresh Debian 12 machine it installs
# the missing packages, builds quant, and runs the whole test suite: the lit
# tests, every GoogleTest case (through lit) and the Python package's pytest
# suite (python/tests). Exits non-zero on any failure.
#
# --sanitize builds quant with AddressSanitizer and UBSan (-DQUANT_SANITIZE=ON,
# RelWithDebInfo, in $QUANT_BUILD_DIR, default build-sanitize/) and runs the
# lit tests except the slow sweeps listed in QUANT_SANITIZE_SKIP below, with
# leak detection on and any UBSan report fatal. The runtime archives that
# artifacts link stay uninstrumented (runtime/CMakeLists.txt); what runs
# instrumented is every tool (importer, compiler, JIT runner, calibration)
# and the unit tests, on every input the tests give them.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

sanitize=0
for arg in "$@"; do
  case "$arg" in
  --sanitize) sanitize=1 ;;
  -h | --help)
    sed -n '3,5p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "utils/check.sh: unknown argument '$arg' (--sanitize)" >&2
    exit 2
    ;;
  esac
done

if [ "$sanitize" = 1 ]; then
  QUANT_BUILD_DIR="${QUANT_BUILD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build-sanitize}"
  QUANT_BUILD_TYPE="${QUANT_BUILD_TYPE:-RelWithDebInfo}"
  QUANT_CMAKE_ARGS="${QUANT_CMAKE_ARGS:-} -DQUANT_SANITIZE=ON"
fi
source "$(dirname "$0")/lib.sh"

# Skipped under --sanitize: the sweeps that run the same instrumented tools
# hundreds of times on generated cases (each also runs in the plain build),
# and the real-model tests, whose JIT compilations of the detector take
# minutes each under ASan. A lit --filter-out regular expression on the
# test paths.
QUANT_SANITIZE_SKIP='e2e/(conformance|int8-sweep|aarch64-int8-sweep)\.test|Import/onnx-node-tests\.test|Models/'

start=$SECONDS
quant_install_packages
quant_build
quant_log "build done in $((SECONDS - start)) s"

log="$QUANT_BUILD_DIR/check.log"
status=0
if [ "$sanitize" = 1 ]; then
  # Leaks are reported (and fail a tool's test); a UBSan report aborts the
  # tool (-fno-sanitize-recover=undefined) with a stack trace.
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
  quant_log "sanitized check-quant; skipped: $QUANT_SANITIZE_SKIP"
  LIT_OPTS="--time-tests --filter-out=$QUANT_SANITIZE_SKIP ${LIT_OPTS:-}" \
    cmake --build "$QUANT_BUILD_DIR" --target check-quant 2>&1 | tee "$log" || status=$?
else
  # Real third-party models, cached outside the repository. Without network
  # the tests that need them are reported UNSUPPORTED with a note, not failed.
  if models=$(bash "$QUANT_ROOT/utils/fetch-models.sh"); then
    quant_log "models in $models"
  else
    quant_log "warning: could not fetch the real models; their tests are skipped"
  fi
  cmake --build "$QUANT_BUILD_DIR" --target check-quant 2>&1 | tee "$log" || status=$?
fi

# The Python package's pytest suite (python/tests), over this build's tools.
# Not under --sanitize: Python cannot load ASan-instrumented artifacts.
pytest_note="not run (--sanitize)"
if [ "$sanitize" = 0 ]; then
  if QUANT_TOOLS_DIR="$QUANT_BUILD_DIR/bin" PYTHONPATH="$QUANT_ROOT/python" \
      /usr/bin/python3 -m pytest -q -p no:cacheprovider "$QUANT_ROOT/python/tests" \
      2>&1 | tee "$QUANT_BUILD_DIR/pytest.log"; then
    pytest_note=$(tail -n 1 "$QUANT_BUILD_DIR/pytest.log")
  else
    pytest_note="FAILED: $(tail -n 1 "$QUANT_BUILD_DIR/pytest.log")"
    status=1
  fi
fi

passed=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
failed=$(sed -n 's/^ *\(Failed\|Unresolved\|Timed Out\|Unexpectedly Passed\) *: *\([0-9]*\).*/\2/p' "$log" |
  awk '{s += $1} END {print s + 0}')
if [ -z "$passed" ] || [ "$passed" -eq 0 ]; then
  echo "check: no test ran" >&2
  exit 1
fi
quant_log "total time $((SECONDS - start)) s"
echo "check: ${passed} passed, ${failed} failed; pytest: ${pytest_note}"
exit "$status"
