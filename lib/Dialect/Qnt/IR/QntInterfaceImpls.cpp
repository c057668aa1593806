//===- QntInterfaceImpls.cpp - qnt ops' answers to QntInterfaces.td -------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The interface methods whose answer needs code, one section per
// interface, in the order of QntInterfaces.td. Answers that are a constant
// (an ONNX op type, a trait) live on the op in QntOps.td instead.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntOps.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qnt;

//===----------------------------------------------------------------------===//
// LinearLayerOpInterface
//===----------------------------------------------------------------------===//

std::optional<LinearLayer> ConvOp::getLinearLayer() {
  // An int32 conv (ConvInteger) is integer arithmetic, not a layer.
  if (getType().getElementType().isInteger())
    return std::nullopt;
  LinearLayer layer;
  layer.outAxis = 0;
  layer.inAxis = 1;
  layer.groups = getGroup();
  if (getBias())
    layer.biasIndex = 2;
  int64_t inChannels = getInput().getType().getDimSize(1);
  int64_t group = static_cast<int64_t>(getGroup());
  layer.depthwise = getInput().getType().getRank() == 4 && group > 1 &&
                    group == inChannels &&
                    getWeight().getType().getDimSize(0) == inChannels;
  layer.quantizable =
      (getGroup() == 1 && getInput().getType().getRank() == 4) ||
      layer.depthwise;
  return layer;
}

std::optional<LinearLayer> GemmOp::getLinearLayer() {
  // alpha scales the product and beta the bias: the plain form has neither
  // (beta does nothing without a bias).
  bool betaIsOne = getBeta().convertToDouble() == 1.0;
  if (getTransA() || getAlpha().convertToDouble() != 1.0 ||
      (getC() && !betaIsOne))
    return std::nullopt;
  LinearLayer layer;
  // op(B) is K x N: B is N x K with trans_b, else K x N.
  layer.outAxis = getTransB() ? 0 : 1;
  layer.inAxis = 1 - layer.outAxis;
  if (getC())
    layer.biasIndex = 2;
  layer.quantizable = betaIsOne;
  return layer;
}

std::optional<LinearLayer> MatMulOp::getLinearLayer() {
  // A weight is a K x N matrix; batched or vector right-hand sides are not
  // layers.
  if (getRhs().getType().getRank() != 2 ||
      getType().getElementType().isInteger())
    return std::nullopt;
  LinearLayer layer;
  layer.outAxis = 1;
  layer.inAxis = 0;
  layer.resultChannelAxis = getType().getRank() - 1;
  layer.quantizable = getLhs().getType().getRank() == 2;
  return layer;
}

//===----------------------------------------------------------------------===//
// RangeTransferOpInterface
//===----------------------------------------------------------------------===//

/// `f` (non-decreasing, defined on the extended reals) over `x`.
template <typename Fn>
static RealInterval monotone(const RealInterval &x, Fn f) {
  if (x.isEmpty())
    return x;
  return RealInterval::get(f(x.lo), f(x.hi));
}

static constexpr double kInf = std::numeric_limits<double>::infinity();

RealInterval ConstantOp::inferResultRange(ArrayRef<RealInterval>) {
  std::optional<SmallVector<float>> values = getConstantF32Values(getResult());
  if (!values || values->empty())
    return RealInterval::full();
  auto [lo, hi] = std::minmax_element(values->begin(), values->end());
  return RealInterval::get(*lo, *hi);
}

RealInterval ReluOp::inferResultRange(ArrayRef<RealInterval> operands) {
  return monotone(operands[0], [](double x) { return std::max(x, 0.0); });
}

RealInterval LeakyReluOp::inferResultRange(ArrayRef<RealInterval> operands) {
  double alpha = getAlpha().convertToDouble();
  if (alpha < 0)
    return RealInterval::full(); // not monotone
  return monotone(operands[0], [alpha](double x) {
    // alpha * -inf is NaN for alpha = 0.
    return x >= 0 ? x : (alpha == 0 ? 0.0 : alpha * x);
  });
}

RealInterval ClampOp::inferResultRange(ArrayRef<RealInterval> operands) {
  double lo = getMin() ? getMin()->convertToDouble() : -kInf;
  double hi = getMax() ? getMax()->convertToDouble() : kInf;
  return monotone(operands[0],
                  [lo, hi](double x) { return std::clamp(x, lo, hi); });
}

