//===- OnnxOps.cpp - One converter per ONNX op ------------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Each converter reads the node's attributes and inputs in the form its
// opset uses (attributes that became inputs, changed defaults), resolves
// everything implicit (auto_pad, negative axes, clamped slice bounds), and
// builds the qnt op with the result type ONNX shape inference computed; the
// op's verifier then checks that type against qnt's own shape formulas.
//
// Ops whose inputs are all known at import time (shape arithmetic: Shape,
// Gather, Concat, Unsqueeze, Cast, ...) are evaluated here instead, so that
// Reshape, Slice, Resize and Pad see constant operands.
//
// Some checks here repeat what ONNX's schema check and shape inference
// already reject (attribute lengths, ranks, broadcasting, branch counts).
// They stay: the converters index by those values, and the fuzzer showed
// libonnx's checks are not complete. No lit test can reach them through
// quant-import; each sits before the indexing it protects.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "quant/Dialect/Qnt/IR/QntShapes.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

namespace {

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *findAttr(const onnx::NodeProto &node,
                                     StringRef name) {
  for (const auto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t attrInt(const onnx::NodeProto &node, StringRef name, int64_t dflt) {
  const auto *attr = findAttr(node, name);
  return attr ? attr->i() : dflt;
}

float attrFloat(const onnx::NodeProto &node, StringRef name, float dflt) {
  const auto *attr = findAttr(node, name);
  return attr ? attr->f() : dflt;
}

std::string attrString(const onnx::NodeProto &node, StringRef name,
                       StringRef dflt) {
  const auto *attr = findAttr(node, name);
  return attr ? attr->s() : dflt.str();
}

std::optional<SmallVector<int64_t>> attrInts(const onnx::NodeProto &node,
                                             StringRef name) {
  const auto *attr = findAttr(node, name);
  if (!attr)
    return std::nullopt;
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::optional<SmallVector<float>> attrFloats(const onnx::NodeProto &node,
                                             StringRef name) {
  const auto *attr = findAttr(node, name);
  if (!attr)
    return std::nullopt;
  return SmallVector<float>(attr->floats().begin(), attr->floats().end());
}

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<ShapedType>(value.getType()).getShape();
}

/// Normalizes an ONNX axis (negative counts from the end); fails when out of
/// range.
FailureOr<int64_t> normalizeAxis(Importer &im, const onnx::NodeProto &node,
                                 int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return im.nodeError(node)
           << "axis " << axis << " is out of range for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

/// Integer list from a constant input.
FailureOr<SmallVector<int64_t>>
constInts(Importer &im, const onnx::NodeProto &node, int i, StringRef what) {
  const ConstTensor *c = im.getConst(node, i);
  if (!c)
    return im.notSupported(node) << what
                                 << " must be known at import time (a "
                                    "constant or computed from static shapes)";
  SmallVector<int64_t> result;
  for (int64_t k = 0; k < c->numElements(); ++k)
    result.push_back(c->getInt(k));
  return result;
}

FailureOr<SmallVector<float>>
constFloats(Importer &im, const onnx::NodeProto &node, int i, StringRef what) {
  const ConstTensor *c = im.getConst(node, i);
  if (!c)
    return im.notSupported(node) << what << " must be a constant";
  SmallVector<float> result;
  for (int64_t k = 0; k < c->numElements(); ++k)
    result.push_back(static_cast<float>(c->getDouble(k)));
  return result;
}

bool allConst(Importer &im, const onnx::NodeProto &node) {
  for (int i = 0; i < node.input_size(); ++i)
    if (!im.isFoldableInput(node, i))
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Import-time evaluation helpers
//===----------------------------------------------------------------------===//

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Element index in a tensor of `shape` broadcast to `outShape`.
int64_t broadcastIndex(int64_t flat, ArrayRef<int64_t> outShape,
                       ArrayRef<int64_t> shape) {
  SmallVector<int64_t> outStrides = stridesOf(outShape);
  SmallVector<int64_t> inStrides = stridesOf(shape);
  int64_t offset = outShape.size() - shape.size();
  int64_t index = 0;
  for (size_t d = 0; d < outShape.size(); ++d) {
    int64_t coord = (flat / outStrides[d]) % outShape[d];
    if (static_cast<int64_t>(d) >= offset && shape[d - offset] != 1)
      index += coord * inStrides[d - offset];
  }
  return index;
}

/// A ConstTensor of `dtype` and `shape` filled by `get(i)`.
ConstTensor makeConst(int32_t dtype, ArrayRef<int64_t> shape,
                      function_ref<double(int64_t)> getDouble,
                      function_ref<int64_t(int64_t)> getInt) {
  ConstTensor c;
  c.dtype = dtype;
  c.shape.assign(shape.begin(), shape.end());
  int64_t n = *numElements(shape);
  if (c.isFloat())
    for (int64_t i = 0; i < n; ++i)
      c.floats.push_back(toFloat(getDouble(i)));
  else
    for (int64_t i = 0; i < n; ++i)
      c.ints.push_back(getInt(i));
  return c;
}

/// Same data, new shape.
ConstTensor reshapeConst(const ConstTensor &c, ArrayRef<int64_t> shape) {
  ConstTensor r = c;
  r.shape.assign(shape.begin(), shape.end());
  return r;
}

//===----------------------------------------------------------------------===//
// Converters
//===----------------------------------------------------------------------===//

/// qnt's compute ops take float (and quantized) tensors; integer arithmetic
/// is only evaluated at import time, on shape values.
LogicalResult requireFloat(Importer &im, const onnx::NodeProto &node,
                           RankedTensorType type) {
  if (isa<FloatType>(type.getElementType()))
    return success();
  return im.notSupported(node)
         << "computing on " << type.getElementType() << " tensors at run time";
}

using Converter = LogicalResult (*)(Importer &, const onnx::NodeProto &);

/// Binds output 0 to input 0 (Identity, Dropout at inference).
LogicalResult convertIdentity(Importer &im, const onnx::NodeProto &node) {
  if (const ConstTensor *c = im.getConst(node, 0)) {
    im.setConst(node, 0, *c);
    return success();
  }
  FailureOr<Value> x = im.getValue(node, 0);
  if (failed(x))
    return failure();
  im.setValue(node, 0, *x);
  return success();
}

/// Dropout is the identity at inference or with ratio 0; training mode (a
/// `training_mode` input that is not a constant false) with another ratio
/// would sample a mask.
LogicalResult convertDropout(Importer &im, const onnx::NodeProto &node) {
  if (im.hasInput(node, 2)) {
    const ConstTensor *training = im.getConst(node, 2);
    const ConstTensor *ratio =
        im.hasInput(node, 1) ? im.getConst(node, 1) : nullptr;
    bool zeroRatio = ratio && ratio->isFloat() && !ratio->floats.empty() &&
                     ratio->floats[0] == 0.0f;
    bool inference =
        training && !training->ints.empty() && training->ints[0] == 0;
    if (!inference && !zeroRatio)
      return im.notSupported(node)
             << "Dropout in training mode with a ratio that is not a constant 0";
  }
  return convertIdentity(im, node);
}

LogicalResult convertConstant(Importer &im, const onnx::NodeProto &node) {
  ConstTensor c;
  if (const auto *attr = findAttr(node, "value")) {
    if (attr->t().data_location() == onnx::TensorProto::EXTERNAL)
      return im.notSupported(node) << "a Constant with external data";
    FailureOr<ConstTensor> value =
        im.readTensor(attr->t(), "constant '" + node.output(0) + "'");
    if (failed(value))
      return failure();
    c = std::move(*value);
  } else if (const auto *f = findAttr(node, "value_float")) {
    c.dtype = onnx::TensorProto::FLOAT;
    c.floats.push_back(f->f());
  } else if (const auto *fs = findAttr(node, "value_floats")) {
    c.dtype = onnx::TensorProto::FLOAT;
    c.shape.push_back(fs->floats_size());
    c.floats.assign(fs->floats().begin(), fs->floats().end());
  } else if (const auto *i = findAttr(node, "value_int")) {
    c.dtype = onnx::TensorProto::INT64;
    c.ints.push_back(i->i());
  } else if (const auto *is = findAttr(node, "value_ints")) {
    c.dtype = onnx::TensorProto::INT64;
    c.shape.push_back(is->ints_size());
    c.ints.assign(is->ints().begin(), is->ints().end());
  } else {
    return im.notSupported(node) << "sparse or string constants";
  }
  im.setConst(node, 0, std::move(c));
  return success();
}

LogicalResult convertShape(Importer &im, const onnx::NodeProto &node) {
  SmallVector<int64_t> shape;
  if (const ConstTensor *c = im.getConst(node, 0)) {
    shape = c->shape;
  } else if (auto known = im.getStaticShape(node.input(0))) {
    shape = *known;
  } else {
    return im.nodeError(node)
           << "the shape of input '" << node.input(0) << "' is not static";
  }
  int64_t rank = shape.size();
  int64_t start = attrInt(node, "start", 0), end = attrInt(node, "end", rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  ConstTensor c;
  c.dtype = onnx::TensorProto::INT64;
  for (int64_t d = start; d < end; ++d)
    c.ints.push_back(shape[d]);
  c.shape.push_back(c.ints.size());
  im.setConst(node, 0, std::move(c));
  return success();
}

LogicalResult convertConstantOfShape(Importer &im,
                                     const onnx::NodeProto &node) {
  FailureOr<SmallVector<int64_t>> shape = constInts(im, node, 0, "the shape");
  if (failed(shape))
    return failure();
  std::optional<int64_t> n = numElements(*shape);
  if (!n || *n > kMaxFoldElements)
    return im.nodeError(node) << "shape " << formatShape(*shape)
                              << " is too large to materialize at import time";
  ConstTensor c;
  c.dtype = onnx::TensorProto::FLOAT;
  double value = 0;
  if (const auto *attr = findAttr(node, "value")) {
    const auto &t = attr->t();
    c.dtype = t.data_type();
    if (t.data_type() == onnx::TensorProto::FLOAT)
      value = t.float_data_size()  ? t.float_data(0)
              : t.raw_data().size() >= 4
                  ? [&] { float f; std::memcpy(&f, t.raw_data().data(), 4); return static_cast<double>(f); }()
                  : 0.0;
    else if (t.data_type() == onnx::TensorProto::INT64)
      value = t.int64_data_size() ? static_cast<double>(t.int64_data(0))
              : t.raw_data().size() >= 8
                  ? [&] { int64_t v; std::memcpy(&v, t.raw_data().data(), 8); return static_cast<double>(v); }()
                  : 0.0;
    else
      return im.notSupported(node) << "value type " << t.data_type();
  }
  im.setConst(node, 0,
              makeConst(
                  c.dtype, *shape, [&](int64_t) { return value; },
                  [&](int64_t) { return toInt64(value); }));
  return success();
}

/// Add, Sub, Mul, Div, Pow, Max, Min (and the variadic Sum, Max, Min).
template <typename OpTy>
LogicalResult convertBinary(Importer &im, const onnx::NodeProto &node) {
  if (node.input_size() < 1)
    return im.nodeError(node) << "needs at least one input";
  if (node.input_size() == 1)
    return convertIdentity(im, node);
  if (allConst(im, node)) {
    // Shape arithmetic: evaluate here.
    const ConstTensor *acc = im.getConst(node, 0);
    ConstTensor result = *acc;
    for (int k = 1; k < node.input_size(); ++k) {
      const ConstTensor *rhs = im.getConst(node, k);
      auto shape = broadcastShapes(result.shape, rhs->shape);
      if (!shape)
        return im.nodeError(node)
               << "operands of shapes " << formatShape(result.shape) << " and "
               << formatShape(rhs->shape) << " do not broadcast";
      ConstTensor lhs = result;
      auto f = [&](int64_t i) {
        double a = lhs.getDouble(broadcastIndex(i, *shape, lhs.shape));
        double b = rhs->getDouble(broadcastIndex(i, *shape, rhs->shape));
        StringRef op = node.op_type();
        if (op == "Add" || op == "Sum")
          return a + b;
        if (op == "Sub")
          return a - b;
        if (op == "Mul")
          return a * b;
        if (op == "Div")
          return a / b;
        if (op == "Pow")
          return std::pow(a, b);
        if (op == "Max")
          return std::max(a, b);
        return std::min(a, b);
      };
      auto g = [&](int64_t i) -> int64_t {
        int64_t a = lhs.getInt(broadcastIndex(i, *shape, lhs.shape));
        int64_t b = rhs->getInt(broadcastIndex(i, *shape, rhs->shape));
        StringRef op = node.op_type();
        // Two's-complement wrapping, as int64 tensor arithmetic in ONNX
        // runtimes behaves (signed overflow is undefined in C++).
        auto ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
        if (op == "Add" || op == "Sum")
          return static_cast<int64_t>(ua + ub);
        if (op == "Sub")
          return static_cast<int64_t>(ua - ub);
        if (op == "Mul")
          return static_cast<int64_t>(ua * ub);
        if (op == "Div")
          return b == 0 || (b == -1 && a == std::numeric_limits<int64_t>::min())
                     ? 0
                     : a / b;
        if (op == "Pow")
          return toInt64(std::pow(a, b));
        if (op == "Max")
          return std::max(a, b);
        return std::min(a, b);
      };
      result = makeConst(lhs.dtype, *shape, f, g);
    }
    im.setConst(node, 0, std::move(result));
    return success();
  }
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  if (failed(requireFloat(im, node, *type)))
    return failure();
  FailureOr<Value> acc = im.getValue(node, 0);
  if (failed(acc) ||
      failed(requireFloat(im, node, cast<RankedTensorType>(acc->getType()))))
    return failure();
  for (int k = 1; k < node.input_size(); ++k) {
    Value rhs;
    // Pow's exponent may be an integer constant: use its float value.
    const ConstTensor *c = im.getConst(node, k);
    if (c && !c->isFloat() && type->getElementType().isF32()) {
      ConstTensor asFloat = makeConst(
          onnx::TensorProto::FLOAT, c->shape,
          [&](int64_t i) { return c->getDouble(i); },
          [&](int64_t i) { return c->getInt(i); });
      rhs = im.materialize(asFloat, im.getLoc(node), "exponent");
    } else {
      FailureOr<Value> v = im.getValue(node, k);
      if (failed(v) ||
          failed(requireFloat(im, node, cast<RankedTensorType>(v->getType()))))
        return failure();
      rhs = *v;
    }
    // Intermediate results of a variadic op have the broadcast shape so far.
    RankedTensorType stepType = *type;
    if (k + 1 < node.input_size()) {
      auto shape = broadcastShapes(shapeOf(*acc), shapeOf(rhs));
      if (!shape)
        return im.nodeError(node) << "operands do not broadcast";
      stepType = RankedTensorType::get(*shape, type->getElementType());
    }
    acc = OpTy::create(im.getBuilder(), im.getLoc(node), stepType, *acc, rhs)
              .getResult();
  }
  im.setValue(node, 0, *acc);
  return success();
}

template <typename OpTy>
LogicalResult convertUnary(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type) || failed(requireFloat(im, node, *type)) ||
      failed(requireFloat(im, node, cast<RankedTensorType>(x->getType()))))
    return failure();
  im.setValue(node, 0,
              OpTy::create(im.getBuilder(), im.getLoc(node), *type, *x));
  return success();
}

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
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type))
    return failure();
  // -x as x * -1: exact, and keeps the sign of zero.
  ConstTensor minusOne;
  minusOne.dtype = onnx::TensorProto::FLOAT;
  minusOne.floats.push_back(-1.0f);
  Value m = im.materialize(minusOne, im.getLoc(node), "neg");
  im.setValue(node, 0,
              MulOp::create(im.getBuilder(), im.getLoc(node), *type, *x, m));
  return success();
}

LogicalResult convertLeakyRelu(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(
      node, 0,
      LeakyReluOp::create(b, im.getLoc(node), *type, *x,
                          b.getF32FloatAttr(attrFloat(node, "alpha", 0.01f))));
  return success();
}

LogicalResult convertHardSigmoid(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(
      node, 0,
      HardSigmoidOp::create(b, im.getLoc(node), *type, *x,
                            b.getF32FloatAttr(attrFloat(node, "alpha", 0.2f)),
                            b.getF32FloatAttr(attrFloat(node, "beta", 0.5f))));
  return success();
}

LogicalResult convertClip(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type) || failed(requireFloat(im, node, *type)))
    return failure();
  auto &b = im.getBuilder();
  Location loc = im.getLoc(node);
  std::optional<float> lo, hi;
  if (im.opset() < 11) {
    if (findAttr(node, "min"))
      lo = attrFloat(node, "min", 0);
    if (findAttr(node, "max"))
      hi = attrFloat(node, "max", 0);
  } else {
    // Opset 11+: bounds are optional scalar inputs. Constant bounds become
    // the clamp's attributes; a bound computed at run time (the log-mel
    // "max - 80 dB" floor) becomes an element-wise max/min with the scalar.
    Value result = *x;
    for (int i : {1, 2}) {
      if (!im.hasInput(node, i))
        continue;
      if (const ConstTensor *c = im.getConst(node, i)) {
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
      result = i == 1 ? Value(MaxOp::create(b, loc, *type, result, *bound))
                      : Value(MinOp::create(b, loc, *type, result, *bound));
    }
    x = result;
  }
  if (lo && hi && *lo > *hi)
    return im.nodeError(node) << "min " << formatFloat(*lo)
                              << " is greater than max " << formatFloat(*hi);
  if (!lo && !hi) {
    im.setValue(node, 0, *x);
    return success();
  }
  im.setValue(node, 0,
              ClampOp::create(b, loc, *type, *x,
                              lo ? b.getF32FloatAttr(*lo) : FloatAttr(),
                              hi ? b.getF32FloatAttr(*hi) : FloatAttr()));
  return success();
}

