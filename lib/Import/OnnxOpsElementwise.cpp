//===- OnnxOpsElementwise.cpp - Element-wise ONNX ops -----------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Arithmetic (Add ... Pow, variadic Sum/Max/Min), activations, Clip, Cast,
// Identity and Dropout. Arithmetic and Cast on values known at import time
// (shape arithmetic) are evaluated here, with ONNX's integer semantics.
//
//===----------------------------------------------------------------------===//

#include "OnnxDecompose.h"
#include "OnnxOpsCommon.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

namespace {

//===----------------------------------------------------------------------===//
// Identity, Dropout
//===----------------------------------------------------------------------===//

/// Dropout before opset 12 has only a `ratio` attribute: the identity at
/// inference.
LogicalResult convertDropout7(Importer &im, const onnx::NodeProto &node) {
  return convertIdentity(im, node);
}

/// Dropout from opset 12 is the identity at inference or with ratio 0;
/// training mode (a `training_mode` input that is not a constant false) with
/// another ratio would sample a mask.
LogicalResult convertDropout12(Importer &im, const onnx::NodeProto &node) {
  if (im.hasInput(node, 2)) {
    const ConstTensor *training = im.getConst(node, 2);
    const ConstTensor *ratio =
        im.hasInput(node, 1) ? im.getConst(node, 1) : nullptr;
    bool zeroRatio = ratio && ratio->isFloat() && !ratio->floats.empty() &&
                     ratio->floats[0] == 0.0f;
    bool inference =
        training && !training->ints.empty() && training->ints[0] == 0;
    if (!inference && !zeroRatio)
      return im.notSupported(node) << "Dropout in training mode with a ratio "
                                      "that is not a constant 0";
  }
  return convertIdentity(im, node);
}

//===----------------------------------------------------------------------===//
// Binary arithmetic
//===----------------------------------------------------------------------===//

// The import-time semantics of each binary op: on doubles for float tensors,
// on int64 with two's-complement wrapping (as ONNX runtimes behave; signed
// overflow is undefined in C++) for integer tensors.
struct AddFn {
  static double real(double a, double b) { return a + b; }
  static int64_t integer(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) +
                                static_cast<uint64_t>(b));
  }
};
struct SubFn {
  static double real(double a, double b) { return a - b; }
  static int64_t integer(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) -
                                static_cast<uint64_t>(b));
  }
};
struct MulFn {
  static double real(double a, double b) { return a * b; }
  static int64_t integer(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) *
                                static_cast<uint64_t>(b));
  }
};
struct DivFn {
  static double real(double a, double b) { return a / b; }
  static int64_t integer(int64_t a, int64_t b) {
    return b == 0 || (b == -1 && a == std::numeric_limits<int64_t>::min())
               ? 0
               : a / b;
  }
};
struct PowFn {
  static double real(double a, double b) { return std::pow(a, b); }
  static int64_t integer(int64_t a, int64_t b) {
    return toInt64(std::pow(a, b));
  }
};
struct MaxFn {
  static double real(double a, double b) { return std::max(a, b); }
  static int64_t integer(int64_t a, int64_t b) { return std::max(a, b); }
};
struct MinFn {
  static double real(double a, double b) { return std::min(a, b); }
  static int64_t integer(int64_t a, int64_t b) { return std::min(a, b); }
};

/// Evaluates a (variadic) binary op on import-time constants, left to right.
template <typename Fn>
LogicalResult foldBinary(Importer &im, const onnx::NodeProto &node) {
  ConstTensor result = *im.getConst(node, 0);
  for (int k = 1; k < node.input_size(); ++k) {
    const ConstTensor *rhs = im.getConst(node, k);
    auto shape = broadcastShapes(result.shape, rhs->shape);
    if (!shape)
      return im.nodeError(node)
             << "operands of shapes " << formatShape(result.shape) << " and "
             << formatShape(rhs->shape) << " do not broadcast";
    ConstTensor lhs = std::move(result);
    result = makeConst(
        lhs.dtype, *shape,
        [&](int64_t i) {
          return Fn::real(
              lhs.getDouble(broadcastIndex(i, *shape, lhs.shape)),
              rhs->getDouble(broadcastIndex(i, *shape, rhs->shape)));
        },
        [&](int64_t i) {
          return Fn::integer(
              lhs.getInt(broadcastIndex(i, *shape, lhs.shape)),
              rhs->getInt(broadcastIndex(i, *shape, rhs->shape)));
        });
  }
  im.setConst(node, 0, std::move(result));
  return success();
}

