#!/usr/bin/env bash
#===- utils/check.sh - Install, build and run every test ------------------===#
#
# The one command CI runs (.ci/run). On a fresh Debian 12 machine it installs
# the missing packages, builds quant, and runs the whole test suite: the lit
# tests and every GoogleTest case (through lit). Exits non-zero on any failure.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
source "$(dirname "$0")/lib.sh"

start=$SECONDS
quant_install_packages
quant_build
quant_log "build done in $((SECONDS - start)) s"

# Real third-party models, cached outside the repository. Without network the
# tests that need them are reported UNSUPPORTED with a note, not failed.
if models=$(bash "$QUANT_ROOT/utils/fetch-models.sh"); then
  quant_log "models in $models"
else
  quant_log "warning: could not fetch the real models; their tests are skipped"
fi

log="$QUANT_BUILD_DIR/check.log"
status=0
cmake --build "$QUANT_BUILD_DIR" --target check-quant 2>&1 | tee "$log" || status=$?

passed=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
failed=$(sed -n 's/^ *\(Failed\|Unresolved\|Timed Out\|Unexpectedly Passed\) *: *\([0-9]*\).*/\2/p' "$log" |
  awk '{s += $1} END {print s + 0}')
if [ -z "$passed" ] || [ "$passed" -eq 0 ]; then
  echo "check: no test ran" >&2
  exit 1
fi
quant_log "total time $((SECONDS - start)) s"
echo "check: ${passed} passed, ${failed} failed"
exit "$status"