/// Resolves auto_pad into explicit ONNX-ordered pads for a window of
/// `extent = dilation * (k - 1) + 1`.
FailureOr<SmallVector<int64_t>>
resolvePads(Importer &im, const onnx::NodeProto &node,
            ArrayRef<int64_t> spatialIn, ArrayRef<int64_t> kernel,
            ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  size_t n = spatialIn.size();
  if (kernel.size() != n || strides.size() != n || dilations.size() != n)
    return im.nodeError(node)
           << "expects " << n << " kernel, stride and dilation entries";
  std::string autoPad = attrString(node, "auto_pad", "NOTSET");
  SmallVector<int64_t> pads(2 * n, 0);
  if (autoPad == "NOTSET") {
    if (auto given = attrInts(node, "pads")) {
      if (given->size() != 2 * n)
        return im.nodeError(node)
               << "expects " << 2 * n << " pads, got " << given->size();
      pads = *given;
    }
    return pads;
  }
  if (autoPad == "VALID")
    return pads;
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return im.nodeError(node) << "unknown auto_pad '" << autoPad << "'";
  for (size_t i = 0; i < n; ++i) {
    int64_t out = (spatialIn[i] + strides[i] - 1) / strides[i];
    int64_t extent = dilations[i] * (kernel[i] - 1) + 1;
    int64_t total =
        std::max<int64_t>(0, (out - 1) * strides[i] + extent - spatialIn[i]);
    int64_t small = total / 2, large = total - small;
    // SAME_UPPER puts the extra padding at the end, SAME_LOWER at the start.
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[n + i] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

SmallVector<int64_t> intsOr(const onnx::NodeProto &node, StringRef name,
                            size_t n, int64_t dflt) {
  if (auto v = attrInts(node, name))
    return *v;
  return SmallVector<int64_t>(n, dflt);
}

/// Optional input `i` as a value, or a null value when it is absent.
FailureOr<Value> getOptionalValue(Importer &im, const onnx::NodeProto &node,
                                  int i) {
  if (!im.hasInput(node, i))
    return Value();
  return im.getValue(node, i);
}

/// The operands of Conv and ConvTranspose: input, weight, optional bias.
struct ConvOperands {
  Value x, w, bias;
  RankedTensorType type;
  ArrayRef<int64_t> in, ws;
};

FailureOr<ConvOperands> getConvOperands(Importer &im,
                                        const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<Value> w = im.getValue(node, 1);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(w) || failed(type) ||
      failed(requireFloat(im, node, *type)))
    return failure();
  FailureOr<Value> bias = getOptionalValue(im, node, 2);
  if (failed(bias))
    return failure();
  ConvOperands ops{*x, *w, *bias, *type, shapeOf(*x), shapeOf(*w)};
  if (ops.in.size() < 3 || ops.ws.size() != ops.in.size())
    return im.nodeError(node) << "expects input and weight of one rank >= 3";
  return ops;
}

LogicalResult convertConv(Importer &im, const onnx::NodeProto &node) {
  FailureOr<ConvOperands> ops = getConvOperands(im, node);
  if (failed(ops))
    return failure();
  ArrayRef<int64_t> in = ops->in, ws = ops->ws;
  size_t n = in.size() - 2;
  SmallVector<int64_t> strides = intsOr(node, "strides", n, 1);
  SmallVector<int64_t> dilations = intsOr(node, "dilations", n, 1);
  if (auto k = attrInts(node, "kernel_shape"))
    if (ArrayRef<int64_t>(*k) != ws.drop_front(2))
      return im.nodeError(node) << "kernel_shape " << formatShape(*k)
                                << " does not match the weight's "
                                << formatShape(ws.drop_front(2));
  if (strides.size() != n || dilations.size() != n)
    return im.nodeError(node) << "expects " << n << " strides and dilations";
  FailureOr<SmallVector<int64_t>> pads = resolvePads(
      im, node, in.drop_front(2), ws.drop_front(2), strides, dilations);
  if (failed(pads))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              ConvOp::create(b, im.getLoc(node), ops->type, ops->x, ops->w,
                             ops->bias, b.getDenseI64ArrayAttr(strides),
                             b.getDenseI64ArrayAttr(*pads),
                             b.getDenseI64ArrayAttr(dilations),
                             b.getI64IntegerAttr(attrInt(node, "group", 1))));
  return success();
}