/// `v` as a tensor of `element` (qnt.cast, ONNX's Cast semantics), or `v`
/// itself when it already is one.
Value castTo(Importer &im, const onnx::NodeProto &node, Value v, Type element) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getElementType() == element)
    return v;
  return CastOp::create(im.getBuilder(), im.getLoc(node),
                        type.clone(element), v);
}

/// Operand `k` of a float binary op. An integer exponent of Pow (a
/// constant, or a value cast at run time) is used as its float value.
FailureOr<Value> getFloatOperand(Importer &im, const onnx::NodeProto &node,
                                 int k, RankedTensorType resultType) {
  const ConstTensor *c = im.getConst(node, k);
  if (c && !c->isFloat() && resultType.getElementType().isF32()) {
    ConstTensor asFloat = makeConst(
        onnx::TensorProto::FLOAT, c->shape,
        [&](int64_t i) { return c->getDouble(i); },
        [&](int64_t i) { return c->getInt(i); });
    return im.materialize(asFloat, im.getLoc(node), "exponent");
  }
  FailureOr<Value> v = im.getValue(node, k);
  if (failed(v))
    return failure();
  auto type = cast<RankedTensorType>(v->getType());
  if (k == 1 && node.op_type() == "Pow" &&
      isa<IntegerType>(type.getElementType()) &&
      !type.getElementType().isInteger(1))
    return castTo(im, node, *v, resultType.getElementType());
  if (failed(requireFloat(im, node, type)))
    return failure();
  return *v;
}

/// Operand `k` of an integer binary op: of the result's type (Pow's
/// integer exponent is cast to it).
FailureOr<Value> getIntegerOperand(Importer &im, const onnx::NodeProto &node,
                                   int k, RankedTensorType resultType) {
  FailureOr<Value> v = im.getValue(node, k);
  if (failed(v))
    return failure();
  Type element = cast<ShapedType>(v->getType()).getElementType();
  if (element == resultType.getElementType())
    return *v;
  if (k == 1 && node.op_type() == "Pow" && isa<IntegerType>(element) &&
      !element.isInteger(1))
    return castTo(im, node, *v, resultType.getElementType());
  return im.nodeError(node) << "input " << k << " is " << element
                            << " but the result is "
                            << resultType.getElementType();
}

/// Whether an op's integer result depends on the sign of its operands
/// (two's-complement add, sub and mul do not).
template <typename OpTy>
constexpr bool signMatters() {
  return !std::is_same_v<OpTy, AddOp> && !std::is_same_v<OpTy, SubOp> &&
         !std::is_same_v<OpTy, MulOp>;
}

/// Pow with an integer base and a float exponent: the result has the
/// base's type, computed in float and truncated toward zero (as ONNX
/// Runtime, which computes in double: the two agree while |x^y| < 2^24).
LogicalResult convertIntegerPowFloatExponent(Importer &im,
                                             const onnx::NodeProto &node,
                                             RankedTensorType type) {
  FailureOr<Value> base = im.getValue(node, 0);
  FailureOr<Value> exponent = im.getValue(node, 1);
  if (failed(base) || failed(exponent) ||
      failed(requireNumeric(im, node, type, /*signMatters=*/true)))
    return failure();
  Type f32 = im.getBuilder().getF32Type();
  Value result =
      PowOp::create(im.getBuilder(), im.getLoc(node), type.clone(f32),
                    castTo(im, node, *base, f32), castTo(im, node, *exponent, f32));
  im.setValue(node, 0, castTo(im, node, result, type.getElementType()));
  return success();
}

/// Whether any input of `node` is ONNX uint8.
bool hasUint8Input(Importer &im, const onnx::NodeProto &node) {
  for (int i = 0; i < node.input_size(); ++i)
    if (im.isUint8Input(node, i))
      return true;
  return false;
}

/// A sign-sensitive op (Div, Max, Min) on uint8, which qnt holds as i8
/// bits: the operands zero-extended to i32, the op there, the low 8 bits
/// kept (the result is in 0..255).
template <typename OpTy>
LogicalResult convertUint8Binary(Importer &im, const onnx::NodeProto &node,
                                 RankedTensorType type) {
  Type i32 = im.getBuilder().getI32Type();
  Decomposer d(im, node, i32);
  FailureOr<Value> acc = getIntegerOperand(im, node, 0, type);
  if (failed(acc))
    return failure();
  Value wide = d.zeroExtend8(*acc);
  for (int k = 1; k < node.input_size(); ++k) {
    FailureOr<Value> rhs = getIntegerOperand(im, node, k, type);
    if (failed(rhs))
      return failure();
    Value r = d.zeroExtend8(*rhs);
    auto shape = broadcastShapes(shapeOf(wide), shapeOf(r));
    if (!shape)
      return im.nodeError(node) << "operands do not broadcast";
    wide = OpTy::create(im.getBuilder(), im.getLoc(node),
                        RankedTensorType::get(*shape, i32), wide, r);
  }
  im.setValue(node, 0, d.castTo(wide, type.getElementType()));
  return success();
}