RealInterval SigmoidOp::inferResultRange(ArrayRef<RealInterval> operands) {
  return monotone(operands[0], [](double x) { return 1 / (1 + std::exp(-x)); });
}

RealInterval SoftplusOp::inferResultRange(ArrayRef<RealInterval> operands) {
  return monotone(operands[0], [](double x) {
    return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x)));
  });
}

RealInterval TanhOp::inferResultRange(ArrayRef<RealInterval> operands) {
  return monotone(operands[0], [](double x) { return std::tanh(x); });
}

RealInterval HardSigmoidOp::inferResultRange(ArrayRef<RealInterval> operands) {
  double alpha = getAlpha().convertToDouble();
  double beta = getBeta().convertToDouble();
  if (alpha < 0)
    return RealInterval::full(); // not monotone
  return monotone(operands[0], [alpha, beta](double x) {
    double y = alpha == 0 ? beta : alpha * x + beta;
    return std::clamp(y, 0.0, 1.0);
  });
}

RealInterval ExpOp::inferResultRange(ArrayRef<RealInterval> operands) {
  return monotone(operands[0], [](double x) { return std::exp(x); });
}

RealInterval ErfOp::inferResultRange(ArrayRef<RealInterval> operands) {
  return monotone(operands[0], [](double x) { return std::erf(x); });
}

RealInterval SoftmaxOp::inferResultRange(ArrayRef<RealInterval> operands) {
  return operands[0].isEmpty() ? operands[0] : RealInterval::get(0, 1);
}

RealInterval AveragePoolOp::inferResultRange(ArrayRef<RealInterval> operands) {
  // Padded positions that count in the divisor average in zeros.
  bool padded = llvm::any_of(getPads(), [](int64_t p) { return p != 0; });
  if (getCountIncludePad() && padded)
    return operands[0].hull(RealInterval::point(0));
  return operands[0];
}

RealInterval PadOp::inferResultRange(ArrayRef<RealInterval> operands) {
  if (getMode() != PadMode::constant)
    return operands[0];
  return operands[0].hull(RealInterval::point(getValue().convertToDouble()));
}

RealInterval ResizeOp::inferResultRange(ArrayRef<RealInterval> operands) {
  // Cubic interpolation overshoots; the other modes interpolate convexly.
  if (getMode() == ResizeMode::cubic)
    return RealInterval::full();
  return operands[0];
}

SmallVector<Value> ResizeOp::getRangeSharingOperands() {
  if (getMode() == ResizeMode::cubic)
    return {};
  return {getInput()};
}

RealInterval ConcatOp::inferResultRange(ArrayRef<RealInterval> operands) {
  RealInterval hull = RealInterval::empty();
  for (const RealInterval &operand : operands)
    hull = hull.hull(operand);
  return hull;
}

SmallVector<Value> ConcatOp::getRangeSharingOperands() {
  return SmallVector<Value>(getInputs());
}

//===----------------------------------------------------------------------===//
// ElementwiseOpInterface (bodies that are not one expression; the others
// are written on the op in QntOps.td)
//===----------------------------------------------------------------------===//

static arith::CmpFPredicate toCmpFPredicate(ComparePredicate predicate) {
  switch (predicate) {
  case ComparePredicate::eq:
    return arith::CmpFPredicate::OEQ;
  case ComparePredicate::gt:
    return arith::CmpFPredicate::OGT;
  case ComparePredicate::ge:
    return arith::CmpFPredicate::OGE;
  case ComparePredicate::lt:
    return arith::CmpFPredicate::OLT;
  case ComparePredicate::le:
    return arith::CmpFPredicate::OLE;
  }
  llvm_unreachable("all predicates handled");
}

Value CompareOp::buildScalar(const ScalarBuilder &s, ValueRange args) {
  return s.cmp(toCmpFPredicate(getPredicate()), args[0], args[1]);
}

//===----------------------------------------------------------------------===//
// OnnxExportOpInterface (ops whose ONNX form is not one node with their own
// attributes)
//===----------------------------------------------------------------------===//

