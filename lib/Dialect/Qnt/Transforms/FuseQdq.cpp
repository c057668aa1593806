//===- FuseQdq.cpp - QDQ patterns of imported models to int8 ops ----------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// qnt-fuse-qdq: an imported QDQ model's dcast -> op -> qcast patterns become
// the int8 ops qnt-quantize makes (same types, same bias and weight forms),
// with the model's own scales and zero points (see the pass description).
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/Transforms/Passes.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"
#include "quant/Dialect/Qnt/IR/QntTraits.h"
#include "quant/Quantization/QuantMath.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <limits>

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTFUSEQDQ
#include "quant/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

RankedTensorType withElement(Type type, Type element) {
  return cast<RankedTensorType>(type).clone(element);
}

/// The signed form of a per-tensor uint8 type: same scale, zero point - 128
/// (q_s8 = q_u8 - 128 holds the same real value).
quant::UniformQuantizedType signedForm(quant::UniformQuantizedType u8) {
  return quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, u8.getStorageType(),
      u8.getExpressedType(), u8.getScale(), u8.getZeroPoint() - 128, -128, 127);
}

bool isUnsigned8(quant::QuantizedType q) {
  return q && !q.isSigned() && q.getStorageTypeIntegralWidth() == 8;
}

/// A per-tensor signed int8 activation type, or null.
quant::UniformQuantizedType signedActivation(Type type) {
  auto q = getPerTensorI8Type(type);
  return q && q.isSigned() ? q : quant::UniformQuantizedType();
}

/// dcast(scast(constant)): the storage constant's scast, or null.
quant::StorageCastOp quantizedConstantOf(Value value) {
  auto dcast = value.getDefiningOp<quant::DequantizeCastOp>();
  if (!dcast)
    return {};
  auto scast = dcast.getInput().getDefiningOp<quant::StorageCastOp>();
  if (!scast || !scast.getInput().getDefiningOp<ConstantOp>())
    return {};
  return scast;
}

/// The real values of a quantized constant (storage behind `scast`).
std::optional<SmallVector<float>> dequantized(quant::StorageCastOp scast) {
  std::optional<SmallVector<int64_t>> ints =
      getConstantIntValues(scast.getInput());
  auto type = cast<RankedTensorType>(scast.getType());
  quant::QuantizedType q = getQuantizedElementType(type);
  if (!ints || !q)
    return std::nullopt;
  bool unsigned8 = isUnsigned8(q);
  auto at = [&](size_t i) -> int64_t {
    return unsigned8 ? ((*ints)[i] & 0xFF) : (*ints)[i];
  };
  SmallVector<float> values(ints->size());
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(q)) {
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = static_cast<float>((at(i) - uniform.getZeroPoint()) *
                                     uniform.getScale());
    return values;
  }
  auto axis = dyn_cast<quant::UniformQuantizedPerAxisType>(q);
  if (!axis)
    return std::nullopt;
  ArrayRef<int64_t> shape = type.getShape();
  int64_t inner = 1;
  for (int64_t d = axis.getQuantizedDimension() + 1;
       d < static_cast<int64_t>(shape.size()); ++d)
    inner *= shape[d];
  int64_t channels = shape[axis.getQuantizedDimension()];
  for (size_t i = 0; i < values.size(); ++i) {
    int64_t c = static_cast<int64_t>(i) / inner % channels;
    values[i] = static_cast<float>((at(i) - axis.getZeroPoints()[c]) *
                                   axis.getScales()[c]);
  }
  return values;
}

/// What fusing one layer needs, found by matchLayer.
struct LayerMatch {
  LinearLayer anchor;
  Value input;                 // the int8 input
  quant::StorageCastOp weight; // the int8 weight
  SmallVector<double> weightScales;
  bool perChannel = false;
  quant::StorageCastOp bias;                   // an int32 bias, or
  std::optional<SmallVector<float>> floatBias; // a float one
  Operation *fused = nullptr;                  // a ReLU / clamp from 0
  quant::QuantizeCastOp output;
};

