//===- QntOps.cpp - Verifiers and folders of qnt ops ------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Every verifier recomputes the result shape with the ONNX formula and says in
// user words what disagrees; messages name the attribute or operand at fault.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntOps.h"

#include "quant/Dialect/Qnt/IR/QntShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qnt;

//===----------------------------------------------------------------------===//
// Shared verification helpers
//===----------------------------------------------------------------------===//

static ArrayRef<int64_t> shapeOf(Value value) {
  return cast<ShapedType>(value.getType()).getShape();
}

/// Checks the op's single result against the shape the op computes.
static LogicalResult verifyResultShape(Operation *op,
                                       ArrayRef<int64_t> expected) {
  ArrayRef<int64_t> actual = shapeOf(op->getResult(0));
  if (actual == expected)
    return success();
  return op->emitOpError() << "result shape " << formatShape(actual)
                           << " does not match the computed shape "
                           << formatShape(expected);
}

/// Checks a per-spatial-dim attribute: its length and its lower bound.
static LogicalResult verifyPerDim(Operation *op, StringRef name,
                                  ArrayRef<int64_t> values, size_t count,
                                  int64_t minValue) {
  if (values.size() != count)
    return op->emitOpError() << "expects '" << name << "' to have " << count
                             << " entries, got " << values.size();
  for (int64_t v : values)
    if (v < minValue)
      return op->emitOpError()
             << "expects every '" << name << "' entry to be >= " << minValue
             << ", got " << v;
  return success();
}

static LogicalResult verifyAxis(Operation *op, StringRef name, int64_t axis,
                                int64_t rank) {
  if (axis < 0 || axis >= rank)
    return op->emitOpError()
           << "expects '" << name << "' in [0, " << rank << "), got " << axis;
  return success();
}

/// The window attributes shared by conv, conv_transpose and the pools.
struct Window {
  ArrayRef<int64_t> kernel, strides, pads, dilations;
};

static LogicalResult verifyWindow(Operation *op, const Window &w,
                                  size_t spatialRank, bool checkKernel) {
  if (checkKernel &&
      failed(verifyPerDim(op, "kernel_shape", w.kernel, spatialRank, 1)))
    return failure();
  if (failed(verifyPerDim(op, "strides", w.strides, spatialRank, 1)) ||
      failed(verifyPerDim(op, "dilations", w.dilations, spatialRank, 1)) ||
      failed(verifyPerDim(op, "pads", w.pads, 2 * spatialRank, 0)))
    return failure();
  return success();
}

/// Output spatial dims of a sliding window; fails when the dilated kernel
/// does not fit the padded input.
static FailureOr<SmallVector<int64_t>>
slidingWindowDims(Operation *op, ArrayRef<int64_t> spatialIn, const Window &w,
                  bool ceilMode) {
  SmallVector<int64_t> out;
  size_t n = spatialIn.size();
  for (size_t i = 0; i < n; ++i) {
    int64_t padded = spatialIn[i] + w.pads[i] + w.pads[n + i];
    int64_t extent = w.dilations[i] * (w.kernel[i] - 1) + 1;
    if (extent > padded)
      return op->emitOpError() << "window of extent " << extent << " (kernel "
                               << w.kernel[i] << ", dilation " << w.dilations[i]
                               << ") does not fit the padded input of size "
                               << padded << " in spatial dim " << i;
    out.push_back(slidingWindowOutputDim(spatialIn[i], w.kernel[i],
                                         w.strides[i], w.dilations[i],
                                         w.pads[i], w.pads[n + i], ceilMode));
  }
  return out;
}

static LogicalResult verifyMinRank(Operation *op, StringRef what, Value value,
                                   int64_t minRank, StringRef layout) {
  int64_t rank = shapeOf(value).size();
  if (rank < minRank)
    return op->emitOpError() << "expects " << what << " of rank >= " << minRank
                             << " (" << layout << "), got rank " << rank;
  return success();
}

