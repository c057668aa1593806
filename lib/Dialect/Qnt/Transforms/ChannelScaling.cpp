//===- ChannelScaling.cpp - x W = (x / s)(diag(s) W) rewrites -------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/Transforms/ChannelScaling.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"

#include "mlir/IR/Builders.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::qnt;

/// The weights of `op` when it is a linear layer whose constant 2-D
/// weights the pass may rescale: a qnt.matmul (rhs [K, N]) or a plain
/// qnt.gemm (b [K, N], or [N, K] with trans_b).
std::optional<LinearWeights> mlir::qnt::readLinearWeights(Operation *op) {
  std::optional<LinearLayer> layer = getLinearLayer(op);
  if (!layer || layer->groups != 1)
    return std::nullopt;
  Value weight = op->getOperand(layer->weightIndex);
  auto type = cast<RankedTensorType>(weight.getType());
  std::optional<SmallVector<float>> values = getConstantF32Values(weight);
  if (!values || type.getRank() != 2)
    return std::nullopt;
  LinearWeights w;
  w.op = op;
  w.operand = layer->weightIndex;
  w.biasOperand = layer->biasIndex;
  w.transposed = layer->outAxis == 0;
  w.k = type.getDimSize(layer->inAxis);
  w.n = type.getDimSize(layer->outAxis);
  w.values = std::move(*values);
  return w;
}

/// A constant 1-D f32 operand of `size` values, or nullopt.
static std::optional<SmallVector<float>> readVector(Value value, int64_t size) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() != 1 || type.getDimSize(0) != size)
    return std::nullopt;
  return getConstantF32Values(value);
}

/// Divides the recorded ranges of `value` (an op result) channel by channel
/// by `s`: qnt.channel_range, and qnt.range as their hull.
void mlir::qnt::rescaleChannelRanges(Value value, ArrayRef<double> s) {
  Operation *op = value.getDefiningOp();
  ChannelRangeAttr channels =
      op ? getValueChannelRange(value) : ChannelRangeAttr();
  if (!channels || channels.getMin().size() != static_cast<int64_t>(s.size()))
    return;
  SmallVector<float> lo, hi, mean;
  double all_lo = 0.0, all_hi = 0.0;
  for (size_t c = 0; c < s.size(); ++c) {
    lo.push_back(static_cast<float>(channels.getMin()[c] / s[c]));
    hi.push_back(static_cast<float>(channels.getMax()[c] / s[c]));
    if (channels.getMean())
      mean.push_back(
          std::clamp(static_cast<float>(channels.getMean()[c] / s[c]),
                     lo.back(), hi.back()));
    all_lo = c ? std::min<double>(all_lo, lo.back()) : lo.back();
    all_hi = c ? std::max<double>(all_hi, hi.back()) : hi.back();
  }
  MLIRContext *ctx = op->getContext();
  Builder b(ctx);
  op->setAttr(
      QntDialect::getChannelRangeAttrName(),
      ChannelRangeAttr::get(ctx, channels.getAxis(), b.getDenseF32ArrayAttr(lo),
                            b.getDenseF32ArrayAttr(hi),
                            channels.getMean() ? b.getDenseF32ArrayAttr(mean)
                                               : DenseF32ArrayAttr()));
  op->setAttr(QntDialect::getRangeAttrName(),
              RangeAttr::get(ctx, all_lo, all_hi));
}