struct QntFuseQdqPass : public qnt::impl::QntFuseQdqBase<QntFuseQdqPass> {
  void runOnOperation() override;

private:
  void makeActivationsSigned(func::FuncOp f);
  FailureOr<LayerMatch> matchLayer(Operation *op, std::string &why);
  Operation *fuseLayer(Operation *op, LayerMatch &m);
  LogicalResult fuseActivationProduct(MatMulOp op, std::string &why);
  void placeLikeQuantize(Operation *op);
  void fuseGridOps(func::FuncOp f);
  int64_t fuseElementwise(func::FuncOp f);
  void dequantizeConstants(func::FuncOp f);
  void keepActivationRounding(func::FuncOp f);
};

} // namespace

void QntFuseQdqPass::makeActivationsSigned(func::FuncOp f) {
  f.walk([&](quant::QuantizeCastOp qcast) {
    auto u8 = dyn_cast<quant::UniformQuantizedType>(
        getQuantizedElementType(qcast.getType()));
    if (!u8 || !isUnsigned8(u8))
      return;
    if (!llvm::all_of(qcast->getUsers(), [](Operation *user) {
          return isa<quant::DequantizeCastOp>(user);
        }))
      return;
    qcast.getResult().setType(withElement(qcast.getType(), signedForm(u8)));
  });
}

FailureOr<LayerMatch> QntFuseQdqPass::matchLayer(Operation *op,
                                                 std::string &why) {
  LayerMatch m;
  std::optional<LinearLayer> anchor = getQuantizableLayer(op);
  if (!anchor) {
    why = "not a form the int8 lowering takes";
    return failure();
  }
  m.anchor = *anchor;
  auto inCast = op->getOperand(0).getDefiningOp<quant::DequantizeCastOp>();
  if (!inCast || !signedActivation(inCast.getInput().getType())) {
    why = "its input is not dequantized from a per-tensor int8 tensor";
    return failure();
  }
  m.input = inCast.getInput();
  double inScale = signedActivation(m.input.getType()).getScale();

  m.weight = quantizedConstantOf(op->getOperand(anchor->weightIndex));
  std::optional<SmallVector<double>> scales =
      m.weight ? getSymmetricI8WeightScales(m.weight.getType()) : std::nullopt;
  if (!scales || !getQuantizedElementType(m.weight.getType()).isSigned()) {
    why = "its weight is not a constant int8 tensor with zero point 0";
    return failure();
  }
  auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(
      getQuantizedElementType(m.weight.getType()));
  if (perAxis && perAxis.getQuantizedDimension() != anchor->outAxis) {
    why = "its weight scales are not per output channel";
    return failure();
  }
  m.perChannel = bool(perAxis);
  m.weightScales = *scales;

  if (anchor->biasIndex) {
    Value bias = op->getOperand(*anchor->biasIndex);
    m.bias = quantizedConstantOf(bias);
    bool ok = false;
    if (m.bias) {
      // An int32 bias must be at input scale x weight scale (to f32
      // rounding, as ONNX stores scales).
      quant::QuantizedType q = getQuantizedElementType(m.bias.getType());
      SmallVector<double> biasScales;
      if (auto u = dyn_cast<quant::UniformQuantizedType>(q))
        biasScales.push_back(u.getScale());
      else if (auto a = dyn_cast<quant::UniformQuantizedPerAxisType>(q))
        biasScales.assign(a.getScales().begin(), a.getScales().end());
      ok = q.getStorageTypeIntegralWidth() == 32 && !biasScales.empty();
      for (size_t c = 0; ok && c < m.weightScales.size(); ++c) {
        double want = inScale * m.weightScales[c];
        double got = biasScales[biasScales.size() == 1 ? 0 : c];
        ok = std::fabs(got - want) <= 1e-6 * want;
      }
      if (!ok)
        m.bias = {};
    }
    if (!ok) {
      // A float constant, or an int32 one on another grid: requantized.
      m.floatBias = getConstantF32Values(bias);
      if (!m.floatBias)
        if (auto scast = quantizedConstantOf(bias))
          m.floatBias = dequantized(scast);
      if (!m.floatBias) {
        why = "its bias is not a constant";
        return failure();
      }
    }
  }

  Value result = op->getResult(0);
  if (!result.hasOneUse()) {
    why = "its result has several readers";
    return failure();
  }
  Operation *user = *result.getUsers().begin();
  if (isa<ReluOp, ClampOp>(user) && user->getResult(0).hasOneUse()) {
    m.fused = user;
    user = *user->getResult(0).getUsers().begin();
  }
  m.output = dyn_cast<quant::QuantizeCastOp>(user);
  auto outType = m.output ? signedActivation(m.output.getType())
                          : quant::UniformQuantizedType();
  if (!outType) {
    why = "its result is not quantized to a per-tensor int8 tensor";
    return failure();
  }
  if (m.fused) {
    // The grid must start at real 0 (the clamp from 0 is the grid's own),
    // and a clamp's upper bound must quantize to the grid's top code, as
    // quant.qcast computes it (f32 division, half-even rounding): then a
    // value above the bound gives that code with or without the clamp.
    // (ReLU6 at the scale f32(6 / 255) qualifies although 255 times that
    // scale is one f32 ulp above 6.)
    auto clamp = dyn_cast<ClampOp>(m.fused);
    bool fromZero =
        !clamp || (clamp.getMin() && clamp.getMin()->convertToDouble() == 0.0);
    bool belowMax = !clamp || !clamp.getMax() || [&] {
      float bound = clamp.getMax()->convertToFloat() /
                    static_cast<float>(outType.getScale());
      return std::nearbyint(bound) + outType.getZeroPoint() >=
             outType.getStorageTypeMax();
    }();
    if (outType.getZeroPoint() != outType.getStorageTypeMin() || !fromZero ||
        !belowMax) {
      why = "the activation before its output quantization is not a ReLU "
            "the output grid computes";
      return failure();
    }
  }
  int64_t bad = 0;
  auto resultType = cast<RankedTensorType>(result.getType());
  if (!getRequantMultipliers(inScale, m.weightScales, outType.getScale(),
                             resultType.getDimSize(anchor->resultChannelAxis),
                             bad)) {
    why = "a requantization scale has no fixed-point form";
    return failure();
  }
  return m;
}

