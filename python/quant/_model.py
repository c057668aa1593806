"""Running a compiled model through quant's C ABI (runtime/quant_runtime.h),
as onnx-mlir's OMExecutionSession runs its models."""

import ctypes
import os
import time

import numpy as np

from ._tools import QuantError

ABI_VERSION = 1

# quant_dtype: ONNX TensorProto codes.
_DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 6: np.int32, 7: np.int64,
           9: np.bool_}


class _TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int32),
                ("rank", ctypes.c_int32), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("num_bytes", ctypes.c_uint64)]


class _ModelInfo(ctypes.Structure):
    _fields_ = [("abi_version", ctypes.c_uint32), ("num_inputs", ctypes.c_uint32),
                ("num_outputs", ctypes.c_uint32), ("flags", ctypes.c_uint32),
                ("name", ctypes.c_char_p), ("inputs", ctypes.POINTER(_TensorInfo)),
                ("outputs", ctypes.POINTER(_TensorInfo)), ("entry", ctypes.c_void_p)]


def _model_name(text):
    """The symbol prefix quant-compile gives a model named `text` (its
    makeModelName): ASCII letters and digits kept, everything else `_`,
    and `model_` in front of an empty name, a leading digit or `quant_`."""
    name = "".join(c if c.isascii() and c.isalnum() else "_" for c in text)
    if not name or name[0].isdigit() or name.startswith("quant_"):
        name = "model_" + name
    return name


class TensorSpec:
    """One input or output: name, numpy dtype, shape."""

    def __init__(self, info):
        self.name = info.name.decode()
        self.dtype = np.dtype(_DTYPES[info.dtype])
        self.shape = tuple(info.shape[i] for i in range(info.rank))
        self.num_bytes = info.num_bytes

    def __repr__(self):
        return "TensorSpec(%r, %s, %s)" % (self.name, self.dtype, self.shape)


