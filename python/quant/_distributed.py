"""Calibration and the mixed-precision sweep in shards on a Dask cluster.

quant's tools do the work on each worker; this module only moves bytes:

- calibration: the samples are dealt into shards, each worker runs
  `quant-compile --emit=calibration-state` on its shard, and the client
  merges the states (`--calibration-state`);
- the sweep (`precision="mixed"`): every worker gets all samples and
  measures layers K, K+N, ... (`--emit=sensitivity-table
  --sensitivity-shard=K/N`); the client allocates from the tables
  (`--sensitivity-table`);
- the accuracy-driven fallback (`accuracy_target`): the client runs the
  search with the measurements it has (`--emit=report-pending`), which
  names the sets of float layers it needs measured; each is measured in
  shards of the report samples on the workers (`--emit=report-measurement
  --report-float-layer=...`), and the client runs the search again, until
  nothing is pending.

What travels to a worker: the model file's bytes and sample files' bytes
(never paths: workers need not share a file system), and the calibration
states' text for the fallback; what comes back: the JSON text of a state,
table or measurement. The merged result is byte-identical to a
single-process run (docs/Distributed.md). `executor` is a
dask.distributed Client, or any object with submit() and gather().
"""

import json
import os
import tempfile

from ._tools import QuantError, run_tool