Operation *QntFuseQdqPass::fuseLayer(Operation *op, LayerMatch &m) {
  OpBuilder b(op);
  MLIRContext *context = op->getContext();
  Location loc = op->getLoc();
  auto i8 = IntegerType::get(context, 8);
  auto i32 = IntegerType::get(context, 32);
  auto f32 = Float32Type::get(context);
  double inScale = signedActivation(m.input.getType()).getScale();

  // The weight on [-127, 127], as qnt-quantize makes it, when its values
  // allow (they do unless one is -128).
  std::optional<SmallVector<int64_t>> ints =
      getConstantIntValues(m.weight.getInput());
  bool narrow =
      ints && llvm::all_of(*ints, [](int64_t v) { return v >= -127; });
  int64_t wmin = narrow ? -127 : -128;
  quant::QuantizedType weightElement =
      m.perChannel
          ? quant::QuantizedType(quant::UniformQuantizedPerAxisType::get(
                quant::QuantizationFlags::Signed, i8, f32, m.weightScales,
                SmallVector<int64_t>(m.weightScales.size(), 0),
                m.anchor.outAxis, wmin, 127))
          : quant::QuantizedType(quant::UniformQuantizedType::get(
                quant::QuantizationFlags::Signed, i8, f32, m.weightScales[0], 0,
                wmin, 127));
  Value weight = quant::StorageCastOp::create(
      b, m.weight.getLoc(), withElement(m.weight.getType(), weightElement),
      m.weight.getInput());

  Value bias;
  if (m.anchor.biasIndex) {
    SmallVector<double> scales;
    for (double w : m.weightScales)
      scales.push_back(inScale * w);
    int64_t lo = std::numeric_limits<int32_t>::min();
    int64_t hi = std::numeric_limits<int32_t>::max();
    quant::QuantizedType biasElement =
        m.perChannel
            ? quant::QuantizedType(quant::UniformQuantizedPerAxisType::get(
                  quant::QuantizationFlags::Signed, i32, f32, scales,
                  SmallVector<int64_t>(scales.size(), 0), 0, lo, hi))
            : quant::QuantizedType(quant::UniformQuantizedType::get(
                  quant::QuantizationFlags::Signed, i32, f32, scales[0], 0, lo,
                  hi));
    Value biasOperand = op->getOperand(*m.anchor.biasIndex);
    auto biasType = cast<RankedTensorType>(biasOperand.getType());
    Value storage;
    if (m.bias) {
      storage = m.bias.getInput();
    } else {
      SmallVector<int32_t> q;
      for (auto [c, v] : llvm::enumerate(*m.floatBias)) {
        QuantParams p;
        p.scale = scales[scales.size() == 1 ? 0 : c];
        p.zeroPoint = 0;
        p.qmin = static_cast<int32_t>(lo);
        p.qmax = static_cast<int32_t>(hi);
        q.push_back(quantize(v, p));
      }
      storage = ConstantOp::create(
          b, loc,
          makeI32Elements(biasType.clone(i32), q,
                          derivedBlobName(op, ".bias.i32", "layer")));
    }
    bias = quant::StorageCastOp::create(
        b, loc, withElement(biasType, biasElement), storage);
  }

  Operation *fusedOp = b.clone(*op);
  fusedOp->setOperand(0, m.input);
  fusedOp->setOperand(m.anchor.weightIndex, weight);
  if (m.anchor.biasIndex)
    fusedOp->setOperand(*m.anchor.biasIndex, bias);
  fusedOp->getResult(0).setType(m.output.getType());
  m.output.getResult().replaceAllUsesWith(fusedOp->getResult(0));
  m.output.erase();
  if (m.fused)
    m.fused->erase();
  op->erase();
  return fusedOp;
}