/// Divides channel k of `x` by s[k] where `x` is made; false when the
/// producer cannot absorb it.
static bool foldIntoProducer(Value x, ArrayRef<double> s, StringRef suffix) {
  auto name = [&](StringRef what) { return (suffix + "." + what).str(); };
  int64_t k = s.size();
  Operation *def = x.getDefiningOp();
  if (!def)
    return false;
  auto divide = [&](SmallVector<float> &v) {
    for (int64_t c = 0; c < k; ++c)
      v[c] = static_cast<float>(v[c] / s[c]);
  };

  // A reshape that keeps the channels last (matmul's row flattening, see
  // qnt.matmul's canonicalization): its input's producer absorbs them,
  // when the reshape is that input's only reader.
  if (auto reshape = dyn_cast<ReshapeOp>(def)) {
    auto in = cast<RankedTensorType>(reshape.getInput().getType());
    auto out = cast<RankedTensorType>(reshape.getType());
    if (in.getRank() == 0 || out.getRank() == 0 || in.getShape().back() != k ||
        out.getShape().back() != k || !reshape.getInput().hasOneUse() ||
        !foldIntoProducer(reshape.getInput(), s, suffix))
      return false;
    rescaleChannelRanges(reshape.getInput(), s);
    return true;
  }

  if (auto ln = dyn_cast<LayerNormOp>(def)) {
    int64_t rank = ln.getInput().getType().getRank();
    int64_t axis = ln.getAxis() < 0 ? ln.getAxis() + rank : ln.getAxis();
    std::optional<SmallVector<float>> scale = readVector(ln.getScale(), k);
    std::optional<SmallVector<float>> bias =
        ln.getBias() ? readVector(ln.getBias(), k) : std::nullopt;
    if (axis != rank - 1 || !scale || (ln.getBias() && !bias))
      return false;
    divide(*scale);
    replaceOperandWithF32Constant(ln, 1, *scale, name("scale"));
    if (bias) {
      divide(*bias);
      replaceOperandWithF32Constant(ln, 2, *bias, name("bias"));
    }
    return true;
  }

  // A linear op, possibly followed by a single-use add of a 1-D bias.
  Operation *linear = def;
  AddOp biasAdd;
  unsigned biasSide = 0;
  std::optional<SmallVector<float>> addBias;
  if (auto add = dyn_cast<AddOp>(def)) {
    for (unsigned side = 0; side < 2 && !addBias; ++side) {
      Value other = add->getOperand(1 - side);
      if ((addBias = readVector(add->getOperand(side), k)) &&
          other.hasOneUse() && other.getType() == x.getType()) {
        biasAdd = add;
        biasSide = side;
        linear = other.getDefiningOp();
      } else {
        addBias.reset();
      }
    }
    if (!biasAdd || !linear)
      return false;
  }
  std::optional<LinearWeights> w = readLinearWeights(linear);
  if (!w || w->n != k)
    return false;
  std::optional<SmallVector<float>> gemmBias;
  if (w->biasOperand) {
    gemmBias = readVector(linear->getOperand(*w->biasOperand), k);
    if (!gemmBias)
      return false;
  }
  for (int64_t ki = 0; ki < w->k; ++ki)
    for (int64_t n = 0; n < k; ++n)
      w->at(ki, n) = static_cast<float>(w->at(ki, n) / s[n]);
  replaceOperandWithF32Constant(linear, w->operand, w->values, name("weight"));
  if (gemmBias) {
    divide(*gemmBias);
    replaceOperandWithF32Constant(linear, *w->biasOperand, *gemmBias,
                                  name("bias"));
  }
  if (biasAdd) {
    divide(*addBias);
    replaceOperandWithF32Constant(biasAdd, biasSide, *addBias, name("bias"));
    rescaleChannelRanges(linear->getResult(0), s);
  }
  return true;
}

bool mlir::qnt::scaleInputChannels(func::FuncOp func, Value x,
                                   ArrayRef<double> s,
                                   MutableArrayRef<LinearWeights> consumers,
                                   StringRef suffix) {
  int64_t k = s.size();
  // Consumers: row k of the weights times s_k.
  for (LinearWeights &w : consumers) {
    for (int64_t c = 0; c < k; ++c)
      for (int64_t n = 0; n < w.n; ++n)
        w.at(c, n) = static_cast<float>(w.at(c, n) * s[c]);
    replaceOperandWithF32Constant(w.op, w.operand, w.values,
                                  (suffix + ".weight").str());
  }
  ChannelRangeAttr range = getValueChannelRange(x);
  if (foldIntoProducer(x, s, suffix)) {
    rescaleChannelRanges(x, s);
    return true;
  }
  // An explicit x * (1/s) in front of the consumers.
  OpBuilder b(func.getContext());
  if (Operation *def = x.getDefiningOp())
    b.setInsertionPointAfter(def);
  else
    b.setInsertionPointToStart(&func.getBody().front());
  SmallVector<float> inverse;
  for (double v : s)
    inverse.push_back(static_cast<float>(1.0 / v));
  auto vecType = RankedTensorType::get({k}, b.getF32Type());
  Operation *named =
      x.getDefiningOp() ? x.getDefiningOp() : consumers.front().op;
  Value factors = ConstantOp::create(
      b, x.getLoc(),
      makeF32Elements(
          vecType, inverse,
          derivedBlobName(named, (suffix + ".inverse").str(), "layer")));
  auto mul = MulOp::create(b, x.getLoc(), x.getType(), x, factors);
  for (LinearWeights &w : consumers)
    w.op->setOperand(0, mul.getResult());
  // The product's ranges: x's divided by s.
  if (range) {
    mul->setAttr(QntDialect::getChannelRangeAttrName(), range);
    rescaleChannelRanges(mul.getResult(), s);
  }
  return false;
}
