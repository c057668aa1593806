"""quant-compile from Python (as iree.compiler.tools drives IREE's tools)."""

import os
import tempfile
import shutil
import subprocess

_HERE = os.path.dirname(os.path.abspath(__file__))


class QuantError(RuntimeError):
    """A quant tool failed. `diagnostics` holds its error lines (each names
    the file, node and reason); str() is all of them."""

    def __init__(self, message, diagnostics=()):
        super().__init__(message)
        self.diagnostics = list(diagnostics)


def find_tool(name):
    """The path of quant tool `name` (quant-compile, quant-run, ...):
    $QUANT_TOOLS_DIR, else the source tree's build/bin, else PATH."""
    candidates = []
    if os.environ.get("QUANT_TOOLS_DIR"):
        candidates.append(os.path.join(os.environ["QUANT_TOOLS_DIR"], name))
    candidates.append(os.path.join(_HERE, "..", "..", "build", "bin", name))
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.abspath(path)
    found = shutil.which(name)
    if found:
        return found
    raise QuantError("%s not found: set QUANT_TOOLS_DIR to the folder with "
                     "quant's tools (build/bin)" % name)


def run_tool(name, args):
    """Runs quant tool `name`; its stderr (progress and notes) is returned,
    or QuantError raised with its error lines."""
    proc = subprocess.run([find_tool(name)] + [str(a) for a in args],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [l for l in proc.stderr.splitlines() if "error" in l] or \
            proc.stderr.strip().splitlines() or ["exit status %d" % proc.returncode]
        raise QuantError("\n".join(lines), lines)
    return proc.stderr


_EMIT_SUFFIX = {"shared": ".so", "obj": ".o", "lib": ".a", "exe": "", "onnx": ".onnx",
                "mlir": ".mlir", "llvm": ".ll", "ptx": ".ptx"}


def compile_file(path, output=None, *, emit="shared", input_shapes=None,
                 precision=None, calibration_data=None, calibration_method=None,
                 granularity=None, keep_float=None, extra_args=(), executor=None,
                 shards=None, accuracy_target=None, report_data=None,
                 report_samples=16):
    """Compiles `path` (.onnx or .mlir) with quant-compile and returns the
    output's path.

    emit: shared (default; for Model), obj, lib, exe, onnx (QDQ), mlir, ...
    input_shapes: {"input": [dims...]} for dynamic dims.
    precision: "fp32", "int8", "int4" or "mixed" (then calibration_data, a
    folder of .npy samples, is needed). calibration_method: minmax,
    percentile, entropy or mse. granularity: per-channel or per-tensor.
    keep_float: ONNX node names to keep float. extra_args: any other
    quant-compile flags (see `quant-compile --help`).

    accuracy_target: with precision "int8", keep the most harmful layers
    float until the model outputs reach this SQNR (dB) against float on
    `report_data` (default: calibration_data), at most `report_samples`
    samples of it (0: all); see --accuracy-target.

    executor: a dask.distributed Client: with precision "int8" or "int4"
    the calibration samples are observed in `shards` shards (default: one
    per worker) and merged; with "mixed" the layer sensitivity sweep is
    split by layers; with accuracy_target, every measurement the fallback
    search makes is split into shards of the report samples. The output is
    byte-identical to compiling without an executor (docs/Distributed.md).
    """
    if output is None:
        stem = os.path.splitext(path)[0]
        output = stem + _EMIT_SUFFIX.get(emit, "." + emit)
    args = []
    for name, dims in (input_shapes or {}).items():
        args.append("--input-shape=%s=%s" % (name, "x".join(str(d) for d in dims)))
    if precision:
        args.append("--precision=" + precision)
    if calibration_method:
        args.append("--calibration-method=" + calibration_method)
    if granularity:
        args.append("--granularity=" + granularity)
    if keep_float:
        args.append("--keep-float=" + ",".join(keep_float))
    args += list(extra_args)
    data = ["--calibration-data", calibration_data] if calibration_data else []
    report = []
    if accuracy_target:
        report = ["--accuracy-target=%r" % float(accuracy_target),
                  "--report-samples=%d" % report_samples]
        if report_data:
            report += ["--report-data", report_data]
    if executor is not None:
        if not calibration_data or precision not in ("int8", "int4", "mixed"):
            raise QuantError("compile_file: an executor shares out calibration "
                             "(precision int8/int4) or the mixed-precision sweep: "
                             "give calibration_data and one of those precisions")
        if accuracy_target and precision != "int8":
            raise QuantError("compile_file: accuracy_target simulates int8 "
                             "layers: it needs precision int8")
        from . import _distributed
        files, samples = _distributed.read_samples(calibration_data)
        with tempfile.TemporaryDirectory(prefix="quant-shards-") as work:
            if precision == "mixed":
                tables = _distributed.sensitivity_tables(executor, path, files, args,
                                                         shards, work)
                data.append("--sensitivity-table=" + ",".join(tables))
            else:
                states = _distributed.calibration_states(executor, path, files,
                                                         samples, args, shards, work)
                data = ["--calibration-state=" + ",".join(states)]
                if accuracy_target:
                    tables = _distributed.report_measurements(
                        executor, path, args, float(accuracy_target), states,
                        report_data or calibration_data, report_samples, shards,
                        work)
                    report = ["--accuracy-target=%r" % float(accuracy_target),
                              "--report-samples=%d" % report_samples,
                              "--report-data", report_data or calibration_data]
                    if tables:
                        report.append("--report-measurement=" + ",".join(tables))
            run_tool("quant-compile", [path, "--emit=" + emit, "-o", output] + args
                     + data + report)
        return output
    run_tool("quant-compile", [path, "--emit=" + emit, "-o", output] + args + data
             + report)
    return output