/// DequantizeLinear(a) x DequantizeLinear(b) -> MatMul -> QuantizeLinear
/// with two activations (attention's Q K^T and P V): the int8 product
/// qnt-quantize makes, on the model's grids. Operands are per-tensor int8
/// of one rank >= 2 with equal batch dims, as the int8 lowering takes.
LogicalResult QntFuseQdqPass::fuseActivationProduct(MatMulOp op,
                                                    std::string &why) {
  auto lhsCast = op.getLhs().getDefiningOp<quant::DequantizeCastOp>();
  auto rhsCast = op.getRhs().getDefiningOp<quant::DequantizeCastOp>();
  auto lhsType = lhsCast ? signedActivation(lhsCast.getInput().getType())
                         : quant::UniformQuantizedType();
  auto rhsType = rhsCast ? signedActivation(rhsCast.getInput().getType())
                         : quant::UniformQuantizedType();
  if (!lhsType || !rhsType) {
    why = "an operand is not dequantized from a per-tensor int8 tensor";
    return failure();
  }
  ArrayRef<int64_t> a = op.getLhs().getType().getShape(),
                    b = op.getRhs().getType().getShape();
  if (a.size() < 2 || a.size() != b.size() ||
      a.drop_back(2) != b.drop_back(2) || a.back() > kMaxActivationProductK) {
    why = "a product of activations needs one rank >= 2, equal batch dims "
          "and K <= " +
          std::to_string(kMaxActivationProductK);
    return failure();
  }
  if (!op.getResult().hasOneUse()) {
    why = "its result has several readers";
    return failure();
  }
  auto output =
      dyn_cast<quant::QuantizeCastOp>(*op.getResult().getUsers().begin());
  auto outType = output ? signedActivation(output.getType())
                        : quant::UniformQuantizedType();
  if (!outType) {
    why = "its result is not quantized to a per-tensor int8 tensor";
    return failure();
  }
  if (!toFixedPoint(lhsType.getScale() * rhsType.getScale() /
                    outType.getScale())) {
    why = "its requantization scale has no fixed-point form";
    return failure();
  }
  OpBuilder builder(op);
  auto fused = MatMulOp::create(builder, op.getLoc(), output.getType(),
                                lhsCast.getInput(), rhsCast.getInput());
  fused->setDiscardableAttrs(op->getDiscardableAttrDictionary());
  output.getResult().replaceAllUsesWith(fused.getResult());
  output.erase();
  op.erase();
  return success();
}