LogicalResult convertConvTranspose(Importer &im, const onnx::NodeProto &node) {
  FailureOr<ConvOperands> ops = getConvOperands(im, node);
  if (failed(ops))
    return failure();
  ArrayRef<int64_t> in = ops->in, ws = ops->ws;
  size_t n = in.size() - 2;
  SmallVector<int64_t> strides = intsOr(node, "strides", n, 1);
  SmallVector<int64_t> dilations = intsOr(node, "dilations", n, 1);
  SmallVector<int64_t> outPad = intsOr(node, "output_padding", n, 0);
  if (strides.size() != n || dilations.size() != n || outPad.size() != n)
    return im.nodeError(node)
           << "expects " << n << " strides, dilations and output_padding";
  std::string autoPad = attrString(node, "auto_pad", "NOTSET");
  SmallVector<int64_t> pads(2 * n, 0);
  auto outputShape = attrInts(node, "output_shape");
  // output_shape lists the spatial dims, or (as some exporters write it)
  // the whole N x C x spatial shape.
  if (outputShape && outputShape->size() != n && outputShape->size() != n + 2)
    return im.nodeError(node) << "output_shape has " << outputShape->size()
                              << " entries; expected " << n << " or " << n + 2;
  if (outputShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    // Derive pads from the requested output size, as the ONNX spec says.
    for (size_t i = 0; i < n; ++i) {
      int64_t target = outputShape ? (*outputShape)[outputShape->size() - n + i]
                                   : in[2 + i] * strides[i];
      int64_t total = strides[i] * (in[2 + i] - 1) + outPad[i] +
                      ((ws[2 + i] - 1) * dilations[i] + 1) - target;
      if (total < 0)
        return im.notSupported(node)
               << "an output_shape that needs negative padding";
      bool upper = autoPad == "SAME_UPPER";
      pads[i] = upper ? total / 2 : total - total / 2;
      pads[n + i] = upper ? total - total / 2 : total / 2;
    }
  } else if (autoPad == "NOTSET") {
    if (auto given = attrInts(node, "pads"))
      pads = *given;
  } else if (autoPad != "VALID") {
    return im.nodeError(node) << "unknown auto_pad '" << autoPad << "'";
  }
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              ConvTransposeOp::create(
                  b, im.getLoc(node), ops->type, ops->x, ops->w, ops->bias,
                  b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(pads),
                  b.getDenseI64ArrayAttr(dilations),
                  b.getDenseI64ArrayAttr(outPad),
                  b.getI64IntegerAttr(attrInt(node, "group", 1))));
  return success();
}