LogicalResult GemmOp::exportToOnnx(OnnxNodeWriter &writer,
                                   ArrayRef<std::string> inputs,
                                   ArrayRef<std::string> outputs) {
  // ONNX spells the transposes transA / transB.
  writer.addNode(*this, getOnnxOpType(), inputs, outputs,
                 {{"alpha", getAlpha().convertToFloat()},
                  {"beta", getBeta().convertToFloat()},
                  {"transA", int64_t(getTransA())},
                  {"transB", int64_t(getTransB())}});
  return success();
}

/// Writes the run-time quantization of the f32 tensor `x` (rank `rank`)
/// as `scaling` says, per token meaning one scale per index of every axis
/// but `axis`, and returns the name of its dequantized value: ONNX
/// DynamicQuantizeLinear for per-tensor minmax (its uint8 grid is quant's
/// int8 grid shifted by 128), else the formula in ONNX ops.
static std::string exportDynamicQuantization(OnnxNodeWriter &writer,
                                             Operation *op,
                                             const std::string &x,
                                             DynamicScaling scaling,
                                             int64_t axis, StringRef tag) {
  auto tmp = [&](StringRef suffix) {
    return writer.getTemporaryName(op, (tag + suffix).str());
  };
  auto scalar = [&](StringRef suffix, float v) {
    return writer.addFloatInitializer(op, suffix, {v}, /*scalar=*/true);
  };
  bool perToken = scaling == DynamicScaling::per_token_absmax ||
                  scaling == DynamicScaling::per_token_minmax;
  bool absmax = scaling == DynamicScaling::per_tensor_absmax ||
                scaling == DynamicScaling::per_token_absmax;
  std::string xf = tmp("_xdq");
  if (scaling == DynamicScaling::per_tensor_minmax) {
    std::string q = tmp("_xq"), s = tmp("_xscale"), zp = tmp("_xzp");
    writer.addNode(op, "DynamicQuantizeLinear", {x}, {q, s, zp});
    writer.addNode(op, "DequantizeLinear", {q, s, zp}, {xf});
    return xf;
  }
  SmallVector<OnnxAttribute> reduce{{"keepdims", int64_t(1)}};
  if (perToken)
    reduce.push_back({"axes", SmallVector<int64_t>{axis}});
  std::string raw = tmp("_scale_raw"), zero = tmp("_scale_is_zero"),
              scale = tmp("_scale"), div = tmp("_div"), rounded = tmp("_round");
  std::string low;
  if (absmax) {
    std::string a = tmp("_abs"), m = tmp("_absmax");
    writer.addNode(op, "Abs", {x}, {a});
    writer.addNode(op, "ReduceMax", {a}, {m}, reduce);
    writer.addNode(op, "Div", {m, scalar("_127", 127.0f)}, {raw});
  } else {
    std::string mn = tmp("_min"), mx = tmp("_max"), mn0 = tmp("_min0"),
                mx0 = tmp("_max0"), width = tmp("_width");
    writer.addNode(op, "ReduceMin", {x}, {mn}, reduce);
    writer.addNode(op, "ReduceMax", {x}, {mx}, reduce);
    writer.addNode(op, "Min", {mn, scalar("_zero", 0.0f)}, {mn0});
    writer.addNode(op, "Max", {mx, scalar("_zero", 0.0f)}, {mx0});
    writer.addNode(op, "Sub", {mx0, mn0}, {width});
    writer.addNode(op, "Div", {width, scalar("_255", 255.0f)}, {raw});
    low = mn0;
  }
  writer.addNode(op, "Equal", {raw, scalar("_zero", 0.0f)}, {zero});
  writer.addNode(op, "Where", {zero, scalar("_one", 1.0f), raw}, {scale});
  writer.addNode(op, "Div", {x, scale}, {div});
  writer.addNode(op, "Round", {div}, {rounded});
  std::string q = tmp("_q");
  if (absmax) {
    writer.addNode(op, "Clip",
                   {rounded, scalar("_qmin", -127.0f), scalar("_qmax", 127.0f)},
                   {q});
    writer.addNode(op, "Mul", {q, scale}, {xf});
    return xf;
  }
  std::string ratio = tmp("_min_over_scale"), zr = tmp("_zp_raw"),
              zrr = tmp("_zp_round"), zpv = tmp("_zp"),
              shifted = tmp("_shifted"), centered = tmp("_centered");
  writer.addNode(op, "Div", {low, scale}, {ratio});
  writer.addNode(op, "Sub", {scalar("_m128", -128.0f), ratio}, {zr});
  writer.addNode(op, "Round", {zr}, {zrr});
  writer.addNode(op, "Clip",
                 {zrr, scalar("_qmin8", -128.0f), scalar("_qmax", 127.0f)},
                 {zpv});
  writer.addNode(op, "Add", {rounded, zpv}, {shifted});
  writer.addNode(op, "Clip",
                 {shifted, scalar("_qmin8", -128.0f), scalar("_qmax", 127.0f)},
                 {q});
  writer.addNode(op, "Sub", {q, zpv}, {centered});
  writer.addNode(op, "Mul", {centered, scale}, {xf});
  return xf;
}