/// Puts a fused layer's operands where qnt-quantize puts them: weight
/// storage and cast, bias storage and cast, the input's qcast, then the op
/// (each only when the layer is its one reader). The same module then
/// compiles to the same binary whether it was quantized by quant or
/// imported from quant's QDQ export.
void QntFuseQdqPass::placeLikeQuantize(Operation *op) {
  std::optional<LinearLayer> layer = getLinearLayer(op);
  if (!layer)
    return;
  auto moveBeforeOp = [&](Operation *def) {
    if (def && def->hasOneUse())
      def->moveBefore(op);
  };
  SmallVector<unsigned, 2> indices = {layer->weightIndex};
  if (layer->biasIndex)
    indices.push_back(*layer->biasIndex);
  for (unsigned i : indices) {
    auto scast = op->getOperand(i).getDefiningOp<quant::StorageCastOp>();
    if (!scast || !scast->hasOneUse())
      continue;
    moveBeforeOp(scast.getInput().getDefiningOp());
    moveBeforeOp(scast);
  }
  if (auto qcast = op->getOperand(0).getDefiningOp<quant::QuantizeCastOp>())
    if (!isa<BlockArgument>(qcast.getInput()) ||
        qcast.getInput().getParentBlock() == op->getBlock())
      moveBeforeOp(qcast);
}