static LogicalResult verifyVectorOperand(Operation *op, StringRef what,
                                         Value value, int64_t size,
                                         StringRef meaning) {
  ArrayRef<int64_t> shape = shapeOf(value);
  if (shape.size() != 1 || shape[0] != size)
    return op->emitOpError()
           << "expects " << what << " of shape " << size << " (" << meaning
           << "), got " << formatShape(shape);
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

/// What conv and conv_transpose share: an N x C x spatial... input and a
/// weight of the same rank.
static LogicalResult verifyConvLike(Operation *op, Value input, Value weight) {
  if (failed(verifyMinRank(op, "input", input, 3, "N x C x spatial...")))
    return failure();
  size_t inRank = shapeOf(input).size(), wRank = shapeOf(weight).size();
  if (wRank != inRank)
    return op->emitOpError() << "expects weight of rank " << inRank
                             << " to match the input, got rank " << wRank;
  return success();
}

//===----------------------------------------------------------------------===//
// ConvOp
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyConvLike(op, getInput(), getWeight())))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput()), w = shapeOf(getWeight());
  Window window{w.drop_front(2), getStrides(), getPads(), getDilations()};
  if (failed(verifyWindow(op, window, in.size() - 2, /*checkKernel=*/false)))
    return failure();
  int64_t group = getGroup();
  if (group < 1)
    return emitOpError() << "expects group >= 1, got " << group;
  if (in[1] != w[1] * group)
    return emitOpError() << "input has " << in[1]
                         << " channels but the weight expects " << w[1]
                         << " per group x " << group
                         << " groups = " << w[1] * group;
  if (w[0] % group != 0)
    return emitOpError() << "expects the " << w[0]
                         << " output channels to split into " << group
                         << " groups";
  if (getBias() && failed(verifyVectorOperand(op, "bias", getBias(), w[0],
                                              "one per output channel")))
    return failure();
  auto spatial = slidingWindowDims(op, in.drop_front(2), window, false);
  if (failed(spatial))
    return failure();
  SmallVector<int64_t> expected{in[0], w[0]};
  llvm::append_range(expected, *spatial);
  return verifyResultShape(op, expected);
}

//===----------------------------------------------------------------------===//
// ConvTransposeOp
//===----------------------------------------------------------------------===//

LogicalResult ConvTransposeOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyConvLike(op, getInput(), getWeight())))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput()), w = shapeOf(getWeight());
  size_t spatialRank = in.size() - 2;
  Window window{w.drop_front(2), getStrides(), getPads(), getDilations()};
  if (failed(verifyWindow(op, window, spatialRank, /*checkKernel=*/false)) ||
      failed(verifyPerDim(op, "output_padding", getOutputPadding(), spatialRank,
                          0)))
    return failure();
  int64_t group = getGroup();
  if (group < 1)
    return emitOpError() << "expects group >= 1, got " << group;
  if (in[1] != w[0])
    return emitOpError() << "input has " << in[1]
                         << " channels but the weight expects " << w[0];
  if (in[1] % group != 0)
    return emitOpError() << "expects the " << in[1]
                         << " input channels to split into " << group
                         << " groups";
  int64_t outChannels = w[1] * group;
  if (getBias() &&
      failed(verifyVectorOperand(op, "bias", getBias(), outChannels,
                                 "one per output channel")))
    return failure();
  SmallVector<int64_t> expected{in[0], outChannels};
  for (size_t i = 0; i < spatialRank; ++i) {
    if (getOutputPadding()[i] >= std::max(getStrides()[i], getDilations()[i]))
      return emitOpError() << "expects output_padding " << getOutputPadding()[i]
                           << " in spatial dim " << i
                           << " to be smaller than the stride or dilation";
    int64_t d = convTransposeOutputDim(
        in[i + 2], w[i + 2], getStrides()[i], getDilations()[i], getPads()[i],
        getPads()[spatialRank + i], getOutputPadding()[i]);
    if (d < 1)
      return emitOpError() << "pads leave no output in spatial dim " << i;
    expected.push_back(d);
  }
  return verifyResultShape(op, expected);
}

//===----------------------------------------------------------------------===//
// MatMulOp, GemmOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::verify() {
  ArrayRef<int64_t> l = shapeOf(getLhs()), r = shapeOf(getRhs());
  if (l.empty() || r.empty())
    return emitOpError() << "expects operands of rank >= 1";
  int64_t lk = l.back();
  int64_t rk = r.size() == 1 ? r[0] : r[r.size() - 2];
  if (lk != rk)
    return emitOpError() << "contracting dims differ: lhs has K = " << lk
                         << ", rhs has K = " << rk;
  auto expected = matmulShape(l, r);
  if (!expected)
    return emitOpError() << "batch dims of " << formatShape(l) << " and "
                         << formatShape(r) << " do not broadcast";
  return verifyResultShape(getOperation(), *expected);
}