/// Add, Sub, Mul, Div, Pow, Max, Min (and the variadic Sum, Max, Min): one
/// qnt op per operand after the first, on floats or on signed integers.
template <typename OpTy, typename Fn>
LogicalResult convertBinary(Importer &im, const onnx::NodeProto &node) {
  if (node.input_size() < 1)
    return im.nodeError(node) << "needs at least one input";
  if (node.input_size() == 1)
    return convertIdentity(im, node);
  if (allConst(im, node))
    return foldBinary<Fn>(im, node);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  bool integer = isa<IntegerType>(type->getElementType());
  if (integer && std::is_same_v<OpTy, PowOp>) {
    FailureOr<Value> exponent = im.getValue(node, 1);
    if (failed(exponent))
      return failure();
    if (isa<FloatType>(cast<ShapedType>(exponent->getType()).getElementType()))
      return convertIntegerPowFloatExponent(im, node, *type);
  }
  if constexpr (signMatters<OpTy>() && !std::is_same_v<OpTy, PowOp>)
    if (integer && hasUint8Input(im, node))
      return convertUint8Binary<OpTy>(im, node, *type);
  if (integer ? failed(requireNumeric(im, node, *type, signMatters<OpTy>()))
              : failed(requireFloat(im, node, *type)))
    return failure();
  auto operand = [&](int k) {
    return integer ? getIntegerOperand(im, node, k, *type)
                   : getFloatOperand(im, node, k, *type);
  };
  FailureOr<Value> acc = operand(0);
  if (failed(acc))
    return failure();
  for (int k = 1; k < node.input_size(); ++k) {
    FailureOr<Value> rhs = operand(k);
    if (failed(rhs))
      return failure();
    // Intermediate results of a variadic op have the broadcast shape so far.
    RankedTensorType stepType = *type;
    if (k + 1 < node.input_size()) {
      auto shape = broadcastShapes(shapeOf(*acc), shapeOf(*rhs));
      if (!shape)
        return im.nodeError(node) << "operands do not broadcast";
      stepType = RankedTensorType::get(*shape, type->getElementType());
    }
    acc = OpTy::create(im.getBuilder(), im.getLoc(node), stepType, *acc, *rhs)
              .getResult();
  }
  im.setValue(node, 0, *acc);
  return success();
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

LogicalResult convertNeg(Importer &im, const onnx::NodeProto &node) {
  if (const ConstTensor *c = im.getConst(node, 0)) {
    im.setConst(node, 0,
                makeConst(
                    c->dtype, c->shape,
                    [&](int64_t i) { return -c->getDouble(i); },
                    [&](int64_t i) {
                      return static_cast<int64_t>(
                          0 - static_cast<uint64_t>(c->getInt(i)));
                    }));
    return success();
  }
  FailureOr<InputAndType> io = getInputAndType(im, node);
  if (failed(io))
    return failure();
  // -x as x * -1: exact, and keeps the sign of zero.
  Location loc = im.getLoc(node);
  Value minusOne = materializeFloats(im, {-1.0f}, {}, loc, "neg");
  im.setValue(node, 0,
              MulOp::create(im.getBuilder(), loc, io->type, io->x, minusOne));
  return success();
}

LogicalResult convertLeakyRelu(Importer &im, const onnx::NodeProto &node) {
  FailureOr<InputAndType> io = getInputAndType(im, node);
  if (failed(io))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(
      node, 0,
      LeakyReluOp::create(b, im.getLoc(node), io->type, io->x,
                          b.getF32FloatAttr(attrFloat(node, "alpha", 0.01f))));
  return success();
}

LogicalResult convertHardSigmoid(Importer &im, const onnx::NodeProto &node) {
  FailureOr<InputAndType> io = getInputAndType(im, node);
  if (failed(io))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(
      node, 0,
      HardSigmoidOp::create(b, im.getLoc(node), io->type, io->x,
                            b.getF32FloatAttr(attrFloat(node, "alpha", 0.2f)),
                            b.getF32FloatAttr(attrFloat(node, "beta", 0.5f))));
  return success();
}

//===----------------------------------------------------------------------===//
// Clip
//===----------------------------------------------------------------------===//

/// Binds output 0 to `x` clamped to the bounds that are given.
LogicalResult buildClamp(Importer &im, const onnx::NodeProto &node, Value x,
                         RankedTensorType type, std::optional<float> lo,
                         std::optional<float> hi) {
  if (lo && hi && *lo > *hi)
    return im.nodeError(node) << "min " << formatFloat(*lo)
                              << " is greater than max " << formatFloat(*hi);
  if (!lo && !hi) {
    im.setValue(node, 0, x);
    return success();
  }
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              ClampOp::create(b, im.getLoc(node), type, x,
                              lo ? b.getF32FloatAttr(*lo) : FloatAttr(),
                              hi ? b.getF32FloatAttr(*hi) : FloatAttr()));
  return success();
}