void QntFuseQdqPass::fuseGridOps(func::FuncOp f) {
  SmallVector<Operation *> ops;
  f.walk([&](Operation *op) {
    if (op->hasTrait<PreservesGrid>() && op->getNumOperands() == 1 &&
        op->getNumResults() == 1)
      ops.push_back(op);
  });
  // A nearest resize copies elements, as the PreservesGrid ops do.
  f.walk([&](ResizeOp op) {
    if (op.getMode() == ResizeMode::nearest)
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    auto inCast = op->getOperand(0).getDefiningOp<quant::DequantizeCastOp>();
    if (!inCast || !op->getResult(0).hasOneUse())
      continue;
    auto element = signedActivation(inCast.getInput().getType());
    auto outCast =
        dyn_cast<quant::QuantizeCastOp>(*op->getResult(0).getUsers().begin());
    if (!element || !outCast ||
        getQuantizedElementType(outCast.getType()) != element)
      continue;
    OpBuilder b(op);
    Operation *onInt8 = b.clone(*op);
    onInt8->setOperand(0, inCast.getInput());
    onInt8->getResult(0).setType(outCast.getType());
    outCast.getResult().replaceAllUsesWith(onInt8->getResult(0));
    outCast.erase();
    op->erase();
  }
}

/// DequantizeLinear on every operand -> Add / Sub / Mul / Concat /
/// GlobalAveragePool -> QuantizeLinear: the int8 op qnt-quantize makes
/// (docs/Numerics.md, "Int8 element-wise ops"), on the model's grids. A
/// concat operand on another grid than the output's is requantized to it
/// (quant.qcast(quant.dcast(x)): what DequantizeLinear, Concat and
/// QuantizeLinear compute). Grids the integer arithmetic cannot represent
/// leave the pattern as it is. Returns the number fused.
int64_t QntFuseQdqPass::fuseElementwise(func::FuncOp f) {
  SmallVector<Operation *> ops;
  f.walk([&](Operation *op) {
    if (isa<AddOp, SubOp, MulOp, ConcatOp, GlobalAveragePoolOp>(op))
      ops.push_back(op);
  });
  int64_t fused = 0;
  for (Operation *op : ops) {
    Value result = op->getResult(0);
    if (!result.hasOneUse())
      continue;
    auto output = dyn_cast<quant::QuantizeCastOp>(*result.getUsers().begin());
    auto outType = output ? signedActivation(output.getType())
                          : quant::UniformQuantizedType();
    if (!outType)
      continue;
    SmallVector<quant::DequantizeCastOp> casts;
    for (Value operand : op->getOperands()) {
      auto dcast = operand.getDefiningOp<quant::DequantizeCastOp>();
      if (!dcast || quantizedConstantOf(operand) ||
          !signedActivation(dcast.getInput().getType()))
        break;
      casts.push_back(dcast);
    }
    if (casts.size() != op->getNumOperands())
      continue;
    SmallVector<double> scales;
    for (quant::DequantizeCastOp dcast : casts)
      scales.push_back(signedActivation(dcast.getInput().getType()).getScale());
    if (whyNoInt8Arithmetic(op, scales, outType.getScale()))
      continue;
    OpBuilder b(op);
    SmallVector<Value> operands;
    for (quant::DequantizeCastOp dcast : casts) {
      Value int8 = dcast.getInput();
      if (isa<ConcatOp>(op) &&
          getQuantizedElementType(int8.getType()) != outType)
        int8 = quant::QuantizeCastOp::create(
            b, op->getLoc(), withElement(int8.getType(), outType),
            dcast.getResult());
      operands.push_back(int8);
    }
    Operation *onInt8 = b.clone(*op);
    onInt8->setOperands(operands);
    onInt8->getResult(0).setType(output.getType());
    output.getResult().replaceAllUsesWith(onInt8->getResult(0));
    output.erase();
    op->erase();
    ++fused;
  }
  return fused;
}

void QntFuseQdqPass::dequantizeConstants(func::FuncOp f) {
  SmallVector<quant::DequantizeCastOp> casts;
  f.walk([&](quant::DequantizeCastOp dcast) {
    // 8- and 32-bit grids, as ONNX opsets up to 17 write them (not the
    // int4 weights qnt-quantize makes, which the int4 lowering reads).
    auto scast = quantizedConstantOf(dcast.getResult());
    if (scast &&
        llvm::is_contained({8u, 32u}, getQuantizedElementType(scast.getType())
                                          .getStorageTypeIntegralWidth()))
      casts.push_back(dcast);
  });
  for (quant::DequantizeCastOp dcast : casts) {
    auto scast = quantizedConstantOf(dcast.getResult());
    std::optional<SmallVector<float>> values = dequantized(scast);
    if (!values)
      continue;
    OpBuilder b(dcast);
    auto constant = scast.getInput().getDefiningOp<ConstantOp>();
    std::string name = "dequantized";
    if (auto blob = dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
      name = (blob.getRawHandle().getKey() + ".dq").str();
    Value real = ConstantOp::create(
        b, dcast.getLoc(),
        makeF32Elements(cast<RankedTensorType>(dcast.getType()), *values,
                        name));
    dcast.getResult().replaceAllUsesWith(real);
  }
}

/// A dcast(qcast(x)) that is left (a float op's input or output quantized
/// and dequantized) rounds x to the grid; upstream's dcast folder would drop
/// that, so it becomes a qnt.fake_quant, which computes it.
void QntFuseQdqPass::keepActivationRounding(func::FuncOp f) {
  SmallVector<quant::DequantizeCastOp> pairs;
  f.walk([&](quant::DequantizeCastOp dcast) {
    auto qcast = dcast.getInput().getDefiningOp<quant::QuantizeCastOp>();
    if (qcast && signedActivation(qcast.getType()) && !dcast->use_empty())
      pairs.push_back(dcast);
  });
  for (quant::DequantizeCastOp dcast : pairs) {
    auto qcast = dcast.getInput().getDefiningOp<quant::QuantizeCastOp>();
    auto grid = signedActivation(qcast.getType());
    OpBuilder b(dcast);
    Value rounded = FakeQuantOp::create(
        b, dcast.getLoc(), dcast.getType(), qcast.getInput(),
        b.getF32FloatAttr(static_cast<float>(grid.getScale())),
        b.getI64IntegerAttr(grid.getZeroPoint()),
        b.getI64IntegerAttr(grid.getStorageTypeMin()),
        b.getI64IntegerAttr(grid.getStorageTypeMax()));
    dcast.getResult().replaceAllUsesWith(rounded);
    dcast.erase();
  }
}

void QntFuseQdqPass::runOnOperation() {
  func::FuncOp f = getOperation();
  bool hasCasts = false;
  f.walk([&](Operation *op) {
    if (isa<quant::QuantizeCastOp, quant::DequantizeCastOp>(op))
      hasCasts = true;
  });
  if (!hasCasts)
    return;
  // Constants first, in the order the canonicalizer leaves them (each moved
  // to the block's start in turn), as the float model qnt-quantize rewrites
  // has them; fused layers' integer constants then go next to their ops.
  SmallVector<Operation *> constants;
  for (Operation &op : f.getBody().front())
    if (isa<ConstantOp>(op))
      constants.push_back(&op);
  for (Operation *op : constants)
    op->moveBefore(&f.getBody().front().front());
  makeActivationsSigned(f);

  int64_t fused = 0, keptFloat = 0;
  SmallVector<Operation *> fusedOps;
  SmallVector<Operation *> layers;
  f.walk([&](Operation *op) {
    if (getLinearLayer(op) || isa<MatMulOp>(op))
      layers.push_back(op);
  });
  for (Operation *op : layers) {
    // Only layers whose input the model quantizes are the model's to make
    // int8 (a float layer with only a dequantized weight is weight-only
    // QDQ: it stays float, and that is what the model asks for).
    if (!op->getOperand(0).getDefiningOp<quant::DequantizeCastOp>())
      continue;
    std::string why;
    // Both operands dequantized activations: a product, not a layer.
    if (auto matmul = dyn_cast<MatMulOp>(op)) {
      auto rhsCast = matmul.getRhs().getDefiningOp<quant::DequantizeCastOp>();
      if (rhsCast && !quantizedConstantOf(matmul.getRhs())) {
        if (failed(fuseActivationProduct(matmul, why))) {
          llvm::errs() << "qnt-fuse-qdq: "
                       << derivedBlobName(op, "", op->getName().getStringRef())
                       << " stays float: " << why << "\n";
          ++keptFloat;
        } else {
          ++fused;
        }
        continue;
      }
    }
    FailureOr<LayerMatch> m = matchLayer(op, why);
    if (failed(m)) {
      llvm::errs() << "qnt-fuse-qdq: "
                   << derivedBlobName(op, "", op->getName().getStringRef())
                   << " stays float: " << why << "\n";
      ++keptFloat;
      continue;
    }
    fusedOps.push_back(fuseLayer(op, *m));
    ++fused;
  }
  fuseGridOps(f);
  int64_t elementwise = fuseElementwise(f);
  dequantizeConstants(f);
  keepActivationRounding(f);

  // Casts and constants the rewrites left without readers (in reverse, so
  // that a chain goes reader first).
  for (Operation &op :
       llvm::make_early_inc_range(llvm::reverse(f.getBody().front())))
    if (isOpTriviallyDead(&op))
      op.erase();
  for (Operation *op : fusedOps)
    placeLikeQuantize(op);
  // (Pass statistics are no-ops in builds without LLVM_ENABLE_STATS, so
  // the counts are kept here.)
  numFused += fused;
  numKeptFloat += keptFloat;
  if (fused + keptFloat > 0)
    llvm::errs() << "qnt-fuse-qdq: " << fused
                 << " conv/gemm/matmul int8 with the model's scales, "
                 << keptFloat << " float\n";
  if (elementwise > 0)
    llvm::errs() << "qnt-fuse-qdq: " << elementwise
                 << " add/sub/mul/concat/global_average_pool int8\n";
}