LogicalResult DynamicLinearOp::exportToOnnx(OnnxNodeWriter &writer,
                                            ArrayRef<std::string> inputs,
                                            ArrayRef<std::string> outputs) {
  // The input's run-time quantization, then a float MatMul with the
  // (dequantized) weight.
  Operation *op = *this;
  int64_t rank = cast<RankedTensorType>(getInput().getType()).getRank();
  std::string xf = exportDynamicQuantization(writer, op, inputs[0],
                                             getScaling(), rank - 1, "");
  std::string wt = writer.getTemporaryName(op, "_wt");
  writer.addNode(op, "Transpose", {inputs[1]}, {wt},
                 {{"perm", SmallVector<int64_t>{1, 0}}});
  if (!getBias()) {
    writer.addNode(op, "MatMul", {xf, wt}, outputs);
    return success();
  }
  std::string product = writer.getTemporaryName(op, "_matmul");
  writer.addNode(op, "MatMul", {xf, wt}, {product});
  writer.addNode(op, "Add", {product, inputs[2]}, outputs);
  return success();
}

LogicalResult DynamicMatMulOp::exportToOnnx(OnnxNodeWriter &writer,
                                            ArrayRef<std::string> inputs,
                                            ArrayRef<std::string> outputs) {
  // Both operands quantized at run time: rows of lhs, columns of rhs.
  Operation *op = *this;
  int64_t rank = cast<RankedTensorType>(getLhs().getType()).getRank();
  std::string a = exportDynamicQuantization(writer, op, inputs[0], getScaling(),
                                            rank - 1, "_lhs");
  std::string b = exportDynamicQuantization(writer, op, inputs[1], getScaling(),
                                            rank - 2, "_rhs");
  writer.addNode(op, "MatMul", {a, b}, outputs);
  return success();
}

LogicalResult CompareOp::exportToOnnx(OnnxNodeWriter &writer,
                                      ArrayRef<std::string> inputs,
                                      ArrayRef<std::string> outputs) {
  StringRef opType;
  switch (getPredicate()) {
  case ComparePredicate::eq:
    opType = "Equal";
    break;
  case ComparePredicate::gt:
    opType = "Greater";
    break;
  case ComparePredicate::ge:
    opType = "GreaterOrEqual";
    break;
  case ComparePredicate::lt:
    opType = "Less";
    break;
  case ComparePredicate::le:
    opType = "LessOrEqual";
    break;
  }
  writer.addNode(*this, opType, inputs, outputs);
  return success();
}

LogicalResult ClampOp::exportToOnnx(OnnxNodeWriter &writer,
                                    ArrayRef<std::string> inputs,
                                    ArrayRef<std::string> outputs) {
  // Clip's bounds are optional inputs from opset 11.
  SmallVector<std::string> clipInputs{inputs[0], "", ""};
  if (std::optional<APFloat> min = getMin())
    clipInputs[1] = writer.addFloatInitializer(
        *this, "_min", {min->convertToFloat()}, /*scalar=*/true);
  if (std::optional<APFloat> max = getMax())
    clipInputs[2] = writer.addFloatInitializer(
        *this, "_max", {max->convertToFloat()}, /*scalar=*/true);
  while (clipInputs.back().empty())
    clipInputs.pop_back();
  writer.addNode(*this, getOnnxOpType(), clipInputs, outputs);
  return success();
}