namespace {
/// `[..., M, K] x [K, N]` -> reshape to `[R, K]`, a 2-D matmul, reshape back
/// (see the op's description). Float operands with static shapes only.
struct FlattenMatMulRows : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto lhsType = dyn_cast<RankedTensorType>(op.getLhs().getType());
    auto rhsType = dyn_cast<RankedTensorType>(op.getRhs().getType());
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!lhsType || !rhsType || !type || lhsType.getRank() <= 2 ||
        rhsType.getRank() != 2 || !lhsType.hasStaticShape() ||
        !rhsType.hasStaticShape() || !type.hasStaticShape() ||
        !isa<FloatType>(lhsType.getElementType()) ||
        !isa<FloatType>(rhsType.getElementType()) ||
        !isa<FloatType>(type.getElementType()))
      return failure();
    int64_t k = lhsType.getShape().back(), n = rhsType.getShape().back();
    if (k == 0 || n == 0)
      return failure();
    int64_t rows = lhsType.getNumElements() / k;
    Location loc = op.getLoc();
    Value flat = ReshapeOp::create(
        rewriter, loc,
        RankedTensorType::get({rows, k}, lhsType.getElementType()),
        op.getLhs());
    auto matmul = MatMulOp::create(
        rewriter, loc, RankedTensorType::get({rows, n}, type.getElementType()),
        flat, op.getRhs());
    matmul->setDiscardableAttrs(op->getDiscardableAttrDictionary());
    auto result = ReshapeOp::create(rewriter, loc, type, matmul.getResult());
    if (Attribute range = op->getAttr(QntDialect::getRangeAttrName()))
      result->setAttr(QntDialect::getRangeAttrName(), range);
    rewriter.replaceOp(op, result.getResult());
    return success();
  }
};
} // namespace

void MatMulOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  results.add<FlattenMatMulRows>(context);
}

LogicalResult GemmOp::verify() {
  ArrayRef<int64_t> a = shapeOf(getA()), b = shapeOf(getB());
  if (a.size() != 2 || b.size() != 2)
    return emitOpError() << "expects A and B of rank 2, got " << formatShape(a)
                         << " and " << formatShape(b);
  int64_t m = getTransA() ? a[1] : a[0], ka = getTransA() ? a[0] : a[1];
  int64_t kb = getTransB() ? b[1] : b[0], n = getTransB() ? b[0] : b[1];
  if (ka != kb)
    return emitOpError() << "contracting dims differ: A has K = " << ka
                         << ", B has K = " << kb;
  SmallVector<int64_t> expected{m, n};
  if (getC() && !broadcastsTo(shapeOf(getC()), expected))
    return emitOpError() << "expects C of shape "
                         << formatShape(shapeOf(getC())) << " to broadcast to "
                         << formatShape(expected);
  return verifyResultShape(getOperation(), expected);
}

LogicalResult DynamicLinearOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), w = shapeOf(getWeight());
  if (x.size() < 2 || w.size() != 2)
    return emitOpError() << "expects an input of rank >= 2 and a weight of "
                            "rank 2 ([N, K]), got "
                         << formatShape(x) << " and " << formatShape(w);
  if (x.back() != w[1])
    return emitOpError() << "contracting dims differ: the input has K = "
                         << x.back() << ", the weight [N, K] has K = " << w[1];
  auto element = getElementTypeOrSelf(getWeight().getType());
  auto perTensor = dyn_cast<quant::UniformQuantizedType>(element);
  auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(element);
  auto isNarrowI8 = [](quant::QuantizedType t) {
    return t.getStorageTypeIntegralWidth() == 8 && t.isSigned() &&
           t.getStorageTypeMin() == -127 && t.getStorageTypeMax() == 127;
  };
  bool ok =
      (perTensor && isNarrowI8(perTensor) && perTensor.getZeroPoint() == 0) ||
      (perAxis && isNarrowI8(perAxis) && perAxis.getQuantizedDimension() == 0 &&
       llvm::all_of(perAxis.getZeroPoints(), [](int64_t z) { return z == 0; }));
  if (!ok)
    return emitOpError() << "expects a symmetric int8 weight on [-127, 127] "
                            "(zero point 0, per tensor or per axis 0), got "
                         << element;
  if (getBias() && shapeOf(getBias()) != ArrayRef<int64_t>{w[0]})
    return emitOpError() << "expects a bias of shape [" << w[0] << "], got "
                         << formatShape(shapeOf(getBias()));
  if (!getElementTypeOrSelf(getInput().getType()).isF32() ||
      !getElementTypeOrSelf(getOutput().getType()).isF32() ||
      (getBias() && !getElementTypeOrSelf(getBias().getType()).isF32()))
    return emitOpError() << "expects f32 input, bias and result";
  SmallVector<int64_t> expected(x.drop_back());
  expected.push_back(w[0]);
  return verifyResultShape(getOperation(), expected);
}