def run_shard(model_bytes, model_suffix, files, args, extras=()):
    """Runs on a worker: writes the model, the sample files ({relative
    path: bytes}) and `extras` (texts: calibration states) to a private
    folder, runs quant-compile with `args` (arguments "{model}", "{data}"
    and "{out}" become those paths, "{extras}" the extras' paths joined by
    commas) and returns the text of the output file."""
    with tempfile.TemporaryDirectory(prefix="quant-shard-") as work:
        model = os.path.join(work, "model" + model_suffix)
        with open(model, "wb") as f:
            f.write(model_bytes)
        data = os.path.join(work, "data")
        for rel, content in files.items():
            path = os.path.join(data, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(content)
        extra_paths = []
        for k, text in enumerate(extras):
            path = os.path.join(work, "extra%03d.json" % k)
            with open(path, "w") as f:
                f.write(text)
            extra_paths.append(path)
        out = os.path.join(work, "out.json")
        paths = {"{model}": model, "{data}": data, "{out}": out,
                 "{extras}": ",".join(extra_paths)}
        run_tool("quant-compile", [paths.get(a, a) for a in args])
        with open(out) as f:
            return f.read()


def num_workers(executor):
    try:
        return max(1, len(executor.scheduler_info()["workers"]))
    except Exception:  # not a dask Client
        return 2


def read_samples(folder):
    """{relative path: bytes} of a calibration folder's .npy files, and the
    sample names (file names) in order."""
    files = {}
    for dirpath, _, names in os.walk(folder):
        for name in names:
            if name.endswith(".npy"):
                path = os.path.join(dirpath, name)
                with open(path, "rb") as f:
                    files[os.path.relpath(path, folder)] = f.read()
    samples = sorted({os.path.basename(rel) for rel in files})
    if not samples:
        raise QuantError("%s: no .npy calibration samples" % folder)
    return files, samples


def _run_all(executor, model_path, jobs, extras=()):
    """Submits run_shard(model, files, args, extras) per job; returns the
    texts."""
    with open(model_path, "rb") as f:
        model_bytes = f.read()
    suffix = os.path.splitext(model_path)[1] or ".onnx"
    scattered = {}
    if hasattr(executor, "scatter"):
        # Large bytes go to the workers directly, not through the scheduler's
        # task graph; files every job shares (the sweep) go once to each.
        model_bytes = executor.scatter(model_bytes, broadcast=True)
        for files, _ in jobs:
            if id(files) not in scattered:
                shared = sum(f is files for f, _ in jobs) > 1
                scattered[id(files)] = executor.scatter(files, broadcast=shared,
                                                        hash=False)
    futures = [executor.submit(run_shard, model_bytes, suffix,
                               scattered.get(id(files), files), args,
                               list(extras), pure=False)
               for files, args in jobs]
    return executor.gather(futures)


def _write(texts, folder, stem):
    paths = []
    for k, text in enumerate(texts):
        path = os.path.join(folder, "%s%03d.json" % (stem, k))
        with open(path, "w") as f:
            f.write(text)
        paths.append(path)
    return paths


def calibration_states(executor, model_path, files, samples, flags, shards, folder):
    """Calibrates shards of `samples` (contiguous, in name order) on the
    workers; writes the states into `folder` and returns their paths."""
    count = max(1, min(len(samples), shards or num_workers(executor)))
    jobs = [(shard, ["{model}", "--calibration-data", "{data}"] + list(flags)
             + ["--emit=calibration-state", "-o", "{out}"])
            for shard in _shards_of(samples, files, count)]
    return _write(_run_all(executor, model_path, jobs), folder, "state")


def sensitivity_tables(executor, model_path, files, flags, shards, folder):
    """Measures the mixed-precision sweep in round-robin shards of layers on
    the workers (each with every sample); returns the tables' paths."""
    count = max(1, shards or num_workers(executor))
    jobs = [(files, ["{model}", "--calibration-data", "{data}"] + list(flags)
             + ["--emit=sensitivity-table", "--sensitivity-shard=%d/%d" % (k, count),
                "-o", "{out}"])
            for k in range(count)]
    return _write(_run_all(executor, model_path, jobs), folder, "table")


def _shards_of(samples, files, count):
    """`count` contiguous shards of `samples` (names in order), each as
    {relative path: bytes}."""
    bounds = [len(samples) * k // count for k in range(count + 1)]
    shards = []
    for k in range(count):
        mine = set(samples[bounds[k]:bounds[k + 1]])
        shards.append({rel: b for rel, b in files.items()
                       if os.path.basename(rel) in mine})
    return shards


def report_measurements(executor, model_path, flags, target, states, report_data,
                        report_samples, shards, folder):
    """The accuracy-driven fallback's measurements, made on the workers.

    Runs the search on the client with the measurements so far
    (--emit=report-pending, which measures nothing); every set of float
    layers it names is measured on the workers (--emit=report-measurement):
    when there are at least as many sets as shards, one job per set on all
    the report samples, else each set in shards of the samples, until the
    search needs nothing more. Returns the measurement files' paths (in `folder`), which make
    the final compile's search take exactly the choices of one process.
    """
    files, names = read_samples(report_data)
    if report_samples:
        names = names[:report_samples]
    count = max(1, min(len(names), shards or num_workers(executor)))
    sample_shards = _shards_of(names, files, count)
    all_samples = _shards_of(names, files, 1)[0]
    state_texts = []
    for path in states:
        with open(path) as f:
            state_texts.append(f.read())
    limit = "--report-samples=%d" % report_samples
    tables = []
    pending_path = os.path.join(folder, "pending.json")
    for _ in range(1000):
        run_tool("quant-compile",
                 [model_path] + list(flags)
                 + ["--accuracy-target=%r" % target,
                    "--calibration-state=" + ",".join(states),
                    "--report-data", report_data, limit]
                 + (["--report-measurement=" + ",".join(tables)] if tables else [])
                 + ["--emit=report-pending", "-o", pending_path])
        with open(pending_path) as f:
            pending = json.load(f)["float_layers"]
        if not pending:
            return tables
        # Each measurement JIT-compiles the measuring model once: with as
        # many sets as workers, a set on all the samples per job compiles
        # each model once; a lone set (a step's first baseline) is split by
        # samples. Either way the sums are exact, so the result is the same.
        by_set = len(pending) >= count
        jobs = []
        for float_layers in pending:
            for shard in ([all_samples] if by_set else sample_shards):
                jobs.append((shard, ["{model}"] + list(flags)
                             + ["--calibration-state", "{extras}",
                                "--report-data", "{data}", "--report-samples=0"]
                             + ["--report-float-layer=" + name
                                for name in float_layers]
                             + ["--emit=report-measurement", "-o", "{out}"]))
        texts = _run_all(executor, model_path, jobs, state_texts)
        tables += _write(texts, folder, "measurement%03d-" % len(tables))
    raise QuantError("the accuracy-driven fallback did not finish")