LogicalResult convertMatMul(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> a = im.getValue(node, 0);
  FailureOr<Value> b = im.getValue(node, 1);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(a) || failed(b) || failed(type))
    return failure();
  im.setValue(
      node, 0,
      MatMulOp::create(im.getBuilder(), im.getLoc(node), *type, *a, *b));
  return success();
}

LogicalResult convertGemm(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> a = im.getValue(node, 0);
  FailureOr<Value> bv = im.getValue(node, 1);
  FailureOr<Value> c = getOptionalValue(im, node, 2);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(a) || failed(bv) || failed(c) || failed(type))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              GemmOp::create(b, im.getLoc(node), *type, *a, *bv, *c,
                             b.getF32FloatAttr(attrFloat(node, "alpha", 1.0f)),
                             b.getF32FloatAttr(attrFloat(node, "beta", 1.0f)),
                             b.getBoolAttr(attrInt(node, "transA", 0) != 0),
                             b.getBoolAttr(attrInt(node, "transB", 0) != 0)));
  return success();
}

LogicalResult convertBatchNorm(Importer &im, const onnx::NodeProto &node) {
  SmallVector<Value> operands;
  for (int i = 0; i < 5; ++i) {
    FailureOr<Value> v = im.getValue(node, i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  if (attrInt(node, "training_mode", 0) != 0)
    return im.notSupported(node) << "training_mode";
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              BatchNormOp::create(
                  b, im.getLoc(node), *type, operands[0], operands[1],
                  operands[2], operands[3], operands[4],
                  b.getF32FloatAttr(attrFloat(node, "epsilon", 1e-5f))));
  return success();
}

LogicalResult convertLayerNorm(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<Value> scale = im.getValue(node, 1);
  FailureOr<Value> bias = getOptionalValue(im, node, 2);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(scale) || failed(bias) || failed(type))
    return failure();
  FailureOr<int64_t> axis =
      normalizeAxis(im, node, attrInt(node, "axis", -1), shapeOf(*x).size());
  if (failed(axis))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              LayerNormOp::create(
                  b, im.getLoc(node), *type, *x, *scale, *bias,
                  b.getI64IntegerAttr(*axis),
                  b.getF32FloatAttr(attrFloat(node, "epsilon", 1e-5f))));
  return success();
}

LogicalResult convertSoftmax(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type))
    return failure();
  ArrayRef<int64_t> shape = shapeOf(*x);
  int64_t rank = shape.size();
  bool legacy = im.opset() < 13;
  FailureOr<int64_t> axis =
      normalizeAxis(im, node, attrInt(node, "axis", legacy ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  auto &b = im.getBuilder();
  Location loc = im.getLoc(node);
  if (!legacy || *axis == rank - 1) {
    // Opset 13 semantics; before 13 a last-axis softmax means the same.
    im.setValue(
        node, 0,
        SoftmaxOp::create(b, loc, *type, *x, b.getI64IntegerAttr(*axis)));
    return success();
  }
  // Before opset 13: flatten to [prod(dims[:axis]), prod(dims[axis:])],
  // softmax each row, restore the shape.
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < *axis ? rows : cols) *= shape[d];
  auto flatType = RankedTensorType::get({rows, cols}, type->getElementType());
  Value flat = ReshapeOp::create(b, loc, flatType, *x);
  Value soft =
      SoftmaxOp::create(b, loc, flatType, flat, b.getI64IntegerAttr(1));
  im.setValue(node, 0, ReshapeOp::create(b, loc, *type, soft));
  return success();
}

template <typename PoolOp>
LogicalResult convertPool(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type) || failed(requireFloat(im, node, *type)))
    return failure();
  if (node.output_size() > 1 && !node.output(1).empty())
    return im.notSupported(node) << "the Indices output";
  ArrayRef<int64_t> in = shapeOf(*x);
  if (in.size() < 3)
    return im.nodeError(node) << "expects an input of rank >= 3";
  size_t n = in.size() - 2;
  auto kernel = attrInts(node, "kernel_shape");
  if (!kernel || kernel->size() != n)
    return im.nodeError(node) << "expects kernel_shape with " << n << " dims";
  SmallVector<int64_t> strides = intsOr(node, "strides", n, 1);
  SmallVector<int64_t> dilations = intsOr(node, "dilations", n, 1);
  FailureOr<SmallVector<int64_t>> pads =
      resolvePads(im, node, in.drop_front(2), *kernel, strides, dilations);
  if (failed(pads))
    return failure();
  auto &b = im.getBuilder();
  bool ceil = attrInt(node, "ceil_mode", 0) != 0;
  Value result;
  if constexpr (std::is_same_v<PoolOp, MaxPoolOp>) {
    if (attrInt(node, "storage_order", 0) != 0)
      return im.notSupported(node) << "storage_order 1";
    result = MaxPoolOp::create(
        b, im.getLoc(node), *type, *x, b.getDenseI64ArrayAttr(*kernel),
        b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(*pads),
        b.getDenseI64ArrayAttr(dilations), b.getBoolAttr(ceil));
  } else {
    result = AveragePoolOp::create(
        b, im.getLoc(node), *type, *x, b.getDenseI64ArrayAttr(*kernel),
        b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(*pads),
        b.getDenseI64ArrayAttr(dilations), b.getBoolAttr(ceil),
        b.getBoolAttr(attrInt(node, "count_include_pad", 0) != 0));
  }
  im.setValue(node, 0, result);
  return success();
}

LogicalResult convertResize(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type))
    return failure();
  ArrayRef<int64_t> in = shapeOf(*x), out = type->getShape();
  bool upsample = node.op_type() == "Upsample";
  std::string mode = attrString(node, "mode", "nearest");
  // Upsample and Resize-10 are asymmetric with floor rounding.
  bool legacy = upsample || im.opset() < 11;
  std::string transform =
      legacy ? "asymmetric"
             : attrString(node, "coordinate_transformation_mode", "half_pixel");
  std::string nearest =
      legacy ? "floor" : attrString(node, "nearest_mode", "round_prefer_floor");

  // Scales: an attribute (Upsample-7), input 1 (Upsample-9, Resize-10),
  // input 2 (Resize-11+), or derived from sizes (input 3).
  SmallVector<float> scales;
  int scalesInput = upsample || im.opset() < 11 ? 1 : 2;
  if (auto attr = attrFloats(node, "scales")) {
    scales = *attr;
  } else if (const ConstTensor *c = im.getConst(node, scalesInput);
             c && c->numElements() > 0) {
    for (int64_t i = 0; i < c->numElements(); ++i)
      scales.push_back(static_cast<float>(c->getDouble(i)));
  } else if (!legacy && im.hasInput(node, 3)) {
    FailureOr<SmallVector<int64_t>> sizes = constInts(im, node, 3, "sizes");
    if (failed(sizes))
      return failure();
    if (sizes->size() != in.size())
      return im.nodeError(node) << "expects " << in.size() << " sizes";
    for (size_t i = 0; i < in.size(); ++i)
      scales.push_back(static_cast<float>((*sizes)[i]) /
                       static_cast<float>(in[i]));
  } else {
    return im.notSupported(node) << "scales or sizes must be constants";
  }
  (void)out;
  auto modeEnum = symbolizeResizeMode(mode);
  if (!modeEnum)
    return im.notSupported(node) << "mode '" << mode << "'";
  auto transformEnum = symbolizeCoordinateTransform(transform);
  if (!transformEnum)
    return im.notSupported(node)
           << "coordinate_transformation_mode '" << transform << "'";
  auto nearestEnum = symbolizeNearestMode(nearest);
  if (!nearestEnum)
    return im.notSupported(node) << "nearest_mode '" << nearest << "'";
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              ResizeOp::create(
                  b, im.getLoc(node), *type, *x, b.getDenseF32ArrayAttr(scales),
                  ResizeModeAttr::get(b.getContext(), *modeEnum),
                  CoordinateTransformAttr::get(b.getContext(), *transformEnum),
                  NearestModeAttr::get(b.getContext(), *nearestEnum),
                  b.getF32FloatAttr(attrFloat(node, "cubic_coeff_a", -0.75f)),
                  b.getBoolAttr(attrInt(node, "exclude_outside", 0) != 0)));
  return success();
}