LogicalResult GeluOp::exportToOnnx(OnnxNodeWriter &writer,
                                   ArrayRef<std::string> inputs,
                                   ArrayRef<std::string> outputs) {
  // Gelu is an ONNX operator from opset 20 only: written as its formula.
  Operation *op = *this;
  const std::string &x = inputs[0];
  auto tmp = [&](StringRef suffix) {
    return writer.getTemporaryName(op, suffix);
  };
  auto scalar = [&](StringRef suffix, float v) {
    return writer.addFloatInitializer(op, suffix, {v}, /*scalar=*/true);
  };
  std::string inner;
  if (getApproximate() == GeluApproximation::none) {
    // 0.5 * x * (1 + erf(x / sqrt(2)))
    std::string d = tmp("_div"), e = tmp("_erf");
    writer.addNode(op, "Div", {x, scalar("_sqrt2", std::sqrt(2.0f))}, {d});
    writer.addNode(op, "Erf", {d}, {e});
    inner = e;
  } else {
    // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
    std::string x2 = tmp("_x2"), x3 = tmp("_x3"), c = tmp("_cubic"),
                sum = tmp("_sum"), m = tmp("_scaled"), t = tmp("_tanh");
    writer.addNode(op, "Mul", {x, x}, {x2});
    writer.addNode(op, "Mul", {x2, x}, {x3});
    writer.addNode(op, "Mul", {x3, scalar("_c", 0.044715f)}, {c});
    writer.addNode(op, "Add", {x, c}, {sum});
    writer.addNode(
        op, "Mul",
        {sum, scalar("_k", static_cast<float>(std::sqrt(2.0 / M_PI)))}, {m});
    writer.addNode(op, "Tanh", {m}, {t});
    inner = t;
  }
  std::string p = tmp("_plus1"), h = tmp("_half");
  writer.addNode(op, "Add", {inner, scalar("_one", 1.0f)}, {p});
  writer.addNode(op, "Mul", {x, scalar("_half_c", 0.5f)}, {h});
  writer.addNode(op, "Mul", {h, p}, outputs);
  return success();
}

LogicalResult AveragePoolOp::exportToOnnx(OnnxNodeWriter &writer,
                                          ArrayRef<std::string> inputs,
                                          ArrayRef<std::string> outputs) {
  // AveragePool has dilations from opset 19 only.
  if (llvm::any_of(getDilations(), [](int64_t d) { return d != 1; }))
    return emitError("ONNX export: a dilated average_pool has no ONNX form "
                     "in opset ")
           << kOnnxExportOpset;
  writer.addNode(*this, getOnnxOpType(), inputs, outputs,
                 {{"kernel_shape", SmallVector<int64_t>(getKernelShape())},
                  {"strides", SmallVector<int64_t>(getStrides())},
                  {"pads", SmallVector<int64_t>(getPads())},
                  {"ceil_mode", int64_t(getCeilMode())},
                  {"count_include_pad", int64_t(getCountIncludePad())}});
  return success();
}

LogicalResult ResizeOp::exportToOnnx(OnnxNodeWriter &writer,
                                     ArrayRef<std::string> inputs,
                                     ArrayRef<std::string> outputs) {
  ArrayRef<int64_t> in = getInput().getType().getShape();
  ArrayRef<int64_t> out = getType().getShape();
  ArrayRef<float> scales = getScales();
  // ONNX's output size from scales is floor(in * scale); where that is not
  // the result (scales that came from `sizes`), give the sizes: ONNX then
  // uses out / in, which is the scale.
  bool scalesGiveShape = true;
  for (auto [i, scale] : llvm::enumerate(scales))
    if (static_cast<int64_t>(std::floor(static_cast<double>(in[i]) * scale)) !=
        out[i])
      scalesGiveShape = false;
  SmallVector<std::string> resizeInputs{inputs[0], ""};
  if (scalesGiveShape) {
    resizeInputs.push_back(
        writer.addFloatInitializer(*this, "_scales", scales));
  } else {
    resizeInputs.push_back("");
    resizeInputs.push_back(writer.addInt64Initializer(*this, "_sizes", out));
  }
  writer.addNode(
      *this, getOnnxOpType(), resizeInputs, outputs,
      {{"mode", stringifyResizeMode(getMode()).str()},
       {"coordinate_transformation_mode",
        stringifyCoordinateTransform(getCoordinateTransform()).str()},
       {"nearest_mode", stringifyNearestMode(getNearestMode()).str()},
       {"cubic_coeff_a", getCubicCoeffA().convertToFloat()},
       {"exclude_outside", int64_t(getExcludeOutside())}});
  return success();
}