LogicalResult DynamicMatMulOp::verify() {
  ArrayRef<int64_t> a = shapeOf(getLhs()), b = shapeOf(getRhs());
  if (a.size() < 2 || a.size() != b.size())
    return emitOpError() << "expects operands of one rank >= 2, got "
                         << formatShape(a) << " and " << formatShape(b);
  if (a.drop_back(2) != b.drop_back(2))
    return emitOpError() << "expects equal batch dims, got " << formatShape(a)
                         << " and " << formatShape(b);
  if (a.back() != b[b.size() - 2])
    return emitOpError() << "contracting dims differ: " << a.back() << " and "
                         << b[b.size() - 2];
  if (!getElementTypeOrSelf(getLhs().getType()).isF32() ||
      !getElementTypeOrSelf(getRhs().getType()).isF32() ||
      !getElementTypeOrSelf(getOutput().getType()).isF32())
    return emitOpError() << "expects f32 operands and result";
  SmallVector<int64_t> expected(a.drop_back());
  expected.push_back(b.back());
  return verifyResultShape(getOperation(), expected);
}

//===----------------------------------------------------------------------===//
// BatchNormOp, LayerNormOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyMinRank(op, "input", getInput(), 2, "N x C x ...")))
    return failure();
  int64_t channels = shapeOf(getInput())[1];
  std::pair<StringRef, Value> params[] = {{"scale", getScale()},
                                          {"bias", getBias()},
                                          {"mean", getMean()},
                                          {"variance", getVariance()}};
  for (auto [name, value] : params)
    if (failed(
            verifyVectorOperand(op, name, value, channels, "one per channel")))
      return failure();
  if (getEpsilon().convertToFloat() < 0)
    return emitOpError() << "expects a non-negative epsilon";
  return verifyResultShape(op, shapeOf(getInput()));
}

LogicalResult LayerNormOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (failed(verifyAxis(getOperation(), "axis", getAxis(), in.size())))
    return failure();
  ArrayRef<int64_t> normalized = in.drop_front(getAxis());
  for (auto [name, value] : {std::pair<StringRef, Value>{"scale", getScale()},
                             std::pair<StringRef, Value>{"bias", getBias()}}) {
    if (value && !broadcastsTo(shapeOf(value), normalized))
      return emitOpError() << "expects " << name << " of shape "
                           << formatShape(shapeOf(value))
                           << " to broadcast to the normalized shape "
                           << formatShape(normalized);
  }
  if (getEpsilon().convertToFloat() < 0)
    return emitOpError() << "expects a non-negative epsilon";
  return verifyResultShape(getOperation(), in);
}

//===----------------------------------------------------------------------===//
// SelectOp
//===----------------------------------------------------------------------===//