LogicalResult convertConcat(Importer &im, const onnx::NodeProto &node) {
  if (node.input_size() == 0)
    return im.nodeError(node) << "needs at least one input";
  if (allConst(im, node)) {
    const ConstTensor *first = im.getConst(node, 0);
    int64_t rank = first->shape.size();
    FailureOr<int64_t> axis =
        normalizeAxis(im, node, attrInt(node, "axis", 0), rank);
    if (failed(axis))
      return failure();
    ConstTensor result;
    result.dtype = first->dtype;
    result.shape = first->shape;
    result.shape[*axis] = 0;
    for (int i = 0; i < node.input_size(); ++i) {
      const ConstTensor *c = im.getConst(node, i);
      for (int64_t d = 0; d < rank; ++d)
        if (c->dtype != first->dtype ||
            static_cast<int64_t>(c->shape.size()) != rank ||
            (d != *axis && c->shape[d] != first->shape[d]))
          return im.nodeError(node)
                 << "inputs of shapes " << formatShape(first->shape) << " and "
                 << formatShape(c->shape) << " do not concatenate on axis "
                 << *axis;
      result.shape[*axis] += c->shape[*axis];
    }
    // Copy slabs: for each outer index, each input's inner block in turn.
    int64_t outer = 1;
    for (int64_t d = 0; d < *axis; ++d)
      outer *= first->shape[d];
    for (int64_t o = 0; o < outer; ++o)
      for (int i = 0; i < node.input_size(); ++i) {
        const ConstTensor *c = im.getConst(node, i);
        int64_t block = 1;
        for (int64_t d = *axis; d < rank; ++d)
          block *= c->shape[d];
        for (int64_t k = 0; k < block; ++k) {
          if (result.isFloat())
            result.floats.push_back(c->floats[o * block + k]);
          else
            result.ints.push_back(c->ints[o * block + k]);
        }
      }
    im.setConst(node, 0, std::move(result));
    return success();
  }
  SmallVector<Value> inputs;
  for (int i = 0; i < node.input_size(); ++i) {
    FailureOr<Value> v = im.getValue(node, i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  FailureOr<int64_t> axis =
      normalizeAxis(im, node, attrInt(node, "axis", 0), type->getRank());
  if (failed(axis))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              ConcatOp::create(b, im.getLoc(node), *type, inputs,
                               b.getI64IntegerAttr(*axis)));
  return success();
}

/// The result shape of Reshape, Flatten, Squeeze or Unsqueeze on `in`,
/// computed from the node's attributes and constant inputs.
FailureOr<SmallVector<int64_t>>
reshapeTarget(Importer &im, const onnx::NodeProto &node, ArrayRef<int64_t> in) {
  int64_t rank = in.size();
  StringRef op = node.op_type();
  if (op == "Flatten") {
    FailureOr<int64_t> axis =
        normalizeAxis(im, node, attrInt(node, "axis", 1), rank + 1);
    if (failed(axis))
      return failure();
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < rank; ++d)
      (d < *axis ? outer : inner) *= in[d];
    return SmallVector<int64_t>{outer, inner};
  }
  // Squeeze/Unsqueeze axes: an attribute before opset 13, input 1 after.
  auto getAxes = [&]() -> FailureOr<SmallVector<int64_t>> {
    if (auto attr = attrInts(node, "axes"))
      return *attr;
    if (im.hasInput(node, 1))
      return constInts(im, node, 1, "axes");
    return SmallVector<int64_t>{};
  };
  if (op == "Squeeze") {
    FailureOr<SmallVector<int64_t>> axes = getAxes();
    if (failed(axes))
      return failure();
    SmallVector<bool> drop(rank, false);
    for (int64_t a : *axes) {
      FailureOr<int64_t> axis = normalizeAxis(im, node, a, rank);
      if (failed(axis))
        return failure();
      if (in[*axis] != 1)
        return im.nodeError(node)
               << "cannot squeeze dim " << *axis << " of size " << in[*axis];
      drop[*axis] = true;
    }
    SmallVector<int64_t> out;
    for (int64_t d = 0; d < rank; ++d)
      if (!(axes->empty() ? in[d] == 1 : drop[d]))
        out.push_back(in[d]);
    return out;
  }
  if (op == "Unsqueeze") {
    FailureOr<SmallVector<int64_t>> axes = getAxes();
    if (failed(axes))
      return failure();
    int64_t outRank = rank + axes->size();
    SmallVector<bool> added(outRank, false);
    for (int64_t a : *axes) {
      FailureOr<int64_t> axis = normalizeAxis(im, node, a, outRank);
      if (failed(axis))
        return failure();
      if (added[*axis])
        return im.nodeError(node) << "axis " << *axis << " is repeated";
      added[*axis] = true;
    }
    SmallVector<int64_t> out;
    size_t next = 0;
    for (int64_t d = 0; d < outRank; ++d)
      out.push_back(added[d] ? 1 : in[next++]);
    return out;
  }
  // Reshape: 0 copies the input dim (unless allowzero), -1 is inferred.
  FailureOr<SmallVector<int64_t>> target = constInts(im, node, 1, "the shape");
  if (failed(target))
    return failure();
  bool allowZero = attrInt(node, "allowzero", 0) != 0;
  SmallVector<int64_t> out;
  int64_t inferred = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= rank)
        return im.nodeError(node) << "shape entry " << i
                                  << " copies a dim the input does not have";
      d = in[i];
    }
    if (d == -1) {
      if (inferred >= 0)
        return im.nodeError(node) << "the shape has more than one -1";
      inferred = i;
    } else if (d < 0) {
      return im.nodeError(node) << "invalid shape entry " << d;
    } else if (std::optional<int64_t> product = llvm::checkedMul(known, d)) {
      known = *product;
    } else {
      return im.nodeError(node) << "the shape's dims overflow int64";
    }
    out.push_back(d);
  }
  int64_t total = *numElements(in);
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      return im.nodeError(node) << "cannot infer the -1 in the shape";
    out[inferred] = total / known;
  }
  return out;
}

/// Reshape, Flatten, Squeeze, Unsqueeze. Constants are reshaped at import
/// time; runtime tensors become one qnt.reshape to the inferred type.
LogicalResult convertReshapeLike(Importer &im, const onnx::NodeProto &node) {
  if (const ConstTensor *c = im.getConst(node, 0)) {
    FailureOr<SmallVector<int64_t>> shape = reshapeTarget(im, node, c->shape);
    if (failed(shape))
      return failure();
    if (numElements(*shape) != c->numElements())
      return im.nodeError(node) << "cannot reshape " << formatShape(c->shape)
                                << " to " << formatShape(*shape);
    im.setConst(node, 0, reshapeConst(*c, *shape));
    return success();
  }
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  FailureOr<Value> x = im.getValue(node, 0);
  if (failed(x))
    return failure();
  im.setValue(node, 0,
              ReshapeOp::create(im.getBuilder(), im.getLoc(node), *type, *x));
  return success();
}

LogicalResult convertTranspose(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type))
    return failure();
  int64_t rank = shapeOf(*x).size();
  SmallVector<int64_t> perm;
  if (auto given = attrInts(node, "perm"))
    perm = *given;
  else
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              TransposeOp::create(b, im.getLoc(node), *type, *x,
                                  b.getDenseI64ArrayAttr(perm)));
  return success();
}