/// Clip before opset 11: optional `min` and `max` attributes.
LogicalResult convertClip6(Importer &im, const onnx::NodeProto &node) {
  FailureOr<InputAndType> io = getInputAndType(im, node, /*floatResult=*/true);
  if (failed(io))
    return failure();
  std::optional<float> lo, hi;
  if (findAttr(node, "min"))
    lo = attrFloat(node, "min", 0);
  if (findAttr(node, "max"))
    hi = attrFloat(node, "max", 0);
  return buildClamp(im, node, io->x, io->type, lo, hi);
}

/// Clip from opset 11: bounds are optional scalar inputs. Constant float
/// bounds become the clamp's attributes; a bound computed at run time (the
/// log-mel "max - 80 dB" floor) and integer bounds become an element-wise
/// max/min with the scalar.
LogicalResult convertClip11(Importer &im, const onnx::NodeProto &node) {
  FailureOr<InputAndType> io = getInputAndType(im, node);
  if (failed(io))
    return failure();
  // Integers (opset 12) clamp with max then min, so that min > max gives
  // max everywhere, as the ONNX spec says.
  bool integer = isa<IntegerType>(io->type.getElementType());
  // uint8 (i8 bits) clamps its zero-extended values, then keeps 8 bits.
  bool uint8 = integer && im.isUint8Input(node, 0);
  if (integer
          ? failed(requireNumeric(im, node, io->type, /*signMatters=*/!uint8))
          : failed(requireFloat(im, node, io->type)))
    return failure();
  auto &b = im.getBuilder();
  Location loc = im.getLoc(node);
  std::optional<float> lo, hi;
  Decomposer wide(im, node, b.getI32Type());
  Value result = uint8 ? wide.zeroExtend8(io->x) : io->x;
  RankedTensorType computeType =
      uint8 ? io->type.clone(b.getI32Type()) : io->type;
  for (int i : {1, 2}) {
    if (!im.hasInput(node, i))
      continue;
    const ConstTensor *c = im.getConst(node, i);
    if (c && !integer) {
      if (c->numElements() != 1)
        return im.nodeError(node)
               << (i == 1 ? "min" : "max") << " must be a scalar";
      (i == 1 ? lo : hi) = static_cast<float>(c->getDouble(0));
      continue;
    }
    FailureOr<Value> bound = im.getValue(node, i);
    if (failed(bound))
      return failure();
    if (cast<ShapedType>(bound->getType()).getNumElements() != 1)
      return im.nodeError(node)
             << (i == 1 ? "min" : "max") << " must be a scalar";
    Value v = uint8 ? wide.zeroExtend8(*bound) : *bound;
    result = i == 1 ? Value(MaxOp::create(b, loc, computeType, result, v))
                    : Value(MinOp::create(b, loc, computeType, result, v));
  }
  if (uint8)
    result = wide.castTo(result, io->type.getElementType());
  return buildClamp(im, node, result, io->type, lo, hi);
}

//===----------------------------------------------------------------------===//
// Cast
//===----------------------------------------------------------------------===//