LogicalResult SelectOp::verify() {
  ArrayRef<int64_t> c = shapeOf(getCondition()), t = shapeOf(getOnTrue()),
                    f = shapeOf(getOnFalse());
  auto partial = broadcastShapes(t, f);
  auto expected = partial ? broadcastShapes(c, *partial) : std::nullopt;
  if (!expected)
    return emitOpError() << "operands of shapes " << formatShape(c) << ", "
                         << formatShape(t) << " and " << formatShape(f)
                         << " do not broadcast";
  return verifyResultShape(getOperation(), *expected);
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

LogicalResult FakeQuantOp::verify() {
  double scale = getScale().convertToDouble();
  if (!(scale > 0.0) || !std::isfinite(scale))
    return emitOpError("scale must be positive and finite, got ") << scale;
  // I64Attr reads back as uint64_t: the grid is signed.
  auto qmin = static_cast<int64_t>(getQmin());
  auto qmax = static_cast<int64_t>(getQmax());
  auto zeroPoint = static_cast<int64_t>(getZeroPoint());
  if (qmin > qmax || zeroPoint < qmin || zeroPoint > qmax)
    return emitOpError("needs qmin <= zero_point <= qmax, got ")
           << qmin << " <= " << zeroPoint << " <= " << qmax;
  return success();
}

LogicalResult ClampOp::verify() {
  if (getMin() && getMax() &&
      getMin()->convertToFloat() > getMax()->convertToFloat())
    return emitOpError() << "expects min <= max, got min "
                         << formatFloat(getMin()->convertToFloat())
                         << " and max "
                         << formatFloat(getMax()->convertToFloat());
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(getOperation(), "axis", getAxis(),
                    shapeOf(getInput()).size());
}

//===----------------------------------------------------------------------===//
// Pooling and resize
//===----------------------------------------------------------------------===//

template <typename PoolOp>
static LogicalResult verifyPool(PoolOp op) {
  Operation *operation = op.getOperation();
  if (failed(verifyMinRank(operation, "input", op.getInput(), 3,
                           "N x C x spatial...")))
    return failure();
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  Window window{op.getKernelShape(), op.getStrides(), op.getPads(),
                op.getDilations()};
  if (failed(verifyWindow(operation, window, in.size() - 2,
                          /*checkKernel=*/true)))
    return failure();
  for (size_t i = 0, n = in.size() - 2; i < n; ++i)
    if (window.pads[i] >= window.kernel[i] ||
        window.pads[n + i] >= window.kernel[i])
      return op.emitOpError() << "expects pads smaller than the kernel ("
                              << window.kernel[i] << ") in spatial dim " << i;
  auto spatial =
      slidingWindowDims(operation, in.drop_front(2), window, op.getCeilMode());
  if (failed(spatial))
    return failure();
  SmallVector<int64_t> expected{in[0], in[1]};
  llvm::append_range(expected, *spatial);
  return verifyResultShape(operation, expected);
}

LogicalResult MaxPoolOp::verify() { return verifyPool(*this); }
LogicalResult AveragePoolOp::verify() { return verifyPool(*this); }

LogicalResult GlobalAveragePoolOp::verify() {
  if (failed(verifyMinRank(getOperation(), "input", getInput(), 3,
                           "N x C x spatial...")))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput());
  SmallVector<int64_t> expected(in.size(), 1);
  expected[0] = in[0];
  expected[1] = in[1];
  return verifyResultShape(getOperation(), expected);
}

LogicalResult ResizeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getOutput());
  ArrayRef<float> scales = getScales();
  if (scales.size() != in.size())
    return emitOpError() << "expects one scale per dim (" << in.size()
                         << "), got " << scales.size();
  if (out.size() != in.size())
    return emitOpError() << "expects a result of rank " << in.size()
                         << ", got rank " << out.size();
  for (auto [i, scale] : llvm::enumerate(scales)) {
    if (!(scale > 0.0f) || !std::isfinite(scale))
      return emitOpError() << "expects positive finite scales, got "
                           << formatFloat(scale) << " for dim " << i;
    // ONNX computes the size as floor(in * scale) but the importer derives
    // scales from `sizes` as out / in, which may round either way in f32.
    double ideal = static_cast<double>(in[i]) * scale;
    if (std::abs(static_cast<double>(out[i]) - ideal) >= 1.0)
      return emitOpError() << "result dim " << i << " is " << out[i]
                           << " but input " << in[i] << " x scale "
                           << formatFloat(scale) << " = " << formatFloat(ideal);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::verify() {
  // SameOperandsAndResultElementType already requires one input.
  ArrayRef<int64_t> first = shapeOf(getInputs().front());
  int64_t axis = getAxis();
  if (failed(verifyAxis(getOperation(), "axis", axis, first.size())))
    return failure();
  SmallVector<int64_t> expected(first);
  expected[axis] = 0;
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    ArrayRef<int64_t> shape = shapeOf(input);
    if (shape.size() != first.size())
      return emitOpError() << "expects inputs of one rank, but input #" << i
                           << " has rank " << shape.size() << " and input #0 "
                           << first.size();
    for (size_t d = 0; d < shape.size(); ++d)
      if (d != static_cast<size_t>(axis) && shape[d] != first[d])
        return emitOpError()
               << "input #" << i << " of shape " << formatShape(shape)
               << " differs from input #0 of shape " << formatShape(first)
               << " in dim " << d << ", which is not the concat axis";
    expected[axis] += shape[axis];
  }
  return verifyResultShape(getOperation(), expected);
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 &&
      getInputs().front().getType() == getOutput().getType())
    return getInputs().front();
  return {};
}