LogicalResult convertSlice(Importer &im, const onnx::NodeProto &node) {
  SmallVector<int64_t> inShape;
  const ConstTensor *constInput = im.getConst(node, 0);
  Value x;
  if (constInput) {
    inShape = constInput->shape;
  } else {
    FailureOr<Value> v = im.getValue(node, 0);
    if (failed(v))
      return failure();
    x = *v;
    llvm::append_range(inShape, shapeOf(x));
  }
  int64_t rank = inShape.size();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (im.opset() < 10) {
    starts = attrInts(node, "starts").value_or(SmallVector<int64_t>{});
    ends = attrInts(node, "ends").value_or(SmallVector<int64_t>{});
    axes = attrInts(node, "axes").value_or(SmallVector<int64_t>{});
  } else {
    auto s = constInts(im, node, 1, "starts");
    auto e = constInts(im, node, 2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (im.hasInput(node, 3)) {
      auto a = constInts(im, node, 3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (im.hasInput(node, 4)) {
      auto st = constInts(im, node, 4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return im.nodeError(node)
           << "starts, ends, axes and steps must have one length";
  SmallVector<int64_t> fullStarts(rank, 0), fullEnds(inShape),
      fullSteps(rank, 1);
  for (size_t i = 0; i < starts.size(); ++i) {
    FailureOr<int64_t> axis = normalizeAxis(im, node, axes[i], rank);
    if (failed(axis))
      return failure();
    int64_t dim = inShape[*axis], step = steps[i];
    if (step == 0)
      return im.nodeError(node) << "step 0 on axis " << *axis;
    // ONNX: negative bounds count from the end, then clamp.
    int64_t start = starts[i], end = ends[i];
    if (start < 0)
      start += dim;
    if (end < 0)
      end += dim;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
    }
    fullStarts[*axis] = start;
    fullEnds[*axis] = end;
    fullSteps[*axis] = step;
  }
  SmallVector<int64_t> outShape;
  for (int64_t d = 0; d < rank; ++d)
    outShape.push_back(
        sliceOutputDim(fullStarts[d], fullEnds[d], fullSteps[d]));
  if (constInput && constInput->numElements() <= kMaxFoldElements) {
    SmallVector<int64_t> inStrides = stridesOf(inShape),
                         outStrides = stridesOf(outShape);
    auto source = [&](int64_t flat) {
      int64_t index = 0;
      for (int64_t d = 0; d < rank; ++d) {
        int64_t coord = (flat / outStrides[d]) % outShape[d];
        index += (fullStarts[d] + coord * fullSteps[d]) * inStrides[d];
      }
      return index;
    };
    im.setConst(node, 0,
                makeConst(
                    constInput->dtype, outShape,
                    [&](int64_t i) { return constInput->getDouble(source(i)); },
                    [&](int64_t i) { return constInput->getInt(source(i)); }));
    return success();
  }
  if (!x) {
    FailureOr<Value> v = im.getValue(node, 0);
    if (failed(v))
      return failure();
    x = *v;
  }
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              SliceOp::create(b, im.getLoc(node), *type, x,
                              b.getDenseI64ArrayAttr(fullStarts),
                              b.getDenseI64ArrayAttr(fullEnds),
                              b.getDenseI64ArrayAttr(fullSteps)));
  return success();
}

LogicalResult convertSplit(Importer &im, const onnx::NodeProto &node) {
  const ConstTensor *constInput =
      allConst(im, node) ? im.getConst(node, 0) : nullptr;
  SmallVector<int64_t> in;
  Value x;
  if (constInput) {
    in = constInput->shape;
  } else {
    FailureOr<Value> v = im.getValue(node, 0);
    if (failed(v))
      return failure();
    x = *v;
    llvm::append_range(in, shapeOf(x));
  }
  FailureOr<int64_t> axis =
      normalizeAxis(im, node, attrInt(node, "axis", 0), in.size());
  if (failed(axis))
    return failure();
  // Sizes: an attribute before opset 13, input 1 after, else equal parts.
  SmallVector<int64_t> sizes;
  if (auto attr = attrInts(node, "split")) {
    sizes = *attr;
  } else if (im.hasInput(node, 1)) {
    auto given = constInts(im, node, 1, "split");
    if (failed(given))
      return failure();
    sizes = *given;
  } else {
    int64_t parts = node.output_size();
    if (in[*axis] % parts != 0)
      return im.nodeError(node) << "cannot split " << in[*axis] << " into "
                                << parts << " equal parts";
    sizes.assign(parts, in[*axis] / parts);
  }
  if (static_cast<int>(sizes.size()) != node.output_size() ||
      std::accumulate(sizes.begin(), sizes.end(), int64_t(0)) != in[*axis])
    return im.nodeError(node)
           << "split sizes do not add up to the axis size " << in[*axis];
  auto &b = im.getBuilder();
  int64_t offset = 0;
  for (int i = 0; i < node.output_size(); ++i) {
    SmallVector<int64_t> starts(in.size(), 0), ends(in), steps(in.size(), 1);
    starts[*axis] = offset;
    ends[*axis] = offset + sizes[i];
    offset += sizes[i];
    if (constInput) {
      SmallVector<int64_t> outShape(in);
      outShape[*axis] = sizes[i];
      SmallVector<int64_t> inStrides = stridesOf(in),
                           outStrides = stridesOf(outShape);
      auto source = [&](int64_t flat) {
        int64_t index = 0;
        for (size_t d = 0; d < in.size(); ++d)
          index +=
              ((flat / outStrides[d]) % outShape[d] + starts[d]) * inStrides[d];
        return index;
      };
      im.setConst(
          node, i,
          makeConst(
              constInput->dtype, outShape,
              [&](int64_t k) { return constInput->getDouble(source(k)); },
              [&](int64_t k) { return constInput->getInt(source(k)); }));
      continue;
    }
    FailureOr<RankedTensorType> type = im.getResultType(node, i);
    if (failed(type))
      return failure();
    im.setValue(node, i,
                SliceOp::create(b, im.getLoc(node), *type, x,
                                b.getDenseI64ArrayAttr(starts),
                                b.getDenseI64ArrayAttr(ends),
                                b.getDenseI64ArrayAttr(steps)));
  }
  return success();
}

LogicalResult convertGather(Importer &im, const onnx::NodeProto &node) {
  const ConstTensor *data = im.getConst(node, 0);
  const ConstTensor *indices = im.getConst(node, 1);
  int64_t rank = data ? static_cast<int64_t>(data->shape.size()) : -1;
  if (!data) {
    FailureOr<Value> v = im.getValue(node, 0);
    if (failed(v))
      return failure();
    rank = shapeOf(*v).size();
  }
  FailureOr<int64_t> axis =
      normalizeAxis(im, node, attrInt(node, "axis", 0), rank);
  if (failed(axis))
    return failure();
  if (data && indices && allConst(im, node)) {
    int64_t dim = data->shape[*axis];
    SmallVector<int64_t> outShape(data->shape.begin(),
                                  data->shape.begin() + *axis);
    llvm::append_range(outShape, indices->shape);
    outShape.append(data->shape.begin() + *axis + 1, data->shape.end());
    int64_t inner = 1;
    for (size_t d = *axis + 1; d < data->shape.size(); ++d)
      inner *= data->shape[d];
    int64_t count = indices->numElements();
    for (int64_t k = 0; k < count; ++k) {
      int64_t idx = indices->getInt(k);
      if (idx < -dim || idx >= dim)
        return im.nodeError(node)
               << "index " << idx << " is out of range for a dim of " << dim;
    }
    auto source = [&](int64_t flat) {
      int64_t innerPos = flat % inner;
      int64_t k = (flat / inner) % count;
      int64_t outerPos = flat / (inner * count);
      int64_t idx = indices->getInt(k);
      if (idx < 0)
        idx += dim;
      return (outerPos * dim + idx) * inner + innerPos;
    };
    im.setConst(node, 0,
                makeConst(
                    data->dtype, outShape,
                    [&](int64_t i) { return data->getDouble(source(i)); },
                    [&](int64_t i) { return data->getInt(source(i)); }));
    return success();
  }
  FailureOr<Value> d = im.getValue(node, 0);
  FailureOr<Value> i = im.getValue(node, 1);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(d) || failed(i) || failed(type))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              GatherOp::create(b, im.getLoc(node), *type, *d, *i,
                               b.getI64IntegerAttr(*axis)));
  return success();
}

LogicalResult convertCast(Importer &im, const onnx::NodeProto &node) {
  int32_t to = static_cast<int32_t>(attrInt(node, "to", 0));
  if (const ConstTensor *c = im.getConst(node, 0)) {
    ConstTensor r = makeConst(
        to == onnx::TensorProto::FLOAT ? onnx::TensorProto::FLOAT
                                       : static_cast<int32_t>(to),
        c->shape, [&](int64_t i) { return c->getDouble(i); },
        [&](int64_t i) {
          // Float to integer truncates toward zero, as ONNX Cast does.
          return c->isFloat() ? toInt64(c->getDouble(i)) : c->getInt(i);
        });
    if (to == onnx::TensorProto::BOOL)
      for (int64_t &v : r.ints)
        v = v != 0;
    if (!im.getElementType(to))
      return im.notSupported(node) << "cast to data type " << to;
    im.setConst(node, 0, std::move(r));
    return success();
  }
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type))
    return failure();
  if (x->getType() == *type) {
    im.setValue(node, 0, *x);
    return success();
  }
  im.setValue(node, 0,
              CastOp::create(im.getBuilder(), im.getLoc(node), *type, *x));
  return success();
}