class Model:
    """A model compiled by quant into a shared library (compile_file(...,
    emit="shared")). `name` is the model's symbol prefix: quant-compile
    names it after the output file (model.so -> model)."""

    def __init__(self, path, name=None):
        if not os.path.isfile(path):
            raise QuantError("%s: no such file" % path)
        self.path = os.path.abspath(path)
        self._lib = ctypes.CDLL(self.path)
        name = _model_name(name or os.path.splitext(os.path.basename(path))[0])
        try:
            info_fn = getattr(self._lib, name + "_info")
        except AttributeError:
            raise QuantError("%s has no %s_info: not a quant model, or pass "
                             "name=" % (path, name)) from None
        info_fn.restype = ctypes.POINTER(_ModelInfo)
        self._info = info_fn().contents
        if self._info.abi_version != ABI_VERSION:
            raise QuantError("%s was built for C ABI %d; this package speaks %d"
                             % (path, self._info.abi_version, ABI_VERSION))
        self._run = self._lib.quant_model_run
        self._run.restype = ctypes.c_int
        self._status = self._lib.quant_status_string
        self._status.restype = ctypes.c_char_p
        self.inputs = [TensorSpec(self._info.inputs[i]) for i in range(self._info.num_inputs)]
        self.outputs = [TensorSpec(self._info.outputs[i]) for i in range(self._info.num_outputs)]

    def __repr__(self):
        return "Model(%r, inputs=%s, outputs=%s)" % (self.path, self.inputs, self.outputs)

    def set_num_threads(self, n):
        """The OpenMP threads later runs from this thread use."""
        self._lib.quant_set_num_threads(int(n))

    def _input_arrays(self, args, kwargs):
        if args and kwargs:
            raise TypeError("give inputs by position or by name, not both")
        if kwargs:
            unknown = set(kwargs) - {s.name for s in self.inputs}
            if unknown:
                raise ValueError("unknown input(s) %s; the model takes %s"
                                 % (sorted(unknown), [s.name for s in self.inputs]))
            args = [kwargs.get(s.name) for s in self.inputs]
        if len(args) != len(self.inputs) or any(a is None for a in args):
            raise ValueError("the model takes %d input(s): %s"
                             % (len(self.inputs), [s.name for s in self.inputs]))
        arrays = []
        for spec, a in zip(self.inputs, args):
            a = np.asarray(a)
            if a.shape != spec.shape:
                raise ValueError("input '%s' has shape %s; the model takes %s"
                                 % (spec.name, a.shape, spec.shape))
            if a.dtype != spec.dtype:
                if not np.can_cast(a.dtype, spec.dtype, casting="same_kind"):
                    raise ValueError("input '%s' is %s; the model takes %s"
                                     % (spec.name, a.dtype, spec.dtype))
                a = a.astype(spec.dtype)
            arrays.append(np.ascontiguousarray(a))
        return arrays

    def run(self, *args, **kwargs):
        """Runs the model on numpy arrays (by position or input name) and
        returns {output name: array}."""
        arrays = self._input_arrays(args, kwargs)
        outputs = [np.empty(s.shape, s.dtype) for s in self.outputs]
        self._call(arrays, outputs)
        return {s.name: o for s, o in zip(self.outputs, outputs)}

    def run_into(self, out, *args, **kwargs):
        """Runs the model and writes its outputs into the arrays of `out`
        ({output name: array}; outputs it does not name get new arrays).
        Returns {output name: array}, with `out`'s own arrays in it.

        For loops that run a model many times, such as a decoder's KV
        cache fed back step after step: passing the same buffers again
        (or two sets in turn) saves allocating fresh arrays, and with them
        the page faults of fresh memory, on every run. Each array must
        have the output's shape and dtype exactly, be C-contiguous and
        writeable, and share no memory with an input or another output
        (the model may still read an input after it has written an
        output); a ValueError says which is not."""
        arrays = self._input_arrays(args, kwargs)
        if not isinstance(out, dict):
            raise TypeError("out must be a dict {output name: array}")
        unknown = set(out) - {s.name for s in self.outputs}
        if unknown:
            raise ValueError("unknown output(s) %s; the model has %s"
                             % (sorted(unknown), [s.name for s in self.outputs]))
        outputs = []
        for spec in self.outputs:
            o = out.get(spec.name)
            if o is None:
                outputs.append(np.empty(spec.shape, spec.dtype))
                continue
            if not isinstance(o, np.ndarray):
                raise ValueError("output '%s' must be a numpy array" % spec.name)
            if o.shape != spec.shape or o.dtype != spec.dtype:
                raise ValueError("output '%s' is %s %s; the model writes %s %s"
                                 % (spec.name, o.dtype, o.shape, spec.dtype, spec.shape))
            if not o.flags.c_contiguous or not o.flags.writeable:
                raise ValueError("output '%s' must be C-contiguous and writeable"
                                 % spec.name)
            for other, name in list(zip(arrays, [s.name for s in self.inputs])) + \
                    list(zip(outputs, [s.name for s in self.outputs])):
                if np.shares_memory(o, other):
                    raise ValueError("output '%s' shares memory with '%s'"
                                     % (spec.name, name))
            outputs.append(o)
        self._call(arrays, outputs)
        return {s.name: o for s, o in zip(self.outputs, outputs)}

    def _call(self, arrays, outputs):
        n_in, n_out = len(arrays), len(outputs)
        in_ptrs = (ctypes.c_void_p * n_in)(*[a.ctypes.data for a in arrays])
        in_bytes = (ctypes.c_size_t * n_in)(*[a.nbytes for a in arrays])
        out_ptrs = (ctypes.c_void_p * n_out)(*[o.ctypes.data for o in outputs])
        out_bytes = (ctypes.c_size_t * n_out)(*[o.nbytes for o in outputs])
        status = self._run(ctypes.byref(self._info), in_ptrs, in_bytes, out_ptrs, out_bytes)
        if status != 0:
            raise QuantError("%s: %s" % (self.path, self._status(status).decode()))

    def bench(self, *args, iterations=20, warmup=3, threads=None, **kwargs):
        """Times `iterations` runs (after `warmup`) on the given inputs, or
        zeros when none are given: {"median_ms", "mean_ms", "min_ms",
        "max_ms", "iterations"} (quant-run --bench and utils/ort-run.js
        report the median too)."""
        if not args and not kwargs:
            args = [np.zeros(s.shape, s.dtype) for s in self.inputs]
        arrays = self._input_arrays(args, kwargs)
        outputs = [np.empty(s.shape, s.dtype) for s in self.outputs]
        if threads is not None:
            self.set_num_threads(threads)
        for _ in range(warmup):
            self._call(arrays, outputs)
        times = []
        for _ in range(iterations):
            start = time.perf_counter()
            self._call(arrays, outputs)
            times.append((time.perf_counter() - start) * 1e3)
        return {"median_ms": float(np.median(times)),
                "mean_ms": float(np.mean(times)), "min_ms": float(np.min(times)),
                "max_ms": float(np.max(times)), "iterations": iterations}