LogicalResult ReshapeOp::verify() {
  auto in = numElements(shapeOf(getInput()));
  auto out = numElements(shapeOf(getOutput()));
  if (!in || !out || *in != *out)
    return emitOpError() << "cannot reshape "
                         << formatShape(shapeOf(getInput())) << " to "
                         << formatShape(shapeOf(getOutput()))
                         << ": the element counts differ";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  // reshape(reshape(x)) only depends on x: skip the inner one.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(cast<ShapedType>(getOutput().getType()));
  return {};
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> perm = getPerm();
  if (perm.size() != in.size())
    return emitOpError() << "expects 'perm' to have " << in.size()
                         << " entries, got " << perm.size();
  SmallVector<bool> seen(in.size(), false);
  SmallVector<int64_t> expected;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(in.size()) || seen[p])
      return emitOpError() << "expects 'perm' to be a permutation of [0, "
                           << in.size() << "), got [" << perm << "]";
    seen[p] = true;
    expected.push_back(in[p]);
  }
  return verifyResultShape(getOperation(), expected);
}

bool TransposeOp::swapsLastTwoDims() {
  ArrayRef<int64_t> perm = getPerm();
  int64_t rank = perm.size();
  if (rank < 2 || perm[rank - 2] != rank - 1 || perm[rank - 1] != rank - 2)
    return false;
  for (int64_t i = 0; i < rank - 2; ++i)
    if (perm[i] != i)
      return false;
  return true;
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = llvm::all_of(llvm::enumerate(perm), [](auto it) {
    return static_cast<int64_t>(it.index()) == it.value();
  });
  if (identity)
    return getInput();
  // transpose(transpose(x, p1), p2) == transpose(x, p1 o p2).
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> innerPerm = inner.getPerm();
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(innerPerm[p]);
    setPerm(composed);
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  size_t rank = in.size();
  if (getStarts().size() != rank || getEnds().size() != rank ||
      getSteps().size() != rank)
    return emitOpError() << "expects 'starts', 'ends' and 'steps' to have "
                         << rank << " entries each";
  SmallVector<int64_t> expected;
  for (size_t i = 0; i < rank; ++i) {
    int64_t start = getStarts()[i], end = getEnds()[i], step = getSteps()[i];
    if (step == 0)
      return emitOpError() << "expects non-zero steps, dim " << i
                           << " has step 0";
    bool inRange =
        step > 0 ? (start >= 0 && start <= in[i] && end >= 0 && end <= in[i])
                 : (start >= 0 && start <= in[i] - 1 && end >= -1 &&
                    end <= in[i] - 1);
    if (!inRange)
      return emitOpError() << "slice [" << start << ", " << end << ") step "
                           << step << " is not clamped to dim " << i
                           << " of size " << in[i];
    expected.push_back(sliceOutputDim(start, end, step));
  }
  return verifyResultShape(getOperation(), expected);
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> in = shapeOf(getInput());
  for (size_t i = 0; i < in.size(); ++i)
    if (getStarts()[i] != 0 || getEnds()[i] != in[i] || getSteps()[i] != 1)
      return {};
  return getInput();
}