LogicalResult convertPad(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type))
    return failure();
  SmallVector<int64_t> pads;
  float value = 0;
  if (im.opset() < 11) {
    pads = attrInts(node, "pads").value_or(SmallVector<int64_t>{});
    value = attrFloat(node, "value", 0);
  } else {
    auto p = constInts(im, node, 1, "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (im.hasInput(node, 2)) {
      auto v = constFloats(im, node, 2, "constant_value");
      if (failed(v))
        return failure();
      if (!v->empty())
        value = (*v)[0];
    }
  }
  std::string mode = attrString(node, "mode", "constant");
  auto modeEnum = symbolizePadMode(mode);
  if (!modeEnum)
    return im.notSupported(node) << "mode '" << mode << "'";
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              PadOp::create(b, im.getLoc(node), *type, *x,
                            b.getDenseI64ArrayAttr(pads),
                            PadModeAttr::get(b.getContext(), *modeEnum),
                            b.getF32FloatAttr(value)));
  return success();
}

template <typename ReduceOp>
LogicalResult convertReduce(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type))
    return failure();
  int64_t rank = shapeOf(*x).size();
  // Axes moved from an attribute to input 1 in opset 13 for ReduceSum (and
  // in 18 for the others, beyond the opsets quant accepts).
  SmallVector<int64_t> axes;
  if (auto attr = attrInts(node, "axes")) {
    axes = *attr;
  } else if (im.hasInput(node, 1)) {
    auto given = constInts(im, node, 1, "axes");
    if (failed(given))
      return failure();
    axes = *given;
  }
  if (axes.empty()) {
    if (attrInt(node, "noop_with_empty_axes", 0) != 0) {
      im.setValue(node, 0, *x);
      return success();
    }
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  for (int64_t &a : axes) {
    FailureOr<int64_t> axis = normalizeAxis(im, node, a, rank);
    if (failed(axis))
      return failure();
    a = *axis;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              ReduceOp::create(
                  b, im.getLoc(node), *type, *x, b.getDenseI64ArrayAttr(axes),
                  b.getBoolAttr(attrInt(node, "keepdims", 1) != 0)));
  return success();
}

/// Comparisons and Not. Evaluated at import time on known values (shape
/// logic); at run time comparisons of float tensors become qnt.compare.
LogicalResult convertLogic(Importer &im, const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  if (!allConst(im, node)) {
    auto predicate = llvm::StringSwitch<std::optional<ComparePredicate>>(op)
                         .Case("Equal", ComparePredicate::eq)
                         .Case("Greater", ComparePredicate::gt)
                         .Case("GreaterOrEqual", ComparePredicate::ge)
                         .Case("Less", ComparePredicate::lt)
                         .Case("LessOrEqual", ComparePredicate::le)
                         .Default(std::nullopt);
    if (!predicate)
      return im.notSupported(node) << op << " of values only known at run time";
    FailureOr<Value> a = im.getValue(node, 0);
    FailureOr<Value> c = im.getValue(node, 1);
    FailureOr<RankedTensorType> type = im.getResultType(node);
    if (failed(a) || failed(c) || failed(type) ||
        failed(requireFloat(im, node, cast<RankedTensorType>(a->getType()))) ||
        failed(requireFloat(im, node, cast<RankedTensorType>(c->getType()))))
      return failure();
    auto &b = im.getBuilder();
    im.setValue(node, 0,
                CompareOp::create(
                    b, im.getLoc(node), *type, *a, *c,
                    ComparePredicateAttr::get(b.getContext(), *predicate)));
    return success();
  }
  const ConstTensor *a = im.getConst(node, 0);
  if (op == "Not") {
    im.setConst(
        node, 0,
        makeConst(onnx::TensorProto::BOOL, a->shape, nullptr,
                  [&](int64_t i) -> int64_t { return a->getInt(i) == 0; }));
    return success();
  }
  const ConstTensor *c = im.getConst(node, 1);
  auto shape = broadcastShapes(a->shape, c->shape);
  if (!shape)
    return im.nodeError(node) << "operands do not broadcast";
  im.setConst(node, 0,
              makeConst(onnx::TensorProto::BOOL, *shape, nullptr,
                        [&](int64_t i) -> int64_t {
                          double x =
                              a->getDouble(broadcastIndex(i, *shape, a->shape));
                          double y =
                              c->getDouble(broadcastIndex(i, *shape, c->shape));
                          if (op == "Equal")
                            return x == y;
                          if (op == "Greater")
                            return x > y;
                          if (op == "GreaterOrEqual")
                            return x >= y;
                          if (op == "Less")
                            return x < y;
                          return x <= y;
                        }));
  return success();
}

LogicalResult convertWhere(Importer &im, const onnx::NodeProto &node) {
  if (allConst(im, node)) {
    const ConstTensor *c = im.getConst(node, 0), *t = im.getConst(node, 1),
                      *f = im.getConst(node, 2);
    auto partial = broadcastShapes(t->shape, f->shape);
    auto shape = partial ? broadcastShapes(c->shape, *partial) : std::nullopt;
    if (!shape)
      return im.nodeError(node) << "operands do not broadcast";
    auto pick = [&](int64_t i) {
      return c->getInt(broadcastIndex(i, *shape, c->shape)) != 0;
    };
    im.setConst(
        node, 0,
        makeConst(
            t->dtype, *shape,
            [&](int64_t i) {
              return pick(i)
                         ? t->getDouble(broadcastIndex(i, *shape, t->shape))
                         : f->getDouble(broadcastIndex(i, *shape, f->shape));
            },
            [&](int64_t i) {
              return pick(i) ? t->getInt(broadcastIndex(i, *shape, t->shape))
                             : f->getInt(broadcastIndex(i, *shape, f->shape));
            }));
    return success();
  }
  FailureOr<Value> c = im.getValue(node, 0);
  FailureOr<Value> t = im.getValue(node, 1);
  FailureOr<Value> f = im.getValue(node, 2);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(c) || failed(t) || failed(f) || failed(type) ||
      failed(requireFloat(im, node, *type)))
    return failure();
  im.setValue(
      node, 0,
      SelectOp::create(im.getBuilder(), im.getLoc(node), *type, *c, *t, *f));
  return success();
}

/// Expand: broadcasts input 0 to the shape in input 1 (numpy rules; the
/// result may have a higher rank). Constants are expanded at import time;
/// a runtime tensor is reshaped to the result rank (leading 1s) and each dim
/// that grows from 1 to k becomes a qnt.gather of k zero indices on that
/// axis, which copies exactly (no arithmetic on the values).
LogicalResult convertExpand(Importer &im, const onnx::NodeProto &node) {
  FailureOr<SmallVector<int64_t>> target = constInts(im, node, 1, "the shape");
  if (failed(target))
    return failure();
  const ConstTensor *c = im.getConst(node, 0);
  SmallVector<int64_t> inShape;
  FailureOr<Value> x = failure();
  if (c) {
    inShape.assign(c->shape.begin(), c->shape.end());
  } else {
    x = im.getValue(node, 0);
    if (failed(x))
      return failure();
    inShape.assign(shapeOf(*x).begin(), shapeOf(*x).end());
  }
  std::optional<SmallVector<int64_t>> shape = broadcastShapes(inShape, *target);
  if (!shape)
    return im.nodeError(node) << "cannot expand " << formatShape(inShape)
                              << " to " << formatShape(*target);
  if (c && numElements(*shape) && *numElements(*shape) <= kMaxFoldElements) {
    im.setConst(node, 0,
                makeConst(
                    c->dtype, *shape,
                    [&](int64_t i) {
                      return c->getDouble(broadcastIndex(i, *shape, c->shape));
                    },
                    [&](int64_t i) {
                      return c->getInt(broadcastIndex(i, *shape, c->shape));
                    }));
    return success();
  }
  if (c)
    x = im.getValue(node, 0);
  if (failed(x))
    return failure();
  auto &b = im.getBuilder();
  Location loc = im.getLoc(node);
  Type elementType = cast<ShapedType>(x->getType()).getElementType();
  if (!numBytes(*shape, elementType.getIntOrFloatBitWidth()))
    return im.nodeError(node) << "the result " << formatShape(*shape)
                              << " holds more than 2^63 - 1 bytes";
  // Leading unit dims up to the result rank.
  SmallVector<int64_t> current(shape->size() - inShape.size(), 1);
  llvm::append_range(current, inShape);
  Value v = *x;
  if (current.size() != inShape.size())
    v = ReshapeOp::create(b, loc, RankedTensorType::get(current, elementType),
                          v);
  for (auto [axis, size] : llvm::enumerate(*shape)) {
    if (current[axis] == size)
      continue;
    // Each expanded axis is a gather by a constant index vector, held in
    // memory at import time: a documented cap instead of running out of
    // memory (an axis of 2^36 aborted the importer).
    constexpr int64_t kMaxExpandedAxis = int64_t(1) << 24;
    if (size > kMaxExpandedAxis)
      return im.nodeError(node)
             << "expanding axis " << axis << " to " << size
             << " is over the importer's limit of " << kMaxExpandedAxis;
    ConstTensor zeros;
    zeros.dtype = onnx::TensorProto::INT64;
    zeros.shape = {size};
    zeros.ints.assign(size, 0);
    Value indices = im.materialize(zeros, loc, "expand_indices");
    current[axis] = size;
    v = GatherOp::create(b, loc, RankedTensorType::get(current, elementType),
                         v, indices, b.getI64IntegerAttr(axis));
  }
  im.setValue(node, 0, v);
  return success();
}

