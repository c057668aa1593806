#!/usr/bin/env python3
"""Builds the small ONNX models the importer's lit tests read.

    onnx_models.py NAME OUT.onnx

Each model is a function below, named after what it exercises. Models are
generated at test time (nothing binary is committed); valid ones are checked
with onnx.checker so a test failure means the importer, not the model.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
I64 = TensorProto.INT64
MODELS = {}


def model(fn):
    MODELS[fn.__name__] = fn
    return fn


def build(nodes, inputs, outputs, inits=(), opset=13, name="g", check=True):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="quant-tests")
    m.ir_version = 7
    if check:
        onnx.checker.check_model(m)
    return m


def vi(name, shape, dtype=F):
    return helper.make_tensor_value_info(name, dtype, shape)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def arange(*shape):
    return (np.arange(np.prod(shape), dtype=np.float32).reshape(shape) / 8.0)


# --- convolution ---------------------------------------------------------

@model
def conv_same_upper():
    # 3x3 conv, stride 2, SAME_UPPER on an 8x8 input: pads [0, 0, 1, 1].
    return build([helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv1",
                                   auto_pad="SAME_UPPER", strides=[2, 2])],
                 [vi("x", [1, 2, 8, 8])], [vi("y", [1, 4, 4, 4])],
                 [init("w", arange(4, 2, 3, 3)), init("b", np.ones(4, np.float32))],
                 opset=11)


@model
def conv_grouped_explicit():
    return build([helper.make_node("Conv", ["x", "w"], ["y"], name="dw",
                                   group=4, pads=[1, 2, 1, 0], dilations=[1, 2],
                                   kernel_shape=[3, 3])],
                 [vi("x", [1, 4, 6, 6])], [vi("y", [1, 8, 6, 4])],
                 [init("w", arange(8, 1, 3, 3))])


@model
def conv_transpose_output_shape():
    # output_shape 10x10 from 5x5 with stride 2, kernel 3: pads derived.
    return build([helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up",
                                   strides=[2, 2], output_shape=[10, 10])],
                 [vi("x", [1, 4, 5, 5])], [vi("y", [1, 3, 10, 10])],
                 [init("w", arange(4, 3, 3, 3))], opset=11)


# --- linear algebra and normalization -------------------------------------

@model
def gemm_matmul():
    return build([helper.make_node("Gemm", ["x", "w", "c"], ["h"], name="fc",
                                   transB=1, alpha=0.5),
                  helper.make_node("MatMul", ["h", "m"], ["y"], name="proj")],
                 [vi("x", [2, 8])], [vi("y", [2, 3])],
                 [init("w", arange(4, 8)), init("c", np.zeros(4, np.float32)),
                  init("m", arange(4, 3))])


@model
def layernorm_statistics():
    # The optional Mean and InvStdDev outputs, over axes 1 and 2.
    return build([helper.make_node("LayerNormalization", ["x", "g"], ["y", "mean", "inv"],
                                   axis=1, epsilon=0.25)],
                 [vi("x", [2, 2, 2])],
                 [vi("y", [2, 2, 2]), vi("mean", [2, 1, 1]), vi("inv", [2, 1, 1])],
                 [init("g", np.ones((2, 2), np.float32))], opset=17)


@model
def batchnorm_layernorm():
    return build([helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["n"],
                                   name="bn", epsilon=1e-3),
                  helper.make_node("LayerNormalization", ["n", "g"], ["y"], name="ln",
                                   axis=-1, epsilon=1e-6)],
                 [vi("x", [1, 3, 4])], [vi("y", [1, 3, 4])],
                 [init("s", np.ones(3, np.float32)), init("b", np.zeros(3, np.float32)),
                  init("m", np.zeros(3, np.float32)), init("v", np.ones(3, np.float32)),
                  init("g", np.ones(4, np.float32))], opset=17)


# --- element-wise ----------------------------------------------------------

@model
def elementwise():
    return build([helper.make_node("Add", ["x", "c"], ["a"]),
                  helper.make_node("Pow", ["a", "two"], ["p"]),
                  helper.make_node("Max", ["p", "x", "c"], ["m"]),
                  helper.make_node("Neg", ["m"], ["n"]),
                  helper.make_node("Sqrt", ["n"], ["s"]),
                  helper.make_node("HardSwish", ["s"], ["h"]),
                  helper.make_node("LeakyRelu", ["h"], ["l"], alpha=0.2),
                  helper.make_node("HardSigmoid", ["l"], ["y"], alpha=0.25)],
                 [vi("x", [2, 3])], [vi("y", [2, 3])],
                 [init("c", np.ones(3, np.float32)), init("two", np.array(2, np.int64))],
                 opset=14)


@model
def clip_attrs_opset10():
    # Before opset 11, Clip's bounds are attributes.
    return build([helper.make_node("Clip", ["x"], ["y"], min=0.0, max=6.0)],
                 [vi("x", [4])], [vi("y", [4])], opset=10)


@model
def clip_inputs():
    # Constant max only (opset 11), and a run-time min (the log-mel floor).
    return build([helper.make_node("Clip", ["x", "", "six"], ["c"]),
                  helper.make_node("ReduceMax", ["c"], ["mx"], keepdims=0),
                  helper.make_node("Sub", ["mx", "eighty"], ["floor"]),
                  helper.make_node("Clip", ["c", "floor"], ["y"])],
                 [vi("x", [4])], [vi("y", [4])],
                 [init("six", np.array(6, np.float32)),
                  init("eighty", np.array(80, np.float32))])


# --- shapes and data movement ----------------------------------------------

@model
def shape_subgraph():
    # Reshape to [N, C*H*W] computed from Shape -> Gather -> ... -> Concat.
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
             helper.make_node("Unsqueeze", ["n", "axes0"], ["n1"]),
             helper.make_node("Slice", ["s", "one", "big"], ["rest"]),
             helper.make_node("Split", ["rest"], ["c", "h", "w"], axis=0),
             helper.make_node("Mul", ["c", "h"], ["ch"]),
             helper.make_node("Mul", ["ch", "w"], ["prod"]),
             helper.make_node("Concat", ["n1", "prod"], ["shape"], axis=0),
             helper.make_node("Reshape", ["x", "shape"], ["y"], name="flatten")]
    return build(nodes, [vi("x", [2, 3, 4, 5])], [vi("y", [2, 60])],
                 [init("zero", np.array(0, np.int64)), init("axes0", np.array([0], np.int64)),
                  init("one", np.array([1], np.int64)),
                  init("big", np.array([2**63 - 1], np.int64))])


@model
def shape_subgraph_opset9():
    # Opset 9 exporters (paddle2onnx) go through Cast and attribute Slice.
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Cast", ["s"], ["si"], to=TensorProto.INT32),
             helper.make_node("Slice", ["si"], ["n"], starts=[0], ends=[1], axes=[0]),
             helper.make_node("Cast", ["n"], ["n64"], to=I64),
             helper.make_node("Concat", ["n64", "minus1"], ["shape"], axis=0),
             helper.make_node("Reshape", ["x", "shape"], ["r"]),
             helper.make_node("MatMul", ["r", "w"], ["y"])]
    return build(nodes, [vi("x", ["N", 3, 4])], [vi("y", ["N", 2])],
                 [init("minus1", np.array([-1], np.int64)), init("w", arange(12, 2))],
                 opset=9)


@model
def squeeze_opset11():
    return build([helper.make_node("Unsqueeze", ["x"], ["u"], axes=[0, 3]),
                  helper.make_node("Squeeze", ["u"], ["y"], axes=[-1])],
                 [vi("x", [2, 3])], [vi("y", [1, 2, 3])], opset=11)


@model
def squeeze_opset13():
    return build([helper.make_node("Unsqueeze", ["x", "a"], ["u"]),
                  helper.make_node("Squeeze", ["u", "b"], ["s"]),
                  helper.make_node("Flatten", ["s"], ["y"], axis=2)],
                 [vi("x", [2, 3])], [vi("y", [6, 1])],
                 [init("a", np.array([0, 3], np.int64)), init("b", np.array([0], np.int64))])


@model
def slice_opset9():
    return build([helper.make_node("Slice", ["x"], ["y"], starts=[1, -3], ends=[100, -1],
                                   axes=[0, 1])],
                 [vi("x", [4, 6])], [vi("y", [3, 2])], opset=9)


@model
def slice_opset13():
    # Reverse the last axis (INT64_MIN end), every second row.
    return build([helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"])],
                 [vi("x", [4, 6])], [vi("y", [2, 6])],
                 [init("st", np.array([-1, 0], np.int64)),
                  init("en", np.array([-2**63, 4], np.int64)),
                  init("ax", np.array([1, 0], np.int64)),
                  init("sp", np.array([-1, 2], np.int64))])


@model
def split_opset11():
    return build([helper.make_node("Split", ["x"], ["a", "b"], axis=1, split=[2, 4])],
                 [vi("x", [1, 6])], [vi("a", [1, 2]), vi("b", [1, 4])], opset=11)


@model
def split_opset13():
    return build([helper.make_node("Split", ["x", "sizes"], ["a", "b"], axis=-1)],
                 [vi("x", [1, 6])], [vi("a", [1, 1]), vi("b", [1, 5])],
                 [init("sizes", np.array([1, 5], np.int64))])


@model
def transpose_gather_concat_cast():
    return build([helper.make_node("Transpose", ["x"], ["t"]),
                  helper.make_node("Gather", ["t", "idx"], ["g"], axis=1),
                  helper.make_node("Concat", ["g", "g"], ["c"], axis=-1),
                  helper.make_node("Cast", ["c"], ["y"], to=I64)],
                 [vi("x", [3, 4])], [vi("y", [4, 4], I64)],
                 [init("idx", np.array([0, -1], np.int64))])


@model
def pad_opset7():
    return build([helper.make_node("Pad", ["x"], ["y"], pads=[0, 1, 0, 2], value=1.5)],
                 [vi("x", [2, 3])], [vi("y", [2, 6])], opset=7)


@model
def pad_opset13():
    return build([helper.make_node("Pad", ["x", "p"], ["y"], mode="reflect")],
                 [vi("x", [1, 4, 4])], [vi("y", [1, 6, 6])],
                 [init("p", np.array([0, 1, 1, 0, 1, 1], np.int64))])


# --- pooling, resize, reductions, softmax -----------------------------------

@model
def pools():
    return build([helper.make_node("MaxPool", ["x"], ["m"], kernel_shape=[2, 2], strides=[2, 2],
                                   ceil_mode=1),
                  helper.make_node("AveragePool", ["m"], ["a"], kernel_shape=[3, 3],
                                   auto_pad="SAME_UPPER", count_include_pad=1),
                  helper.make_node("GlobalAveragePool", ["a"], ["y"])],
                 [vi("x", [1, 2, 5, 5])], [vi("y", [1, 2, 1, 1])], opset=11)


@model
def upsample_opset7():
    return build([helper.make_node("Upsample", ["x"], ["y"], scales=[1.0, 1.0, 2.0, 2.0])],
                 [vi("x", [1, 1, 2, 2])], [vi("y", [1, 1, 4, 4])], opset=7, check=False)


@model
def upsample_opset9():
    return build([helper.make_node("Upsample", ["x", "s"], ["y"], mode="linear")],
                 [vi("x", [1, 1, 2, 2])], [vi("y", [1, 1, 4, 6])],
                 [init("s", np.array([1, 1, 2, 3], np.float32))], opset=9)


@model
def resize_opset10():
    return build([helper.make_node("Resize", ["x", "s"], ["y"], mode="nearest")],
                 [vi("x", [1, 1, 2, 2])], [vi("y", [1, 1, 4, 4])],
                 [init("s", np.array([1, 1, 2, 2], np.float32))], opset=10)


@model
def resize_opset11_scales():
    return build([helper.make_node("Resize", ["x", "roi", "s"], ["y"], mode="linear",
                                   coordinate_transformation_mode="align_corners")],
                 [vi("x", [1, 1, 2, 2])], [vi("y", [1, 1, 4, 4])],
                 [init("roi", np.zeros(0, np.float32)),
                  init("s", np.array([1, 1, 2, 2], np.float32))], opset=11)


@model
def resize_opset13_sizes():
    return build([helper.make_node("Resize", ["x", "", "", "sz"], ["y"], mode="cubic",
                                   cubic_coeff_a=-0.5, nearest_mode="floor")],
                 [vi("x", [1, 1, 3, 3])], [vi("y", [1, 1, 7, 7])],
                 [init("sz", np.array([1, 1, 7, 7], np.int64))])


@model
def reduce_opset11():
    return build([helper.make_node("ReduceMean", ["x"], ["m"], axes=[-1, 1]),
                  helper.make_node("ReduceMax", ["m"], ["y"], keepdims=0)],
                 [vi("x", [2, 3, 4])], [vi("y", [])], opset=11)


@model
def reduce_opset13():
    return build([helper.make_node("ReduceSum", ["x", "ax"], ["s"], keepdims=0),
                  helper.make_node("ReduceSum", ["s", "none"], ["y"], noop_with_empty_axes=1)],
                 [vi("x", [2, 3, 4])], [vi("y", [2, 4])],
                 [init("ax", np.array([1], np.int64)), init("none", np.zeros(0, np.int64))])


@model
def reduce_composite():
    # Reductions quant writes as a qnt.reduce_sum with element-wise ops
    # around it, next to the direct ReduceMin/ReduceProd and Abs.
    mk = helper.make_node
    names = ["ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare",
             "ReduceLogSum", "ReduceLogSumExp"]
    nodes = [mk(n, ["x"], [n.lower()], axes=[1]) for n in names]
    nodes.append(mk("Abs", ["x"], ["abs"]))
    return build(nodes, [vi("x", [2, 3])],
                 [vi(n.lower(), [2, 1]) for n in names] + [vi("abs", [2, 3])], opset=13)


@model
def argmax_argmin():
    return build([helper.make_node("ArgMax", ["x"], ["imax"], axis=-1, keepdims=0),
                  helper.make_node("ArgMin", ["x"], ["imin"], select_last_index=1)],
                 [vi("x", [2, 3])],
                 [helper.make_tensor_value_info("imax", TensorProto.INT64, [2]),
                  helper.make_tensor_value_info("imin", TensorProto.INT64, [1, 3])],
                 opset=13)


@model
def integer_ops():
    # Run-time integer arithmetic; an int64 compared with a constant that
    # f32 cannot hold exactly (2^24 + 1) stays an integer compare.
    return build([helper.make_node("Add", ["a", "b"], ["sum"]),
                  helper.make_node("Div", ["a", "b"], ["quot"]),
                  helper.make_node("Pow", ["a", "e"], ["pow"]),
                  helper.make_node("Equal", ["l", "big"], ["eq"]),
                  helper.make_node("Add", ["u", "u"], ["usum"])],
                 [vi("a", [2, 3], TensorProto.INT32), vi("b", [3], TensorProto.INT32),
                  vi("e", [2, 3], I64), vi("l", [2], I64),
                  vi("u", [4], TensorProto.UINT8)],
                 [vi("sum", [2, 3], TensorProto.INT32),
                  vi("quot", [2, 3], TensorProto.INT32),
                  vi("pow", [2, 3], TensorProto.INT32),
                  vi("eq", [2], TensorProto.BOOL),
                  vi("usum", [4], TensorProto.UINT8)],
                 [init("big", np.array((1 << 24) + 1, np.int64))], opset=14)


@model
def topk():
    return build([helper.make_node("TopK", ["x", "k"], ["v", "i"], axis=-1),
                  helper.make_node("TopK", ["x", "k1"], ["sv", "si"], axis=0,
                                   largest=0, sorted=0)],
                 [vi("x", [2, 5])],
                 [vi("v", [2, 3]), vi("i", [2, 3], I64),
                  vi("sv", [1, 5]), vi("si", [1, 5], I64)],
                 [init("k", np.array([3], np.int64)),
                  init("k1", np.array([1], np.int64))], opset=11)


@model
def softmax_opset11():
    # Before opset 13, softmax on axis 1 of a rank-3 tensor normalizes over
    # the flattened trailing dims.
    return build([helper.make_node("Softmax", ["x"], ["y"], axis=1)],
                 [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])], opset=11)


@model
def softmax_opset13():
    return build([helper.make_node("Softmax", ["x"], ["y"], axis=1)],
                 [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])])


# --- converters keyed on opset ----------------------------------------------

def _softmax_axis1(opset):
    return build([helper.make_node("Softmax", ["x"], ["y"], axis=1, name="sm")],
                 [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])], opset=opset)


@model
def softmax_opset12():
    # The last opset of the Softmax-1 entry: flattened trailing dims.
    return _softmax_axis1(12)


@model
def softmax_opset13_boundary():
    # The first opset of the Softmax-13 entry: one axis.
    return _softmax_axis1(13)


def _batchnorm(opset, **attrs):
    return build([helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"],
                                   name="bn", **attrs)],
                 [vi("x", [1, 2, 3])], [vi("y", [1, 2, 3])],
                 [init("s", np.array([1.0, 2.0], np.float32)),
                  init("b", np.array([0.5, -0.5], np.float32)),
                  init("m", np.zeros(2, np.float32)),
                  init("v", np.ones(2, np.float32))], opset=opset, check=False)


@model
def batchnorm_spatial0_opset7():
    return _batchnorm(7, spatial=0)


@model
def batchnorm_opset9():
    return _batchnorm(9, epsilon=1e-3)


def _upsample(opset):
    return build([helper.make_node("Upsample", ["x", "s"], ["y"], name="up")],
                 [vi("x", [1, 1, 2, 2])], [vi("y", [1, 1, 4, 4])],
                 [init("s", np.array([1, 1, 2, 2], np.float32))], opset=opset, check=False)


@model
def upsample_opset9_last():
    return _upsample(9)


@model
def upsample_opset10():
    # Upsample-10 is in ONNX (deprecated); quant converts Upsample to opset 9.
    return _upsample(10)


@model
def upsample_opset11_in_branch():
    up = helper.make_node("Upsample", ["x", "s"], ["u"], name="branch_up")
    then_g = helper.make_graph([up], "then", [], [vi("u", [1, 1, 4, 4])])
    else_g = helper.make_graph([helper.make_node("Identity", ["z"], ["e"])], "else", [],
                               [vi("e", [1, 1, 4, 4])])
    return build([helper.make_node("If", ["c"], ["y"], name="branch",
                                   then_branch=then_g, else_branch=else_g)],
                 [vi("x", [1, 1, 2, 2]), vi("c", [], TensorProto.BOOL),
                  vi("z", [1, 1, 4, 4])], [vi("y", [1, 1, 4, 4])],
                 [init("s", np.array([1, 1, 2, 2], np.float32))], opset=11, check=False)


# --- ops decomposed into qnt ops (LSTM, GRU, RNN, Einsum) --------------------

def _recurrent(op, gates, attrs, inputs=("X", "W", "R"), inits=(), seq=2, batch=1,
               size=2, hidden=2, outputs=("", "y_h"), opset=14, extra_inputs=()):
    dirs = 2 if attrs.get("direction") == "bidirectional" else 1
    y_h = vi("y_h", [dirs, batch, hidden])
    node = helper.make_node(op, list(inputs), list(outputs), name=op.lower(),
                            hidden_size=hidden, **attrs)
    rng = np.random.default_rng(3)
    weights = [init("W", np.round(rng.standard_normal((dirs, gates * hidden, size)), 2)
                    .astype(np.float32)),
               init("R", np.round(rng.standard_normal((dirs, gates * hidden, hidden)), 2)
                    .astype(np.float32))]
    return build([node], [vi("X", [seq, batch, size])] + list(extra_inputs), [y_h],
                 weights + list(inits), opset=opset)


@model
def lstm_forward():
    # One step is one gemm with R (plus that step's X projection, itself one
    # gemm with W for the whole sequence) and the gates' math.
    return _recurrent("LSTM", 4, {}, seq=2)


@model
def gru_linear_before_reset():
    return _recurrent("GRU", 3, {"linear_before_reset": 1}, seq=1,
                      inputs=("X", "W", "R", "B"),
                      inits=[init("B", np.arange(12, dtype=np.float32).reshape(1, 12) / 10)])


@model
def rnn_reverse_lens():
    # Constant sequence_lens [1, 2]: at the last step (the first one of a
    # reverse pass) batch entry 0 is past its end and keeps its state.
    return _recurrent("RNN", 1, {"direction": "reverse"}, seq=2, batch=2,
                      inputs=("X", "W", "R", "", "lens"),
                      inits=[init("lens", np.array([1, 2], np.int32))])


@model
def err_lstm_activation():
    return _recurrent("LSTM", 4, {"activations": ["Sigmoid", "Elu", "Tanh"]})


@model
def einsum_batch_diagonal():
    return build([helper.make_node("Einsum", ["x"], ["y"], equation="...ii->...i")],
                 [vi("x", [3, 4, 4])], [vi("y", [3, 4])], opset=12)


@model
def einsum_contract():
    # j is contracted, b is a batch label, i and k stay: one batched matmul.
    return build([helper.make_node("Einsum", ["a", "b"], ["y"], equation="bij,bkj->bik")],
                 [vi("a", [2, 3, 4]), vi("b", [2, 5, 4])], [vi("y", [2, 3, 5])], opset=12)


# --- shape inputs that static shapes make known ----------------------------

@model
def expand_runtime_shape():
    # The target shape is a graph input, but the result's type is static.
    return build([helper.make_node("Expand", ["x", "shape"], ["y"], name="ex")],
                 [vi("x", [3, 1]), vi("shape", [3], I64)], [vi("y", [2, 3, 6])])


@model
def resize_runtime_sizes():
    return build([helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], name="rs",
                                   mode="nearest")],
                 [vi("x", [1, 1, 2, 3]), vi("sizes", [4], I64)], [vi("y", [1, 1, 4, 9])])


# --- If branches moved into the graph ------------------------------------

@model
def if_runtime_nested():
    # The outer If's condition is a graph input compared with a constant
    # (cast to f32: exact below 2^24). Its then branch holds an initializer
    # and an inner If whose condition (a dim of x == 4) folds only once the
    # branch's nodes are in the graph: the inner If becomes its taken branch.
    dim = [helper.make_node("Shape", ["x"], ["s"]),
           helper.make_node("Gather", ["s", "one"], ["d"], axis=0),
           helper.make_node("Equal", ["d", "four"], ["is4"])]
    inner_then = helper.make_graph([helper.make_node("Relu", ["x"], ["r"])], "inner_then",
                                   [], [vi("r", [2, 4])])
    inner_else = helper.make_graph([helper.make_node("Squeeze", ["x"], ["q"])],
                                   "inner_else", [], [vi("q", None)])
    then_g = helper.make_graph(
        dim + [helper.make_node("If", ["is4"], ["t"], name="inner", then_branch=inner_then,
                                else_branch=inner_else),
               helper.make_node("Mul", ["t", "scale"], ["tm"])],
        "then", [], [vi("tm", [2, 4])],
        initializer=[init("one", np.array(1, np.int64)), init("four", np.array(4, np.int64)),
                     init("scale", np.array(3.0, np.float32))])
    else_g = helper.make_graph([helper.make_node("Neg", ["x"], ["n"])], "else", [],
                               [vi("n", [2, 4])])
    return build([helper.make_node("Equal", ["rate", "k"], ["c"]),
                  helper.make_node("If", ["c"], ["y"], name="outer", then_branch=then_g,
                                   else_branch=else_g)],
                 [vi("x", [2, 4]), vi("rate", [], I64)], [vi("y", [2, 4])],
                 [init("k", np.array(16000, np.int64))], check=False)


@model
def unary_chain():
    ops = ["Sqrt", "Exp", "Log", "Erf", "Tanh", "Relu", "Sigmoid", "Dropout",
           "Identity", "GlobalAveragePool"]
    nodes, prev = [], "x"
    for i, op in enumerate(ops):
        nodes.append(helper.make_node(op, [prev], ["v%d" % i], name=op.lower()))
        prev = "v%d" % i
    return build(nodes, [vi("x", [1, 2, 3, 3])], [vi(prev, [1, 2, 1, 1])])


@model
def constant_forms():
    # Constant's value_* forms, Shape with start/end (opset 15),
    # ConstantOfShape and comparisons, all evaluated at import time; the
    # result feeds a Reshape so the folding is visible in its type.
    nodes = [helper.make_node("Constant", [], ["f"], value_float=2.0),
             helper.make_node("Constant", [], ["fs"], value_floats=[1.0, 3.0]),
             helper.make_node("Constant", [], ["i"], value_int=2),
             helper.make_node("Constant", [], ["is"], value_ints=[6, -1]),
             helper.make_node("Shape", ["x"], ["tail"], start=1),
             helper.make_node("Equal", ["tail", "is"], ["eq"]),
             helper.make_node("Not", ["eq"], ["ne"]),
             helper.make_node("Cast", ["ne"], ["nei"], to=I64),
             helper.make_node("Add", ["nei", "i"], ["dims"]),
             helper.make_node("ConstantOfShape", ["dims"], ["ones"],
                              value=helper.make_tensor("v", F, [1], [1.0])),
             helper.make_node("Reshape", ["x", "is"], ["r"]),
             helper.make_node("Mul", ["r", "f"], ["m"]),
             helper.make_node("Add", ["m", "fs"], ["y"])]
    return build(nodes, [vi("x", [2, 3, 2])], [vi("y", [6, 2]), vi("ones", [3, 3])],
                 opset=15)


def _branches():
    then_g = helper.make_graph([helper.make_node("Relu", ["x"], ["t"], name="then_relu")],
                               "then", [], [vi("t", [2])])
    else_g = helper.make_graph([helper.make_node("Neg", ["x"], ["e"], name="else_neg")],
                               "else", [], [vi("e", [2])])
    return then_g, else_g


@model
def if_const():
    # The condition is computed from shapes: the taken branch is inlined.
    then_g, else_g = _branches()
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Equal", ["s", "two"], ["cond"]),
             helper.make_node("If", ["cond"], ["y"], name="branch",
                              then_branch=then_g, else_branch=else_g)]
    return build(nodes, [vi("x", [2])], [vi("y", [2])],
                 [init("two", np.array([2], np.int64))])


@model
def if_runtime():
    # The condition depends on data: both branches run, Where-style select.
    then_g, else_g = _branches()
    nodes = [helper.make_node("ReduceMax", ["x"], ["m"], keepdims=0),
             helper.make_node("GreaterOrEqual", ["m", "half"], ["cond"]),
             helper.make_node("If", ["cond"], ["y"], name="branch",
                              then_branch=then_g, else_branch=else_g)]
    return build(nodes, [vi("x", [2])], [vi("y", [2])],
                 [init("half", np.array(0.5, np.float32))], opset=16)


@model
def where_runtime():
    return build([helper.make_node("Less", ["x", "zero"], ["c"]),
                  helper.make_node("Where", ["c", "zero", "x"], ["y"])],
                 [vi("x", [3])], [vi("y", [3])], [init("zero", np.array(0, np.float32))])


@model
def expand_runtime():
    return build([helper.make_node("Expand", ["x", "shape"], ["y"], name="ex")],
                 [vi("x", [1, 3])], [vi("y", [2, 4, 3])],
                 [init("shape", np.array([2, 4, 1], np.int64))])


@model
def expand_const():
    return build([helper.make_node("Expand", ["c", "shape"], ["e"]),
                  helper.make_node("Add", ["x", "e"], ["y"])],
                 [vi("x", [3, 2])], [vi("y", [3, 2])],
                 [init("c", np.array([[1.5, -2.0]], np.float32)),
                  init("shape", np.array([3, 1], np.int64))])


@model
def expand_mismatch():
    # Even behind a Concat, the importer folds the shape and re-runs shape
    # inference, which reports the mismatch at the node.
    return build([helper.make_node("Concat", ["s"], ["shape"], axis=0),
                  helper.make_node("Expand", ["x", "shape"], ["y"], name="bad_expand")],
                 [vi("x", [3])], [vi("y", [None])],
                 [init("s", np.array([2], np.int64))], check=False)


@model
def unnamed_nodes():
    return build([helper.make_node("Relu", ["x"], ["r"]),
                  helper.make_node("Sigmoid", ["r"], ["y"])],
                 [vi("x", [4])], [vi("y", [4])])


# --- inputs -----------------------------------------------------------------

@model
def two_dynamic_inputs():
    return build([helper.make_node("MatMul", ["a", "b"], ["y"], name="mm")],
                 [vi("a", ["batch", 8]), vi("b", [8, "n"])], [vi("y", ["batch", "n"])])


# --- errors -----------------------------------------------------------------

@model
def unsupported_ops():
    return build([helper.make_node("Loop", ["x", "w", "r"], ["y1"], name="loop_a"),
                  helper.make_node("Relu", ["x"], ["r1"]),
                  helper.make_node("NonZero", ["x"], ["w1"], name="nonzero_a"),
                  helper.make_node("Loop", ["x", "w", "r"], ["y2"], name="loop_b"),
                  helper.make_node("Foo", ["x"], ["f"], domain="com.example", name="custom")],
                 [vi("x", [1, 1, 2]), vi("c", [1, 1, 2], TensorProto.BOOL)],
                 [vi("y1", None), vi("y2", None), vi("w1", None), vi("f", None)],
                 [init("w", np.zeros((1, 8, 2), np.float32)),
                  init("r", np.zeros((1, 8, 2), np.float32))], check=False)


@model
def unsupported_dtypes():
    return build([helper.make_node("Add", ["x", "h"], ["y"])],
                 [vi("x", [2], TensorProto.BFLOAT16)], [vi("y", [2], TensorProto.BFLOAT16)],
                 [init("h", np.ones(2, np.uint16)), init("d", np.ones(2, np.float64))],
                 check=False)


@model
def unsorted():
    """y = relu(x + 1) * 2 with the nodes listed last-first."""
    return build([helper.make_node("Mul", ["r", "two"], ["y"], name="mul"),
                  helper.make_node("Relu", ["a"], ["r"], name="relu"),
                  helper.make_node("Add", ["x", "one"], ["a"], name="add")],
                 [vi("x", [2])], [vi("y", [2])],
                 [init("one", np.ones(2, np.float32)), init("two", np.full(2, 2, np.float32))],
                 check=False)


@model
def cyclic():
    return build([helper.make_node("Add", ["x", "b"], ["a"], name="first"),
                  helper.make_node("Relu", ["a"], ["b"], name="second")],
                 [vi("x", [2])], [vi("b", [2])], check=False)


@model
def missing_input():
    return build([helper.make_node("Relu", ["nowhere"], ["y"], name="orphan")],
                 [vi("x", [2])], [vi("y", [2])], check=False)


@model
def old_opset():
    return build([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [2])], [vi("y", [2])],
                 opset=5, check=False)


def _raw_float_tensor(name, dims, nbytes):
    t = TensorProto()
    t.name = name
    t.data_type = F
    t.dims.extend(dims)
    t.raw_data = b"\0" * nbytes
    return t


@model
def absurd_dims():
    # 2^40 x 2^40 elements: the product overflows int64 elements*4 and must
    # be rejected before any allocation.
    t = _raw_float_tensor("w", [1 << 40, 1 << 40], 16)
    return build([helper.make_node("Add", ["x", "w"], ["y"])],
                 [vi("x", [4])], [vi("y", [4])], [t], check=False)


@model
def short_raw_data():
    # Declares 1M floats but carries 16 bytes.
    t = _raw_float_tensor("w", [1000, 1000], 16)
    return build([helper.make_node("Add", ["x", "w"], ["y"])],
                 [vi("x", [1000, 1000])], [vi("y", [1000, 1000])], [t], check=False)


@model
def short_constant():
    # A Constant node is decoded with the same checks as an initializer.
    t = _raw_float_tensor("v", [64], 8)
    return build([helper.make_node("Constant", [], ["c"], value=t),
                  helper.make_node("Add", ["x", "c"], ["y"])],
                 [vi("x", [64])], [vi("y", [64])], check=False)


@model
def shape_add_overflow():
    # INT64_MAX + 1 in shape arithmetic wraps (defined), and the resulting
    # negative Reshape entry is an error, not undefined behaviour.
    return build([helper.make_node("Add", ["big", "one"], ["s"]),
                  helper.make_node("Reshape", ["c", "s"], ["y"], name="reshape")],
                 [], [vi("y", None)],
                 [init("big", np.array([2**63 - 1], np.int64)),
                  init("one", np.array([1], np.int64)),
                  init("c", np.zeros(4, np.float32))], check=False)


@model
def reshape_overflow():
    # Reshape target dims whose product overflows int64.
    # The shape goes through Max, which ONNX's data propagation does not
    # follow, so quant's own check is the one that fires.
    return build([helper.make_node("Max", ["s", "s"], ["t"]),
                  helper.make_node("Reshape", ["c", "t"], ["y"], name="reshape")],
                 [], [vi("y", None)],
                 [init("s", np.array([2**62, 4, -1], np.int64)),
                  init("c", np.zeros(4, np.float32))], check=False)


@model
def huge_input():
    # 2^62 x 4 float32: the element count fits int64, the bytes (2^66) wrap.
    return build([helper.make_node("Relu", ["x"], ["y"])],
                 [vi("x", [1 << 62, 4])], [vi("y", [1 << 62, 4])])


@model
def huge_input_bytes():
    # 2^61 x 2 float32: 2^62 elements, 2^64 bytes (a size_t of 0).
    return build([helper.make_node("Relu", ["x"], ["y"])],
                 [vi("x", [1 << 61, 2])], [vi("y", [1 << 61, 2])])


def _expand_to_huge(tail):
    return [helper.make_node("Expand", ["x", "s"], ["e"], name="expand")] + tail


@model
def huge_node_output():
    # A node whose inferred output is 2^62 x 4 floats, reduced to a scalar.
    return build(_expand_to_huge([helper.make_node(
                     "ReduceSum", ["e"], ["y"], keepdims=0, name="sum")]),
                 [vi("x", [4])], [vi("y", [])],
                 [init("s", np.array([1 << 62, 4], np.int64))])


@model
def long_expanded_axis():
    # 2^36 floats fit the byte cap, but the axis's index vector is over the
    # importer's expand limit (2^24).
    return build([helper.make_node("Expand", ["x", "s"], ["e"], name="expand"),
                  helper.make_node("ReduceSum", ["e"], ["y"], keepdims=0)],
                 [vi("x", [1])], [vi("y", [])],
                 [init("s", np.array([1 << 36], np.int64))])


@model
def huge_graph_output():
    return build(_expand_to_huge([]), [vi("x", [4])], [vi("e", [1 << 62, 4])],
                 [init("s", np.array([1 << 62, 4], np.int64))])


@model
def cast_nan_to_int():
    # Cast of constant NaN, +-1e30 and -2.7 to int64 at import time.
    return build([helper.make_node("Cast", ["c"], ["y"], to=I64)],
                 [], [vi("y", [4], I64)],
                 [init("c", np.array([np.nan, 1e30, -1e30, -2.7], np.float32))])


@model
def unsqueeze_repeated_axes():
    return build([helper.make_node("Unsqueeze", ["x", "a"], ["y"], name="unsq")],
                 [vi("x", [3])], [vi("y", None)],
                 [init("a", np.array([0, 0], np.int64))], check=False)


@model
def pool_short_strides():
    # SAME_UPPER pads are computed from strides, which must have one entry
    # per spatial dim.
    return build([helper.make_node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[2, 2],
                                   strides=[2], auto_pad="SAME_UPPER")],
                 [vi("x", [1, 1, 4, 4])], [vi("y", None)], check=False)


@model
def negative_dim():
    t = _raw_float_tensor("w", [-4], 16)
    return build([helper.make_node("Add", ["x", "w"], ["y"])],
                 [vi("x", [4])], [vi("y", [4])], [t], check=False)


@model
def convtranspose_scalar_weight():
    # Schema-valid but shape-inconsistent: libonnx's shape inference
    # dereferences the weight's missing dims.
    return build([helper.make_node("ConvTranspose", ["x", "w"], ["y"])],
                 [vi("x", [1, 1, 3, 3]), vi("w", [])], [vi("y", None)], check=False)


# --- external data ------------------------------------------------------------

def _external(location, offset=0, length=None, nbytes=None):
    t = TensorProto()
    t.name = "w"
    t.data_type = F
    t.dims.extend([4])
    t.data_location = TensorProto.EXTERNAL
    entries = [("location", location), ("offset", str(offset))]
    if length is not None:
        entries.append(("length", str(length)))
    for k, v in entries:
        e = t.external_data.add()
        e.key, e.value = k, v
    return build([helper.make_node("Add", ["x", "w"], ["y"])],
                 [vi("x", [4])], [vi("y", [4])], [t], check=False)


def _write_weights(out, name="weights.bin", prefix=b""):
    with open(os.path.join(os.path.dirname(out) or ".", name), "wb") as f:
        f.write(prefix + np.array([1, 2, 3, 4], np.float32).tobytes())


@model
def external_ok(out):
    _write_weights(out, prefix=b"pad!")
    return _external("weights.bin", offset=4, length=16)


@model
def external_dotdot(out):
    return _external("../weights.bin")


@model
def external_absolute(out):
    return _external("/etc/passwd")


@model
def external_symlink(out):
    # A link inside the folder that points outside it.
    outside = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(out))), "outside.bin")
    with open(outside, "wb") as f:
        f.write(np.zeros(4, np.float32).tobytes())
    link = os.path.join(os.path.dirname(out), "link.bin")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(outside, link)
    return _external("link.bin")


@model
def external_past_end(out):
    _write_weights(out)
    return _external("weights.bin", offset=8, length=16)


# --- error paths of individual converters --------------------------------------

def _one(op_node, inputs, inits=(), opset=13, outputs=None):
    return build([op_node], inputs, outputs or [vi("y", None)], inits, opset=opset,
                 check=False)


@model
def err_constant_f64():
    return build([helper.make_node("Constant", [], ["c"], name="k",
                                   value=numpy_helper.from_array(np.ones(2, np.float64), "v")),
                  helper.make_node("Cast", ["c"], ["y"], to=F)],
                 [], [vi("y", [2])], check=False)


@model
def err_pad_runtime_value():
    return _one(helper.make_node("Pad", ["x", "p", "v"], ["y"], name="pad"),
                [vi("x", [4]), vi("v", [], F)], [init("p", np.array([1, 1], np.int64))])


@model
def err_not_runtime():
    return _one(helper.make_node("Not", ["x"], ["y"], name="not"),
                [vi("x", [2], TensorProto.BOOL)],
                outputs=[vi("y", [2], TensorProto.BOOL)])


@model
def err_cast_const_f64():
    return build([helper.make_node("Cast", ["c"], ["h"], name="todouble", to=TensorProto.DOUBLE),
                  helper.make_node("Cast", ["h"], ["y"], to=F)],
                 [], [vi("y", [2])], [init("c", np.ones(2, np.float32))], check=False)


@model
def err_cast_runtime_f64():
    return build([helper.make_node("Cast", ["x"], ["h"], name="todouble", to=TensorProto.DOUBLE),
                  helper.make_node("Cast", ["h"], ["y"], to=F)],
                 [vi("x", [2])], [vi("y", [2])], check=False)


@model
def err_resize_tf_crop():
    return _one(helper.make_node("Resize", ["x", "roi", "s"], ["y"], name="rs",
                                 coordinate_transformation_mode="tf_crop_and_resize"),
                [vi("x", [1, 1, 2, 2])],
                [init("roi", np.zeros(8, np.float32)),
                 init("s", np.array([1, 1, 2, 2], np.float32))])


@model
def err_resize_mode():
    return _one(helper.make_node("Resize", ["x", "", "s"], ["y"], name="rs", mode="area"),
                [vi("x", [1, 1, 2, 2])], [init("s", np.array([1, 1, 2, 2], np.float32))])


@model
def err_resize_nearest_mode():
    return _one(helper.make_node("Resize", ["x", "", "s"], ["y"], name="rs",
                                 nearest_mode="stochastic"),
                [vi("x", [1, 1, 2, 2])], [init("s", np.array([1, 1, 2, 2], np.float32))])


@model
def err_pad_mode():
    return _one(helper.make_node("Pad", ["x", "p"], ["y"], name="pad", mode="wrap"),
                [vi("x", [4])], [init("p", np.array([1, 1], np.int64))])


@model
def err_storage_order():
    return _one(helper.make_node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[2, 2],
                                 storage_order=1),
                [vi("x", [1, 1, 4, 4])])


@model
def err_op_too_new():
    # HardSwish arrived in opset 14.
    return _one(helper.make_node("HardSwish", ["x"], ["y"], name="hs"), [vi("x", [4])])


@model
def err_no_default_opset():
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [vi("x", [2])],
                          [vi("y", [2])])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("com.example", 1)])


@model
def err_dangling_output():
    return build([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [2])],
                 [vi("y", [2]), vi("nowhere", [2])], check=False)


@model
def err_reshape_runtime_shape():
    return _one(helper.make_node("Reshape", ["x", "s"], ["y"], name="rs"),
                [vi("x", [2, 3]), vi("s", [2], I64)])


@model
def err_reshape_runtime_shape_inner():
    # The unknown shape reaches a node, not just a graph output.
    return build([helper.make_node("Reshape", ["x", "s"], ["r"], name="rs"),
                  helper.make_node("Relu", ["r"], ["y"])],
                 [vi("x", [2, 3]), vi("s", [2], I64)], [vi("y", [6])], check=False)


@model
def err_sparse_constant():
    sp = helper.make_sparse_tensor(helper.make_tensor("v", F, [1], [1.0]),
                                   helper.make_tensor("i", I64, [1], [0]), [4])
    return build([helper.make_node("Constant", [], ["y"], name="k", sparse_value=sp)],
                 [], [vi("y", [4])], check=False)


@model
def err_if_condition_shape():
    then_g, else_g = _branches()
    return build([helper.make_node("If", ["c"], ["y"], name="branch",
                                   then_branch=then_g, else_branch=else_g)],
                 [vi("x", [2])], [vi("y", [2])],
                 [init("c", np.array([True, False]))], check=False)


@model
def err_subgraph_depth():
    # Ten Ifs nested in each other's then-branch.
    inner = helper.make_graph([helper.make_node("Relu", ["x"], ["t9"])], "b9", [],
                              [vi("t9", [2])])
    for d in range(8, -1, -1):
        other = helper.make_graph([helper.make_node("Identity", ["x"], ["e%d" % d])],
                                  "e%d" % d, [], [vi("e%d" % d, [2])])
        inner = helper.make_graph([helper.make_node("If", ["c"], ["t%d" % d],
                                                    then_branch=inner, else_branch=other)],
                                  "b%d" % d, [], [vi("t%d" % d, [2])])
    return build([helper.make_node("If", ["c"], ["y"], name="outer", then_branch=inner,
                                   else_branch=helper.make_graph(
                                       [helper.make_node("Identity", ["x"], ["z"])], "z", [],
                                       [vi("z", [2])]))],
                 [vi("x", [2]), vi("c", [], TensorProto.BOOL)], [vi("y", [2])], check=False)


@model
def err_reshape_two_minus_one():
    return build([helper.make_node("Max", ["s", "s"], ["t"]),
                  helper.make_node("Reshape", ["c", "t"], ["y"], name="rs")],
                 [], [vi("y", None)],
                 [init("s", np.array([-1, -1], np.int64)), init("c", np.zeros(4, np.float32))],
                 check=False)


@model
def err_reshape_bad_minus_one():
    return build([helper.make_node("Max", ["s", "s"], ["t"]),
                  helper.make_node("Reshape", ["c", "t"], ["y"], name="rs")],
                 [], [vi("y", None)],
                 [init("s", np.array([3, -1], np.int64)), init("c", np.zeros(4, np.float32))],
                 check=False)


@model
def constant_of_shape_int32():
    return _one(helper.make_node("ConstantOfShape", ["s"], ["y"], name="cos",
                                 value=helper.make_tensor("v", TensorProto.INT32, [1], [3])),
                [], [init("s", np.array([2], np.int64))],
                outputs=[vi("y", [2], TensorProto.INT32)])


@model
def err_constant_of_shape_int8():
    return _one(helper.make_node("ConstantOfShape", ["s"], ["y"], name="cos",
                                 value=helper.make_tensor("v", TensorProto.INT8, [1], [3])),
                [], [init("s", np.array([2], np.int64))],
                outputs=[vi("y", [2], TensorProto.INT8)])


@model
def err_auto_pad():
    return _one(helper.make_node("Conv", ["x", "w"], ["y"], name="conv", auto_pad="SAME"),
                [vi("x", [1, 1, 4, 4])], [init("w", np.ones((1, 1, 3, 3), np.float32))])


@model
def err_slice_step_zero():
    return _one(helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"], name="sl"),
                [vi("x", [4])],
                [init("st", np.array([0], np.int64)), init("en", np.array([4], np.int64)),
                 init("ax", np.array([0], np.int64)), init("sp", np.array([0], np.int64))])


@model
def err_split_uneven():
    return build([helper.make_node("Split", ["x"], ["a", "b"], name="sp", axis=0)],
                 [vi("x", [5])], [vi("a", None), vi("b", None)], check=False)


@model
def err_squeeze_non_one():
    return build([helper.make_node("Max", ["c", "c"], ["m"]),
                  helper.make_node("Squeeze", ["m", "a"], ["y"], name="sq")],
                 [], [vi("y", None)],
                 [init("c", np.zeros((2, 1), np.float32)), init("a", np.array([0], np.int64))],
                 check=False)


@model
def err_pool_rank2():
    return _one(helper.make_node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[2]),
                [vi("x", [4, 4])])


@model
def err_conv_rank2():
    return _one(helper.make_node("Conv", ["x", "w"], ["y"], name="conv"),
                [vi("x", [4, 4])], [init("w", np.ones((4, 4), np.float32))])


@model
def err_slice_runtime_starts():
    return _one(helper.make_node("Slice", ["x", "st", "en"], ["y"], name="sl"),
                [vi("x", [4]), vi("st", [1], I64)], [init("en", np.array([4], np.int64))],
                outputs=[vi("y", [2])])


@model
def err_uint8_reduce_max():
    # Reductions compute on floats only (uint8 included).
    return _one(helper.make_node("ReduceMax", ["x"], ["y"], name="rmax", keepdims=0),
                [vi("x", [4], TensorProto.UINT8)],
                outputs=[vi("y", [], TensorProto.UINT8)], opset=13)


@model
def uint8_clip_topk():
    return build([helper.make_node("Clip", ["x", "lo", "hi"], ["c"], name="clip"),
                  helper.make_node("TopK", ["c", "k"], ["v", "i"], name="topk")],
                 [vi("x", [6], TensorProto.UINT8)],
                 [vi("v", [2], TensorProto.UINT8), vi("i", [2], TensorProto.INT64)],
                 [init("lo", np.array(3, np.uint8)), init("hi", np.array(200, np.uint8)),
                  init("k", np.array([2], np.int64))])


@model
def err_topk_runtime_k():
    return build([helper.make_node("TopK", ["x", "k"], ["v", "i"], name="topk")],
                 [vi("x", [2, 5]), vi("k", [1], I64)],
                 [vi("v", [2, 3]), vi("i", [2, 3], I64)], opset=11)


@model
def err_resize_runtime_scales():
    return _one(helper.make_node("Resize", ["x", "", "s"], ["y"], name="rs"),
                [vi("x", [1, 1, 2, 2]), vi("s", [4])], outputs=[vi("y", [1, 1, 4, 4])])


@model
def err_bn_training_outputs():
    return build([helper.make_node("BatchNormalization", ["x", "p", "p", "p", "p"],
                                   ["y", "m", "v"], name="bn", training_mode=1)],
                 [vi("x", [1, 2, 2])], [vi("y", None), vi("m", None)],
                 [init("p", np.ones(2, np.float32))], opset=15, check=False)


@model
def err_dropout_mask_used():
    # Dropout's mask output is not computed at inference; using it is an error.
    return build([helper.make_node("Dropout", ["x"], ["y", "mask"], name="drop"),
                  helper.make_node("Cast", ["mask"], ["z"], to=F)],
                 [vi("x", [4])], [vi("y", [4]), vi("z", [4])], check=False)


@model
def err_dropout_training():
    # training_mode = true with a run-time ratio would sample a mask.
    return build([helper.make_node("Dropout", ["x", "r", "t"], ["y"], name="drop")],
                 [vi("x", [4]), vi("r", [], F)], [vi("y", [4])],
                 [init("t", np.array(True))], opset=13, check=False)


@model
def dropout_training_zero_ratio():
    # training_mode = true with a constant zero ratio is the identity.
    return build([helper.make_node("Dropout", ["x", "r", "t"], ["y"], name="drop")],
                 [vi("x", [4])], [vi("y", [4])],
                 [init("r", np.array(0.0, np.float32)), init("t", np.array(True))],
                 opset=13)


@model
def err_maxpool_indices():
    return build([helper.make_node("MaxPool", ["x"], ["y", "i"], name="pool",
                                   kernel_shape=[2, 2])],
                 [vi("x", [1, 1, 4, 4])], [vi("y", None), vi("i", None, I64)], check=False)


@model
def err_convt_negative_padding():
    return _one(helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up",
                                 output_shape=[9, 9]),
                [vi("x", [1, 1, 2, 2])], [init("w", np.ones((1, 1, 3, 3), np.float32))],
                outputs=[vi("y", None)])


@model
def err_constant_external():
    t = numpy_helper.from_array(np.ones(2, np.float32), "v")
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", "c.bin"
    return build([helper.make_node("Constant", [], ["y"], name="k", value=t)],
                 [], [vi("y", [2])], check=False)


def _external_entries(entries):
    t = TensorProto()
    t.name = "w"
    t.data_type = F
    t.dims.extend([4])
    t.data_location = TensorProto.EXTERNAL
    for k, v in entries:
        e = t.external_data.add()
        e.key, e.value = k, v
    return build([helper.make_node("Add", ["x", "w"], ["y"])],
                 [vi("x", [4])], [vi("y", [4])], [t], check=False)


@model
def external_no_location(out):
    return _external_entries([("offset", "0")])


@model
def external_missing_file(out):
    return _external_entries([("location", "absent.bin")])


@model
def external_offset_past_end(out):
    _write_weights(out)
    return _external_entries([("location", "weights.bin"), ("offset", "100")])


@model
def external_directory(out):
    os.makedirs(os.path.join(os.path.dirname(out), "weights.dir"), exist_ok=True)
    return _external_entries([("location", "weights.dir")])


# --- float16 (computed in float32) ------------------------------------------

@model
def fp16_casts():
    """float16 in and out, a float16 initializer (0.1 is 0.0999755859375 in
    float16), a Constant node and Casts both ways: 1/3 cast to float16 at
    import time is 0.333251953125."""
    third = init("third", np.array([1.0 / 3.0, 70000.0], np.float32))
    return build([helper.make_node("Cast", ["third"], ["third_h"], name="tohalf",
                                   to=TensorProto.FLOAT16),
                  helper.make_node("Constant", [], ["k"], name="k",
                                   value=numpy_helper.from_array(np.array([2, -2], np.float16), "v")),
                  helper.make_node("Add", ["x", "w"], ["a"], name="add"),
                  helper.make_node("Mul", ["a", "k"], ["m"], name="mul"),
                  helper.make_node("Add", ["m", "third_h"], ["y"], name="add2")],
                 [vi("x", [2], TensorProto.FLOAT16)], [vi("y", [2], TensorProto.FLOAT16)],
                 [init("w", np.array([0.1, -0.1], np.float16)), third])


# --- QDQ (explicit quantization) ------------------------------------------

def _qdq(x, scale, zp, name, zp_dtype=np.uint8, axis=None):
    """QuantizeLinear + DequantizeLinear nodes and their initializers."""
    inits = [init(name + "_s", np.array(scale, np.float32))]
    ins = [x, name + "_s"]
    if zp is not None:
        inits.append(init(name + "_z", np.array(zp, zp_dtype)))
        ins.append(name + "_z")
    extra = {} if axis is None else {"axis": axis}
    nodes = [helper.make_node("QuantizeLinear", ins, [name + "_q"], name=name + "_quant", **extra),
             helper.make_node("DequantizeLinear", [name + "_q"] + ins[1:], [name + "_dq"],
                              name=name + "_dequant", **extra)]
    return nodes, inits


@model
def qdq_conv():
    """uint8 activations (one QuantizeLinear without a zero point: uint8,
    zero point 0), a per-channel int8 weight and an int32 bias."""
    nodes, inits = _qdq("x", 0.5, None, "xq")
    nodes += [helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wd"], name="w_dequant", axis=0),
              helper.make_node("DequantizeLinear", ["b", "bs"], ["bd"], name="b_dequant", axis=0),
              helper.make_node("Conv", ["xq_dq", "wd", "bd"], ["c"], name="conv")]
    more, inits2 = _qdq("c", 0.25, 3, "cq", np.int8)
    nodes += more
    inits += inits2 + [init("w", np.array([[[[1]]], [[[-128]]]], np.int8)),
                       init("ws", np.array([0.5, 0.25], np.float32)),
                       init("wz", np.zeros(2, np.int8)),
                       init("b", np.array([7, -9], np.int32)),
                       init("bs", np.array([0.25, 0.125], np.float32))]
    return build(nodes, [vi("x", [1, 1, 2, 2])], [vi("cq_dq", [1, 2, 2, 2])], inits)


@model
def qdq_torch_style():
    """PyTorch's exporter's QDQ forms: a Cast of the quantized tensor to its
    own uint8 type between QuantizeLinear and DequantizeLinear, and an int32
    zero point made by ConstantOfShape."""
    return build([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], name="q"),
                  helper.make_node("Cast", ["q"], ["qc"], name="cast", to=TensorProto.UINT8),
                  helper.make_node("DequantizeLinear", ["qc", "s", "z"], ["y"], name="dq"),
                  helper.make_node("ConstantOfShape", ["n"], ["bz"], name="zeros",
                                   value=numpy_helper.from_array(np.array([0], np.int32), "v")),
                  helper.make_node("DequantizeLinear", ["b", "bs", "bz"], ["bd"], name="bdq",
                                   axis=0),
                  helper.make_node("Add", ["y", "bd"], ["out"], name="add")],
                 [vi("x", [2])], [vi("out", [2])],
                 [init("s", np.array(0.5, np.float32)), init("z", np.array(3, np.uint8)),
                  init("n", np.array([2], np.int64)), init("b", np.array([4, -4], np.int32)),
                  init("bs", np.array([0.25, 0.25], np.float32))])


def _qlinearconv(x_scale, bias=None, bias_runtime=False, y_scale=0.5):
    """Q(x) -> QLinearConv (2 output channels, per-channel weight) -> DQ;
    x has one channel per x_scale element (1 for a scalar)."""
    c = len(x_scale) if np.ndim(x_scale) else 1
    inits = [init("xs", np.array(x_scale, np.float32)),
             init("xz", np.zeros(np.shape(x_scale), np.uint8)),
             init("w", np.ones((2, c, 1, 1), np.int8)), init("ws", np.ones(2, np.float32)),
             init("wz", np.zeros(2, np.int8)), init("ys", np.array(y_scale, np.float32)),
             init("yz", np.zeros(np.shape(y_scale), np.uint8))]
    ins = ["xq", "xs", "xz", "w", "ws", "wz", "ys", "yz"]
    inputs = [vi("x", [1, c, 2, 2])]
    if bias is not None:
        ins.append("b")
        if bias_runtime:
            inputs.append(vi("b", list(np.shape(bias)), TensorProto.INT32))
        else:
            inits.append(init("b", np.array(bias, np.int32)))
    axis = {"axis": 1} if c > 1 else {}
    nodes = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="q", **axis),
             helper.make_node("QLinearConv", ins, ["yq"], name="qconv"),
             helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"], name="dq",
                              **({"axis": 1} if np.ndim(y_scale) else {}))]
    return build(nodes, inputs, [vi("y", [1, 2, 2, 2])], inits, check=False)


@model
def err_qlinearconv_x_per_axis():
    return _qlinearconv([0.5, 0.25], bias=[1, 2])


@model
def qlinearconv_runtime_bias():
    return _qlinearconv(0.5, bias=[1, 2], bias_runtime=True)


@model
def err_qlinearconv_bias_count():
    return _qlinearconv(0.5, bias=[1, 2, 3])


@model
def err_qlinearconv_output_per_axis():
    return _qlinearconv(0.5, y_scale=[0.5, 0.25])


@model
def err_qdq_empty_scale():
    return build([helper.make_node("DequantizeLinear", ["w", "s", "z"], ["y"], name="dq",
                                   axis=0)],
                 [], [vi("y", [0, 2])],
                 [init("w", np.ones((0, 2), np.int8)), init("s", np.ones(0, np.float32)),
                  init("z", np.zeros(0, np.int8))], check=False)


@model
def qdq_runtime_zero_point():
    return build([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="q")],
                 [vi("x", [2]), vi("z", [], TensorProto.UINT8)],
                 [vi("y", [2], TensorProto.UINT8)], [init("s", np.array(0.5, np.float32))],
                 check=False)


@model
def err_qdq_zero_point_count():
    return build([helper.make_node("DequantizeLinear", ["w", "s", "z"], ["y"], name="dq",
                                   axis=0)],
                 [], [vi("y", [2, 2])],
                 [init("w", np.ones((2, 2), np.int8)), init("s", np.ones(2, np.float32)),
                  init("z", np.zeros(3, np.int8))], check=False)


@model
def err_qdq_scale_2d():
    return build([helper.make_node("DequantizeLinear", ["w", "s"], ["y"], name="dq")],
                 [], [vi("y", [2, 2])],
                 [init("w", np.ones((2, 2), np.int8)), init("s", np.ones((2, 2), np.float32))],
                 check=False)


@model
def err_quantize_int32():
    return build([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="q")],
                 [vi("x", [2], TensorProto.INT32)], [vi("y", [2], TensorProto.INT8)],
                 [init("s", np.array(0.5, np.float32)), init("z", np.array(0, np.int8))],
                 check=False)


@model
def err_cast_quantized():
    return build([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], name="q"),
                  helper.make_node("Cast", ["q"], ["y"], name="cast", to=TensorProto.FLOAT)],
                 [vi("x", [2])], [vi("y", [2])],
                 [init("s", np.array(0.5, np.float32)), init("z", np.array(3, np.uint8))])


@model
def qdq_runtime_scale():
    return build([helper.make_node("QuantizeLinear", ["x", "s"], ["y"], name="q")],
                 [vi("x", [2]), vi("s", [])], [vi("y", [2], TensorProto.UINT8)], check=False)


@model
def err_qdq_mismatch():
    nodes, inits = _qdq("x", 0.5, 0, "a", np.int8)
    nodes[1] = helper.make_node("DequantizeLinear", ["a_q", "other_s", "a_z"], ["a_dq"], name="dq")
    inits.append(init("other_s", np.array(0.25, np.float32)))
    return build(nodes, [vi("x", [2])], [vi("a_dq", [2])], inits, check=False)


@model
def err_qdq_float_initializer():
    return build([helper.make_node("DequantizeLinear", ["w", "s"], ["y"], name="dq")],
                 [], [vi("y", [2])],
                 [init("w", np.ones(2, np.float32)), init("s", np.array(0.5, np.float32))],
                 check=False)


@model
def err_qdq_axis():
    return build([helper.make_node("DequantizeLinear", ["w", "s", "z"], ["y"], name="dq", axis=1)],
                 [], [vi("y", [2, 3])],
                 [init("w", np.ones((2, 3), np.int8)), init("s", np.ones(2, np.float32)),
                  init("z", np.zeros(2, np.int8))], check=False)


@model
def err_qdq_zero_scale():
    nodes, inits = _qdq("x", 0.0, 0, "a", np.int8)
    return build(nodes, [vi("x", [2])], [vi("a_dq", [2])], inits, check=False)


@model
def qdq_graph_output():
    return build([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="q")],
                 [vi("x", [4])], [vi("y", [4], TensorProto.UINT8)],
                 [init("s", np.array(0.5, np.float32)), init("z", np.array(9, np.uint8))])


@model
def qdq_graph_input():
    return build([helper.make_node("DequantizeLinear", ["x", "s"], ["y"], name="dq")],
                 [vi("x", [2], TensorProto.UINT8)], [vi("y", [2])],
                 [init("s", np.array(0.5, np.float32))], check=False)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in MODELS:
        sys.exit("usage: onnx_models.py {%s} OUT.onnx" % "|".join(sorted(MODELS)))
    name, out = sys.argv[1], sys.argv[2]
    fn = MODELS[name]
    m = fn(out) if fn.__code__.co_argcount else fn()
    onnx.save(m, out)


# --- integer linear ops (ONNX Runtime's quantize_dynamic form) -----------

@model
def matmul_integer():
    return build([helper.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["y"], name="mmi")],
                 [vi("a", [2, 3], TensorProto.UINT8)], [vi("y", [2, 4], TensorProto.INT32)],
                 [init("b", np.arange(-6, 6, dtype=np.int8).reshape(3, 4)),
                  init("az", np.array(128, np.uint8)),
                  init("bz", np.array([0, 1, -1, 2], np.int8))])


@model
def conv_integer():
    return build([helper.make_node("ConvInteger", ["x", "w", "xz", "wz"], ["y"], name="convi",
                                   pads=[1, 1, 1, 1])],
                 [vi("x", [1, 1, 3, 3], TensorProto.UINT8)],
                 [vi("y", [1, 2, 4, 4], TensorProto.INT32)],
                 [init("w", np.ones((2, 1, 2, 2), np.uint8)), init("xz", np.array(7, np.uint8)),
                  init("wz", np.array([1, 2], np.uint8))])


@model
def dynamic_quantize_linear():
    return build([helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"], name="dql")],
                 [vi("x", [2, 3])],
                 [vi("y", [2, 3], TensorProto.UINT8), vi("s", []), vi("z", [], TensorProto.UINT8)],
                 opset=11)


@model
def err_dq_runtime_grid_shape():
    return build([helper.make_node("DequantizeLinear", ["x", "s"], ["y"], name="dq")],
                 [vi("x", [2, 2], TensorProto.INT8), vi("s", [3])], [vi("y", [2, 2])],
                 check=False)


@model
def err_conv_integer_zero_point_vector():
    return build([helper.make_node("ConvInteger", ["x", "w", "xz"], ["y"], name="convi")],
                 [vi("x", [1, 2, 3, 3], TensorProto.UINT8)],
                 [vi("y", [1, 1, 3, 3], TensorProto.INT32)],
                 [init("w", np.ones((1, 2, 1, 1), np.uint8)),
                  init("xz", np.array([1, 2], np.uint8))], check=False)



# --- ONNX Runtime's com.microsoft ops ----------------------------------------

def _contrib(nodes, inputs, outputs, inits=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                helper.make_opsetid("com.microsoft", 1)],
                          producer_name="quant-tests")
    m.ir_version = 7
    return m


def _matmul_nbits(**attrs):
    # N = 2, K = 4, one block of 4: row 0 holds 0..3, row 1 holds 15..12
    # (low nibble first); zero points 8 (default) and scales 0.5, 0.25.
    b = attrs.pop("b", np.array([[[0x10, 0x32]], [[0xEF, 0xCD]]], np.uint8))
    extra = attrs.pop("inputs", [])
    inits = [init("b", b), init("s", np.array([0.5, 0.25], np.float32))]
    inits += attrs.pop("inits", [])
    a = dict(K=4, N=2, bits=4, block_size=4)
    a.update(attrs)
    return _contrib([helper.make_node("MatMulNBits", ["a", "b", "s"] + extra, ["y"],
                                      name="mnb", domain="com.microsoft", **a)],
                    [vi("a", [3, 4])], [vi("y", [3, 2])], inits)


@model
def matmul_nbits():
    return _matmul_nbits()


@model
def err_matmul_nbits_bits():
    return _matmul_nbits(bits=3)


@model
def err_matmul_nbits_g_idx():
    return _matmul_nbits(inputs=["", "g"],
                         inits=[init("g", np.zeros(4, np.int32))])


@model
def err_matmul_nbits_huge_block():
    return _matmul_nbits(block_size=2**62)


@model
def err_matmul_nbits_short_b():
    return _matmul_nbits(b=np.zeros((2, 1, 1), np.uint8))


@model
def qlinear_add_contrib():
    inits = [init("sa", np.array(0.5, np.float32)), init("za", np.array(10, np.uint8)),
             init("sc", np.array(0.25, np.float32)), init("zc", np.array(3, np.uint8))]
    return _contrib([helper.make_node("QuantizeLinear", ["x", "sa", "za"], ["xq"], name="q"),
                     helper.make_node("QLinearAdd", ["xq", "sa", "za", "xq", "sa", "za",
                                                     "sc", "zc"], ["yq"], name="qadd",
                                      domain="com.microsoft"),
                     helper.make_node("QLinearGlobalAveragePool",
                                      ["yq", "sc", "zc", "sa", "za"], ["pq"], name="qgap",
                                      domain="com.microsoft"),
                     helper.make_node("DequantizeLinear", ["pq", "sa", "za"], ["y"],
                                      name="dq")],
                    [vi("x", [1, 2, 3, 3])], [vi("y", [1, 2, 1, 1])], inits)


@model
def err_qlinear_gap_channels_last():
    inits = [init("s", np.array(0.5, np.float32)), init("z", np.array(10, np.uint8))]
    return _contrib([helper.make_node("QLinearGlobalAveragePool", ["x", "s", "z", "s", "z"],
                                      ["y"], name="qgap", domain="com.microsoft",
                                      channels_last=1)],
                    [vi("x", [1, 3, 3, 2], TensorProto.UINT8)],
                    [vi("y", [1, 1, 1, 2], TensorProto.UINT8)], inits)



@model
def err_matmul_nbits_scales():
    return _contrib(
        [helper.make_node("MatMulNBits", ["a", "b", "s"], ["y"], name="mnb",
                          domain="com.microsoft", K=4, N=2, bits=4, block_size=4)],
        [vi("a", [3, 4])], [vi("y", [3, 2])],
        [init("b", np.zeros((2, 1, 2), np.uint8)), init("s", np.ones(3, np.float32))])


@model
def err_matmul_nbits_zero_points():
    return _matmul_nbits(inputs=["z"], inits=[init("z", np.zeros(5, np.uint8))])


@model
def err_matmul_nbits_k():
    return _matmul_nbits(K=8, block_size=8, b=np.zeros((2, 1, 4), np.uint8))


@model
def err_matmul_nbits_bias():
    return _matmul_nbits(inputs=["", "", "bias"],
                         inits=[init("bias", np.zeros(3, np.float32))])


@model
def err_matmul_integer_1d():
    return build([helper.make_node("MatMulInteger", ["a", "b"], ["y"], name="mmi")],
                 [vi("a", [3], TensorProto.UINT8)], [vi("y", [2], TensorProto.INT32)],
                 [init("b", np.ones((3, 2), np.uint8))])


@model
def err_qlinearconv_runtime_bias_2d():
    return _qlinearconv(0.5, bias=[[1, 2]], bias_runtime=True)


if __name__ == "__main__":
    main()