LogicalResult GatherOp::verify() {
  ArrayRef<int64_t> data = shapeOf(getData()), indices = shapeOf(getIndices());
  if (failed(verifyAxis(getOperation(), "axis", getAxis(), data.size())))
    return failure();
  Type dataElem = cast<ShapedType>(getData().getType()).getElementType();
  Type outElem = cast<ShapedType>(getOutput().getType()).getElementType();
  if (dataElem != outElem)
    return emitOpError() << "expects the result element type " << outElem
                         << " to match the data's " << dataElem;
  SmallVector<int64_t> expected(data.take_front(getAxis()));
  llvm::append_range(expected, indices);
  llvm::append_range(expected, data.drop_front(getAxis() + 1));
  return verifyResultShape(getOperation(), expected);
}

LogicalResult PadOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> pads = getPads();
  if (pads.size() != 2 * in.size())
    return emitOpError() << "expects 'pads' to have " << 2 * in.size()
                         << " entries (begin and end per dim), got "
                         << pads.size();
  SmallVector<int64_t> expected;
  for (size_t i = 0; i < in.size(); ++i) {
    int64_t d = in[i] + pads[i] + pads[in.size() + i];
    if (d < 0)
      return emitOpError() << "pads crop dim " << i << " of size " << in[i]
                           << " below zero";
    expected.push_back(d);
  }
  if (getMode() == PadMode::reflect)
    for (size_t i = 0; i < in.size(); ++i)
      if (std::max(pads[i], pads[in.size() + i]) >= in[i])
        return emitOpError() << "reflect pad of dim " << i << " (size " << in[i]
                             << ") must be smaller than the dim";
  return verifyResultShape(getOperation(), expected);
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// `in` without `axes` (size-1 dims there with `keepdims`).
static SmallVector<int64_t>
reducedShape(ArrayRef<int64_t> in, ArrayRef<int64_t> axes, bool keepdims) {
  SmallVector<int64_t> shape;
  for (size_t d = 0; d < in.size(); ++d) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(d)))
      shape.push_back(in[d]);
    else if (keepdims)
      shape.push_back(1);
  }
  return shape;
}

template <typename ReduceOp>
static LogicalResult verifyReduce(ReduceOp op) {
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  ArrayRef<int64_t> axes = op.getAxes();
  if (axes.empty())
    return op.emitOpError() << "expects at least one axis";
  for (size_t i = 0; i < axes.size(); ++i) {
    if (failed(verifyAxis(op, "axes", axes[i], in.size())))
      return failure();
    if (i > 0 && axes[i] <= axes[i - 1])
      return op.emitOpError()
             << "expects 'axes' sorted and unique, got [" << axes << "]";
  }
  return verifyResultShape(op, reducedShape(in, axes, op.getKeepdims()));
}

LogicalResult ReduceMeanOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMaxOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceSumOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMinOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceProdOp::verify() { return verifyReduce(*this); }

template <typename ArgOp>
static LogicalResult verifyArg(ArgOp op) {
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  if (failed(verifyAxis(op, "axis", op.getAxis(), in.size())))
    return failure();
  return verifyResultShape(op,
                           reducedShape(in, {static_cast<int64_t>(op.getAxis())},
                                         op.getKeepdims()));
}

LogicalResult ArgMaxOp::verify() { return verifyArg(*this); }
LogicalResult ArgMinOp::verify() { return verifyArg(*this); }

LogicalResult TopKOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  // I64Attr reads back as uint64_t.
  auto axis = static_cast<int64_t>(getAxis());
  auto k = static_cast<int64_t>(getK());
  if (failed(verifyAxis(*this, "axis", axis, in.size())))
    return failure();
  int64_t n = in[axis];
  if (k < 1 || k > n)
    return emitOpError() << "expects 1 <= k <= " << n << " (the size of axis "
                         << axis << "), got " << k;
  if (getValues().getType().getElementType() !=
      getInput().getType().getElementType())
    return emitOpError() << "expects values of the input's element type";
  SmallVector<int64_t> expected(in);
  expected[axis] = k;
  for (Value result : {getValues(), getIndices()})
    if (shapeOf(result) != ArrayRef<int64_t>(expected))
      return emitOpError() << "expects results of shape "
                           << formatShape(expected) << ", got "
                           << formatShape(shapeOf(result));
  return success();
}

#define GET_OP_CLASSES
#include "quant/Dialect/Qnt/IR/QntOps.cpp.inc"