LogicalResult ReshapeOp::exportToOnnx(OnnxNodeWriter &writer,
                                      ArrayRef<std::string> inputs,
                                      ArrayRef<std::string> outputs) {
  ArrayRef<int64_t> shape = getType().getShape();
  SmallVector<OnnxAttribute> attributes;
  // A 0 in `shape` copies the input dim unless allowzero is set.
  if (llvm::is_contained(shape, 0))
    attributes.push_back({"allowzero", int64_t(1)});
  writer.addNode(
      *this, getOnnxOpType(),
      {inputs[0], writer.addInt64Initializer(*this, "_shape", shape)}, outputs,
      attributes);
  return success();
}

LogicalResult SliceOp::exportToOnnx(OnnxNodeWriter &writer,
                                    ArrayRef<std::string> inputs,
                                    ArrayRef<std::string> outputs) {
  int64_t rank = getStarts().size();
  SmallVector<int64_t> ends(getEnds());
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < rank; ++d) {
    axes.push_back(d);
    // qnt's end -1 (before index 0, negative step) would count from the
    // end in ONNX; INT64_MIN clamps to the same place.
    if (getSteps()[d] < 0 && ends[d] < 0)
      ends[d] = std::numeric_limits<int64_t>::min();
  }
  writer.addNode(*this, getOnnxOpType(),
                 {inputs[0],
                  writer.addInt64Initializer(*this, "_starts", getStarts()),
                  writer.addInt64Initializer(*this, "_ends", ends),
                  writer.addInt64Initializer(*this, "_axes", axes),
                  writer.addInt64Initializer(*this, "_steps", getSteps())},
                 outputs);
  return success();
}

LogicalResult PadOp::exportToOnnx(OnnxNodeWriter &writer,
                                  ArrayRef<std::string> inputs,
                                  ArrayRef<std::string> outputs) {
  SmallVector<std::string> padInputs{
      inputs[0], writer.addInt64Initializer(*this, "_pads", getPads())};
  if (getMode() == PadMode::constant) {
    Type element = getType().getElementType();
    if (!element.isF32())
      return emitError("ONNX export: pad of ")
             << element << " (only f32 constant pads are written)";
    padInputs.push_back(writer.addFloatInitializer(
        *this, "_value", {getValue().convertToFloat()}, /*scalar=*/true));
  }
  writer.addNode(*this, getOnnxOpType(), padInputs, outputs,
                 {{"mode", stringifyPadMode(getMode()).str()}});
  return success();
}

LogicalResult CastOp::exportToOnnx(OnnxNodeWriter &writer,
                                   ArrayRef<std::string> inputs,
                                   ArrayRef<std::string> outputs) {
  Type to = getType().getElementType();
  int elementType = writer.getElementType(to);
  if (!elementType)
    return emitError("ONNX export: cannot cast to ") << to;
  writer.addNode(*this, getOnnxOpType(), inputs, outputs,
                 {{"to", int64_t(elementType)}});
  return success();
}

LogicalResult TopKOp::exportToOnnx(OnnxNodeWriter &writer,
                                   ArrayRef<std::string> inputs,
                                   ArrayRef<std::string> outputs) {
  // TopK takes k as a 1-element input from opset 10.
  writer.addNode(*this, getOnnxOpType(),
                 {inputs[0], writer.addInt64Initializer(
                                    *this, "_k", {int64_t(getK())})},
                 outputs,
                 {{"axis", int64_t(getAxis())},
                  {"largest", int64_t(getLargest())},
                  {"sorted", int64_t(1)}});
  return success();
}

LogicalResult ReduceSumOp::exportToOnnx(OnnxNodeWriter &writer,
                                        ArrayRef<std::string> inputs,
                                        ArrayRef<std::string> outputs) {
  // ReduceSum takes axes as an input from opset 13.
  writer.addNode(
      *this, getOnnxOpType(),
      {inputs[0], writer.addInt64Initializer(*this, "_axes", getAxes())},
      outputs, {{"keepdims", int64_t(getKeepdims())}});
  return success();
}