/// If: with a condition known at import time, the taken branch is inlined.
/// Otherwise both branches (side-effect free, as ONNX graphs are) are
/// inlined and each output is a qnt.select on the condition.
LogicalResult convertIf(Importer &im, const onnx::NodeProto &node) {
  const auto *thenAttr = findAttr(node, "then_branch");
  const auto *elseAttr = findAttr(node, "else_branch");
  if (!thenAttr || !elseAttr || !thenAttr->has_g() || !elseAttr->has_g())
    return im.nodeError(node) << "needs then_branch and else_branch graphs";
  const onnx::GraphProto &thenGraph = thenAttr->g(), &elseGraph = elseAttr->g();
  if (thenGraph.output_size() != node.output_size() ||
      elseGraph.output_size() != node.output_size())
    return im.nodeError(node) << "branches must produce one value per output";
  auto inlineBranch = [&](const onnx::GraphProto &graph) -> LogicalResult {
    for (const auto &inner : graph.node())
      if (failed(im.convertNode(inner)))
        return failure();
    return success();
  };
  if (const ConstTensor *cond = im.getConst(node, 0)) {
    if (cond->numElements() != 1)
      return im.nodeError(node) << "the condition must have one element";
    const onnx::GraphProto &taken = cond->getInt(0) ? thenGraph : elseGraph;
    if (failed(inlineBranch(taken)))
      return failure();
    for (int i = 0; i < node.output_size(); ++i)
      if (failed(im.alias(node, i, taken.output(i).name())))
        return failure();
    return success();
  }
  FailureOr<Value> cond = im.getValue(node, 0);
  if (failed(cond) || failed(inlineBranch(thenGraph)) ||
      failed(inlineBranch(elseGraph)))
    return failure();
  for (int i = 0; i < node.output_size(); ++i) {
    FailureOr<Value> t = im.getValueByName(node, thenGraph.output(i).name());
    FailureOr<Value> f = im.getValueByName(node, elseGraph.output(i).name());
    FailureOr<RankedTensorType> type = im.getResultType(node, i);
    if (failed(t) || failed(f) || failed(type) ||
        failed(requireFloat(im, node, *type)))
      return failure();
    im.setValue(node, i,
                SelectOp::create(im.getBuilder(), im.getLoc(node), *type, *cond,
                                 *t, *f));
  }
  return success();
}

const llvm::StringMap<Converter> &converters() {
  static const llvm::StringMap<Converter> table = {
      {"Identity", convertIdentity},
      {"Dropout", convertDropout},
      {"Constant", convertConstant},
      {"Shape", convertShape},
      {"ConstantOfShape", convertConstantOfShape},
      {"Add", convertBinary<AddOp>},
      {"Sum", convertBinary<AddOp>},
      {"Sub", convertBinary<SubOp>},
      {"Mul", convertBinary<MulOp>},
      {"Div", convertBinary<DivOp>},
      {"Pow", convertBinary<PowOp>},
      {"Max", convertBinary<MaxOp>},
      {"Min", convertBinary<MinOp>},
      {"Sqrt", convertUnary<SqrtOp>},
      {"Exp", convertUnary<ExpOp>},
      {"Log", convertUnary<LogOp>},
      {"Erf", convertUnary<ErfOp>},
      {"Tanh", convertUnary<TanhOp>},
      {"Relu", convertUnary<ReluOp>},
      {"Sigmoid", convertUnary<SigmoidOp>},
      {"HardSwish", convertUnary<HardSwishOp>},
      {"Neg", convertNeg},
      {"LeakyRelu", convertLeakyRelu},
      {"HardSigmoid", convertHardSigmoid},
      {"Clip", convertClip},
      {"Conv", convertConv},
      {"ConvTranspose", convertConvTranspose},
      {"MatMul", convertMatMul},
      {"Gemm", convertGemm},
      {"BatchNormalization", convertBatchNorm},
      {"LayerNormalization", convertLayerNorm},
      {"Softmax", convertSoftmax},
      {"MaxPool", convertPool<MaxPoolOp>},
      {"AveragePool", convertPool<AveragePoolOp>},
      {"GlobalAveragePool", convertUnary<GlobalAveragePoolOp>},
      {"Resize", convertResize},
      {"Upsample", convertResize},
      {"Concat", convertConcat},
      {"Reshape", convertReshapeLike},
      {"Flatten", convertReshapeLike},
      {"Squeeze", convertReshapeLike},
      {"Unsqueeze", convertReshapeLike},
      {"Transpose", convertTranspose},
      {"Slice", convertSlice},
      {"Split", convertSplit},
      {"Gather", convertGather},
      {"Cast", convertCast},
      {"Pad", convertPad},
      {"ReduceMean", convertReduce<ReduceMeanOp>},
      {"ReduceMax", convertReduce<ReduceMaxOp>},
      {"ReduceSum", convertReduce<ReduceSumOp>},
      {"Equal", convertLogic},
      {"Greater", convertLogic},
      {"GreaterOrEqual", convertLogic},
      {"Less", convertLogic},
      {"LessOrEqual", convertLogic},
      {"Not", convertLogic},
      {"Where", convertWhere},
      {"Expand", convertExpand},
      {"If", convertIf},
  };
  return table;
}

} // namespace

bool mlir::qnt::detail::isSupportedOp(StringRef opType) {
  return converters().count(opType);
}

std::vector<std::string> mlir::qnt::getSupportedOnnxOps() {
  std::vector<std::string> ops;
  for (const auto &entry : converters())
    ops.push_back(entry.getKey().str());
  llvm::sort(ops);
  return ops;
}

bool mlir::qnt::detail::isFoldableOp(StringRef opType) {
  return llvm::StringSwitch<bool>(opType)
      .Cases({"Constant", "Shape", "ConstantOfShape", "Identity", "Cast"}, true)
      .Cases({"Add", "Sub", "Mul", "Div", "Neg", "Max", "Min", "Sum"}, true)
      .Cases({"Gather", "Concat", "Slice", "Split", "Reshape", "Flatten", "Expand",
              "Squeeze", "Unsqueeze"},
             true)
      .Cases({"Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual",
              "Not", "Where"},
             true)
      .Default(false);
}

LogicalResult Importer::convertNode(const onnx::NodeProto &node) {
  auto it = converters().find(node.op_type());
  assert(it != converters().end() && "unsupported ops are rejected up front");
  if (failed(it->second(*this, node)))
    return failure();
  // Optional outputs quant does not compute (training statistics, Dropout's
  // mask, MaxPool's indices) must not be used.
  for (auto [i, output] : llvm::enumerate(node.output()))
    if (!output.empty() && isMissing(output))
      return notSupported(node) << "output #" << i << " ('" << output << "')";
  return success();
}