LogicalResult convertCast(Importer &im, const onnx::NodeProto &node) {
  int32_t to = static_cast<int32_t>(attrInt(node, "to", 0));
  // float16 is computed in float32: a Cast to it rounds constants to
  // float16's values and leaves run-time values as they are.
  bool toHalf = to == onnx::TensorProto::FLOAT16;
  if (const ConstTensor *c = im.getConst(node, 0)) {
    ConstTensor r = makeConst(
        to, c->shape, [&](int64_t i) { return c->getDouble(i); },
        [&](int64_t i) {
          // Float to integer truncates toward zero, as ONNX Cast does.
          return c->isFloat() ? toInt64(c->getDouble(i)) : c->getInt(i);
        });
    if (to == onnx::TensorProto::BOOL)
      for (int64_t &v : r.ints)
        v = v != 0;
    if (toHalf)
      for (float &v : r.floats)
        v = roundToHalf(v);
    if (!im.getElementType(to))
      return im.notSupported(node) << "cast to data type " << to;
    im.setConst(node, 0, std::move(r));
    return success();
  }
  FailureOr<InputAndType> io = getInputAndType(im, node);
  if (failed(io))
    return failure();
  // A Cast of a quantized tensor to its own storage type (PyTorch's exporter
  // writes QuantizeLinear -> Cast(uint8) -> DequantizeLinear) changes
  // nothing; to anything else it would read the integers as values.
  if (auto q = dyn_cast<quant::QuantizedType>(
          cast<ShapedType>(io->x.getType()).getElementType())) {
    if (q.getStorageTypeIntegralWidth() != 8 ||
        to !=
            (q.isSigned() ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8))
      return im.notSupported(node)
             << "casts quantized tensor '" << node.input(0) << "' to data type "
             << to << "; only a cast to its own storage type (a no-op) is";
    im.setValue(node, 0, io->x);
    return success();
  }
  if (io->x.getType() == io->type) {
    im.setValue(node, 0, io->x);
    return success();
  }
  // uint8 is i8 bits: read it zero-extended, and make it from a float
  // through i32 (whose low 8 bits are the value), never by fptosi to i8.
  Decomposer d(im, node, im.getBuilder().getI32Type());
  Value x = io->x;
  Type from = cast<ShapedType>(x.getType()).getElementType();
  if (from.isInteger(8) && im.isUint8Input(node, 0))
    x = d.zeroExtend8(x);
  else if (isa<FloatType>(from) && to == onnx::TensorProto::UINT8)
    x = d.castTo(x, im.getBuilder().getI32Type());
  im.setValue(node, 0, d.castTo(x, io->type.getElementType()));
  return success();
}

} // namespace

void mlir::qnt::detail::populateElementwiseConverters(OnnxOpRegistry &r) {
  constexpr auto known = ImportTimeEval::WhenInputsKnown;
  r.onOp("Identity", 1, convertIdentity, known);
  r.onOp("Dropout", 7, convertDropout7);
  r.onOp("Dropout", 12, convertDropout12);
  r.onOp("Cast", 6, convertCast, known);

  r.onOp("Add", 7, convertBinary<AddOp, AddFn>, known);
  r.onOp("Sub", 7, convertBinary<SubOp, SubFn>, known);
  r.onOp("Mul", 7, convertBinary<MulOp, MulFn>, known);
  r.onOp("Div", 7, convertBinary<DivOp, DivFn>, known);
  r.onOp("Pow", 7, convertBinary<PowOp, PowFn>);
  // Sum, Max and Min-6 take equal shapes, -8 broadcast: one converter.
  r.onOp("Sum", 6, convertBinary<AddOp, AddFn>, known);
  r.onOp("Max", 6, convertBinary<MaxOp, MaxFn>, known);
  r.onOp("Min", 6, convertBinary<MinOp, MinFn>, known);
  r.onOp("Neg", 6, convertNeg, known);

  r.onOp("Abs", 6, convertUnary<AbsOp>);
  r.onOp("Round", 11, convertUnary<RoundOp>);
  r.onOp("Sqrt", 6, convertUnary<SqrtOp>);
  r.onOp("Exp", 6, convertUnary<ExpOp>);
  r.onOp("Log", 6, convertUnary<LogOp>);
  r.onOp("Erf", 9, convertUnary<ErfOp>);
  r.onOp("Tanh", 6, convertUnary<TanhOp>);
  r.onOp("Relu", 6, convertUnary<ReluOp>);
  r.onOp("Sigmoid", 6, convertUnary<SigmoidOp>);
  r.onOp("Softplus", 1, convertUnary<SoftplusOp>);
  r.onOp("HardSwish", 14, convertUnary<HardSwishOp>);
  r.onOp("LeakyRelu", 6, convertLeakyRelu);
  r.onOp("HardSigmoid", 6, convertHardSigmoid);
  r.onOp("Clip", 6, convertClip6);
  r.onOp("Clip", 11, convertClip11);
}
