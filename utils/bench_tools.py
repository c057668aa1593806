"""Helpers the utils/bench_*.py scripts share."""

import subprocess
import sys


def run(cmd):
    """Runs a command that must succeed; returns its stdout (exits with the
    command and its stderr otherwise)."""
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (result.returncode, " ".join(cmd),
                                           result.stderr))
    return result.stdout


def median_ms(cmd):
    """The 'median X ms' line of quant-run --bench or utils/ort-run.js."""
    for line in run(cmd).splitlines():
        if line.startswith("median"):
            return float(line.split()[1])
    sys.exit("no timing from: %s" % " ".join(cmd))
