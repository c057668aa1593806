//===- OnnxOpsQuant.cpp - Quantized ONNX ops --------------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Explicit quantization (QDQ models, as ONNX Runtime's quantize_static and
// PyTorch's exporters write them) imports as the upstream quant dialect's
// casts: QuantizeLinear is a quant.qcast to a !quant.uniform tensor with the
// model's scale and zero point (int8 signed, uint8 unsigned; per tensor, or
// per axis), DequantizeLinear a quant.dcast back to f32. A DequantizeLinear
// of an integer initializer (a quantized weight or bias) reads a qnt.constant
// of the storage integers through a quant.scast. qnt-fuse-qdq then makes the
// dq -> op -> q patterns int8 ops (docs/QdqImport.md).
//
// Grids that are not constants, and ONNX Runtime's integer ops
// (MatMulInteger, ConvInteger, DynamicQuantizeLinear), import as ONNX's
// arithmetic on qnt's element-wise ops ("Run-time grids" below). ONNX
// Runtime's com.microsoft QLinearAdd/Mul/GlobalAveragePool become their QDQ
// patterns and MatMulNBits an f32 matmul on its dequantized weight.
//
//===----------------------------------------------------------------------===//

#include "OnnxDecompose.h"
#include "OnnxOpRegistry.h"
#include "OnnxOpsCommon.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

namespace {

std::string dtypeName(int32_t dtype) {
  if (onnx::TensorProto::DataType_IsValid(dtype))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(dtype));
  return "data type " + std::to_string(dtype);
}

/// Where a node keeps one quantized operand's grid: the inputs holding its
/// scale and zero point, and the axis a 1-D scale runs along.
struct GridInputs {
  int scale = 1, zero = 2;
  int64_t axis = 1;
};

/// The element type of a quantized tensor of `shape` with storage `dtype`
/// (INT8, UINT8, INT32) whose scales and zero points are `node`'s constant
/// inputs `g.scale` and `g.zero`, per tensor or along `g.axis`. Null after
/// reporting.
quant::QuantizedType
quantizedElementType(Importer &im, const onnx::NodeProto &node, int32_t dtype,
                     ArrayRef<int64_t> shape, GridInputs g = {}) {
  const ConstTensor *scale = im.getConst(node, g.scale);
  const ConstTensor *zero = im.getConst(node, g.zero);
  if (!scale || !scale->isFloat()) {
    im.notSupported(node) << "the scale (input " << g.scale
                          << ") must be a float constant";
    return {};
  }
  if (im.hasInput(node, g.zero) && !zero) {
    im.notSupported(node) << "the zero point (input " << g.zero
                          << ") must be a constant";
    return {};
  }
  if (zero && zero->dtype != dtype) {
    im.nodeError(node) << "the zero point's data type does not match the "
                          "quantized tensor's";
    return {};
  }
  MLIRContext *context = im.getBuilder().getContext();
  bool isSigned = dtype != onnx::TensorProto::UINT8;
  unsigned width = dtype == onnx::TensorProto::INT32 ? 32 : 8;
  int64_t qmin = isSigned ? -(int64_t(1) << (width - 1)) : 0;
  int64_t qmax = isSigned ? (int64_t(1) << (width - 1)) - 1 : 255;
  if (width == 32) {
    qmin = std::numeric_limits<int32_t>::min();
    qmax = std::numeric_limits<int32_t>::max();
  }
  auto storage = IntegerType::get(context, width);
  auto f32 = Float32Type::get(context);
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  int64_t count = scale->numElements();
  if (zero && zero->numElements() != count) {
    im.nodeError(node) << "the zero point has " << zero->numElements()
                       << " elements and the scale " << count;
    return {};
  }
  if (count == 0) {
    im.nodeError(node) << "the scale (input " << g.scale << ") is empty";
    return {};
  }
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  for (int64_t i = 0; i < count; ++i) {
    double s = scale->getDouble(i);
    if (!(s > 0) || !std::isfinite(s)) {
      im.nodeError(node) << "scale " << s << " is not a positive finite "
                         << "number";
      return {};
    }
    scales.push_back(s);
    zeroPoints.push_back(zero ? zero->getInt(i) : 0);
  }
  // A scalar scale, or a 1-D one with one element, is per tensor.
  if (scale->shape.size() <= 1 && count == 1)
    return quant::UniformQuantizedType::get(flags, storage, f32, scales[0],
                                            zeroPoints[0], qmin, qmax);
  if (scale->shape.size() != 1) {
    im.nodeError(node) << "the scale must be a scalar or 1-D";
    return {};
  }
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t axis = g.axis;
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank || shape[axis] != count) {
    im.nodeError(node) << "per-axis scales: " << count << " scales for axis "
                       << g.axis << " of a rank-" << rank << " tensor";
    return {};
  }
  return quant::UniformQuantizedPerAxisType::get(flags, storage, f32, scales,
                                                 zeroPoints, axis, qmin, qmax);
}

//===----------------------------------------------------------------------===//
// Run-time grids
//===----------------------------------------------------------------------===//
//
// A scale or zero point that is not an import-time constant (ONNX's node
// tests pass them as graph inputs; DynamicQuantizeLinear computes them), or
// a quantized tensor that arrives as plain integers (a graph input, a
// run-time QuantizeLinear's output), has no !quant.uniform type. Such nodes
// import as the arithmetic ONNX defines, on qnt's float and integer
// element-wise ops:
//
//   DequantizeLinear: f32(i32(x) - i32(zp)) * scale
//   QuantizeLinear:   saturate(round_half_even(x / scale) + zp)
//
// These stay float (no int8 kernel): correct, not fast.

/// Whether `node`'s scale and zero point (when present) are constants.
bool isConstantGrid(Importer &im, const onnx::NodeProto &node, GridInputs g) {
  return im.getConst(node, g.scale) &&
         (!im.hasInput(node, g.zero) || im.getConst(node, g.zero));
}

/// Whether input `i` is a run-time tensor of plain integers (not a
/// !quant.uniform tensor, not a constant).
bool isPlainIntegerValue(Importer &im, const onnx::NodeProto &node, int i) {
  if (im.getConst(node, i))
    return false;
  FailureOr<Value> x = im.getValue(node, i);
  return succeeded(x) &&
         isa<IntegerType>(cast<ShapedType>(x->getType()).getElementType());
}

/// Input `i` (int8, uint8 or int32; plain, quantized or constant) as i32
/// values, uint8 read unsigned (qnt holds uint8 as i8 bits).
FailureOr<Value> integerInputAsI32(Importer &im, const onnx::NodeProto &node,
                                   int i) {
  OpBuilder &b = im.getBuilder();
  Decomposer d(im, node, b.getI32Type());
  if (const ConstTensor *c = im.getConst(node, i)) {
    if (c->dtype != onnx::TensorProto::INT8 &&
        c->dtype != onnx::TensorProto::UINT8 &&
        c->dtype != onnx::TensorProto::INT32)
      return im.notSupported(node)
             << "input " << i << " ('" << node.input(i) << "') is "
             << dtypeName(c->dtype) << "; only int8, uint8 and int32 are "
             << "supported";
    // The values as they are (uint8 already unsigned here).
    ConstTensor wide = *c;
    wide.dtype = onnx::TensorProto::INT32;
    return im.materialize(wide, im.getLoc(node), node.input(i));
  }
  FailureOr<Value> x = im.getValue(node, i);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  Type element = type.getElementType();
  bool isUnsigned = im.isUint8Input(node, i);
  // A quantized tensor (a constant-grid QuantizeLinear's output) is read as
  // its storage integers.
  if (auto q = dyn_cast<quant::QuantizedType>(element)) {
    element = q.getStorageType();
    isUnsigned = !q.isSigned();
    *x = quant::StorageCastOp::create(b, im.getLoc(node), type.clone(element),
                                      *x);
  }
  if (!element.isInteger(8) && !element.isInteger(32))
    return im.notSupported(node)
           << "input " << i << " ('" << node.input(i) << "') is " << element
           << "; only int8, uint8 and int32 are supported";
  if (isUnsigned)
    return d.zeroExtend8(*x);
  return element.isInteger(32) ? *x : d.castTo(*x, b.getI32Type());
}

/// A grid input (scale or zero point: a scalar, or 1-D along `axis`)
/// shaped to broadcast against a rank-`rank` tensor of `shape`. Fails after
/// reporting.
FailureOr<Value> gridAlongAxis(Importer &im, const onnx::NodeProto &node,
                               Decomposer &d, Value v, int input,
                               ArrayRef<int64_t> shape, int64_t axis) {
  ArrayRef<int64_t> grid = shapeOf(v);
  int64_t count = 1;
  for (int64_t n : grid)
    count *= n;
  if (grid.size() <= 1 && count == 1)
    return d.reshape(v, {});
  int64_t rank = static_cast<int64_t>(shape.size());
  if (axis < 0)
    axis += rank;
  if (grid.size() != 1 || axis < 0 || axis >= rank || shape[axis] != count)
    return im.nodeError(node)
           << "input " << input << " ('" << node.input(input)
           << "') has shape [" << formatShape(grid)
           << "]; a scale or zero point is a scalar, or 1-D with one value "
           << "per index of axis " << axis << " of the tensor ["
           << formatShape(shape) << "]";
  SmallVector<int64_t> along(rank, 1);
  along[axis] = count;
  return d.reshape(v, along);
}

/// `g`'s scale as an f32 value (float16 is held as f32 already; ONNX
/// allows no other type, so the check is a guard). Fails after reporting.
FailureOr<Value> runTimeScale(Importer &im, const onnx::NodeProto &node,
                              GridInputs g) {
  FailureOr<Value> scale = im.getValue(node, g.scale);
  if (succeeded(scale) &&
      !cast<ShapedType>(scale->getType()).getElementType().isF32())
    return im.notSupported(node)
           << "the scale (input " << g.scale << ") must be float";
  return scale;
}

/// DequantizeLinear's arithmetic on input `data` with `g`'s grid, at run
/// time. Fails after reporting.
FailureOr<Value> dequantizeAtRunTime(Importer &im, const onnx::NodeProto &node,
                                     int data, GridInputs g) {
  im.noteRunTimeQuantization(node);
  FailureOr<Value> x = integerInputAsI32(im, node, data);
  FailureOr<Value> scale = runTimeScale(im, node, g);
  if (failed(x) || failed(scale))
    return failure();
  ArrayRef<int64_t> shape = shapeOf(*x);
  Decomposer di(im, node, im.getBuilder().getI32Type());
  Decomposer df(im, node, im.getBuilder().getF32Type());
  Value v = *x;
  if (im.hasInput(node, g.zero)) {
    FailureOr<Value> zero = integerInputAsI32(im, node, g.zero);
    if (failed(zero))
      return failure();
    FailureOr<Value> z =
        gridAlongAxis(im, node, di, *zero, g.zero, shape, g.axis);
    if (failed(z))
      return failure();
    v = di.sub(v, *z);
  }
  FailureOr<Value> s =
      gridAlongAxis(im, node, df, *scale, g.scale, shape, g.axis);
  if (failed(s))
    return failure();
  return df.mul(df.castTo(v, im.getBuilder().getF32Type()), *s);
}

/// The ONNX data type a quantizing node makes: its zero point's (input
/// `zero`), `withoutZero` (ONNX's uint8) without one. Fails after reporting
/// unless int8 or uint8.
FailureOr<int32_t>
quantizedDataType(Importer &im, const onnx::NodeProto &node, int zero,
                  int32_t withoutZero = onnx::TensorProto::UINT8) {
  if (!im.hasInput(node, zero))
    return withoutZero;
  if (const ConstTensor *z = im.getConst(node, zero)) {
    if (z->dtype == onnx::TensorProto::INT8 ||
        z->dtype == onnx::TensorProto::UINT8)
      return z->dtype;
    return im.notSupported(node) << "quantizes to " << dtypeName(z->dtype)
                                 << "; only int8 and uint8 are supported";
  }
  if (im.isUint8Input(node, zero))
    return int32_t(onnx::TensorProto::UINT8);
  FailureOr<Value> z = im.getValue(node, zero);
  if (failed(z))
    return failure();
  if (!cast<ShapedType>(z->getType()).getElementType().isInteger(8))
    return im.notSupported(node)
           << "quantizes to " << cast<ShapedType>(z->getType()).getElementType()
           << "; only int8 and uint8 are supported";
  return int32_t(onnx::TensorProto::INT8);
}

/// QuantizeLinear's arithmetic on f32 `x` with `g`'s grid, at run time: an
/// i8 tensor (uint8 as its bits). NaN (x NaN, or 0 / 0) quantizes to the
/// zero point, as quant.qcast's lowering does. Fails after reporting.
FailureOr<Value>
quantizeAtRunTime(Importer &im, const onnx::NodeProto &node, Value x,
                  GridInputs g,
                  int32_t withoutZero = onnx::TensorProto::UINT8) {
  im.noteRunTimeQuantization(node);
  FailureOr<int32_t> dtype = quantizedDataType(im, node, g.zero, withoutZero);
  FailureOr<Value> scale = runTimeScale(im, node, g);
  if (failed(dtype) || failed(scale))
    return failure();
  OpBuilder &b = im.getBuilder();
  ArrayRef<int64_t> shape = shapeOf(x);
  Decomposer df(im, node, b.getF32Type());
  FailureOr<Value> s =
      gridAlongAxis(im, node, df, *scale, g.scale, shape, g.axis);
  if (failed(s))
    return failure();
  Value r = df.unary<RoundOp>(df.div(x, *s));
  Value zeroPoint = df.splat(0.0f);
  if (im.hasInput(node, g.zero)) {
    FailureOr<Value> zero = integerInputAsI32(im, node, g.zero);
    if (failed(zero))
      return failure();
    Decomposer di(im, node, b.getI32Type());
    FailureOr<Value> z =
        gridAlongAxis(im, node, di, *zero, g.zero, shape, g.axis);
    if (failed(z))
      return failure();
    zeroPoint = df.castTo(*z, b.getF32Type());
    r = df.add(r, zeroPoint);
  }
  bool isUnsigned = *dtype == onnx::TensorProto::UINT8;
  r = df.clamp(r, isUnsigned ? 0.0f : -128.0f, isUnsigned ? 255.0f : 127.0f);
  r = df.select(df.compare(r, r, ComparePredicate::eq), r, zeroPoint);
  return df.castTo(df.castTo(r, b.getI32Type()), b.getI8Type());
}

LogicalResult convertQuantizeLinear(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type))
    return failure();
  auto xType = cast<RankedTensorType>(x->getType());
  if (!xType.getElementType().isF32())
    return im.notSupported(node) << "quantizes a " << xType.getElementType()
                                 << " tensor; only float32 is supported";
  GridInputs grid;
  grid.axis = attrInt(node, "axis", 1);
  if (!isConstantGrid(im, node, grid)) {
    FailureOr<Value> q = quantizeAtRunTime(im, node, *x, grid);
    if (failed(q))
      return failure();
    im.setValue(node, 0, *q);
    return success();
  }
  // Without a zero point the output is uint8 (the ONNX default).
  const ConstTensor *zero = im.getConst(node, 2);
  int32_t dtype = zero ? zero->dtype : onnx::TensorProto::UINT8;
  if (dtype != onnx::TensorProto::INT8 && dtype != onnx::TensorProto::UINT8)
    return im.notSupported(node) << "quantizes to " << dtypeName(dtype)
                                 << "; only int8 and uint8 are supported";
  quant::QuantizedType element =
      quantizedElementType(im, node, dtype, xType.getShape(), grid);
  if (!element)
    return failure();
  im.setValue(node, 0,
              quant::QuantizeCastOp::create(im.getBuilder(), im.getLoc(node),
                                            xType.clone(element), *x));
  return success();
}

/// The storage constant of a quantized initializer, behind a quant.scast to
/// `type`.
Value quantizedConstant(Importer &im, const onnx::NodeProto &node, int input,
                        const ConstTensor &data, RankedTensorType type) {
  OpBuilder &b = im.getBuilder();
  Location loc = im.getLoc(node);
  auto element = cast<quant::QuantizedType>(type.getElementType());
  RankedTensorType storageType = type.clone(
      IntegerType::get(b.getContext(), element.getStorageTypeIntegralWidth()));
  std::string blobName = node.input(input);
  ElementsAttr attr;
  if (element.getStorageTypeIntegralWidth() == 32) {
    SmallVector<int32_t> values(data.ints.begin(), data.ints.end());
    attr = makeI32Elements(storageType, values, blobName);
  } else {
    // uint8 values keep their bits in i8 storage (the type says unsigned).
    SmallVector<int8_t> values;
    values.reserve(data.ints.size());
    for (int64_t v : data.ints)
      values.push_back(static_cast<int8_t>(static_cast<uint8_t>(v)));
    attr = makeI8Elements(storageType, values, blobName);
  }
  Value storage = ConstantOp::create(b, loc, attr);
  return quant::StorageCastOp::create(b, loc, type, storage);
}

/// Operand `data` of `node` as a quantized tensor with the grid of
/// `grid`'s inputs: an integer initializer becomes a storage constant behind
/// a quant.scast; a run-time value must already be quantized on that grid
/// (a QuantizeLinear or QLinear* output). Fails after reporting.
FailureOr<Value> quantizedOperand(Importer &im, const onnx::NodeProto &node,
                                  int data, GridInputs grid) {
  if (const ConstTensor *constant = im.getConst(node, data)) {
    if (constant->dtype != onnx::TensorProto::INT8 &&
        constant->dtype != onnx::TensorProto::UINT8 &&
        constant->dtype != onnx::TensorProto::INT32)
      return im.notSupported(node)
             << "dequantizes " << dtypeName(constant->dtype)
             << "; only int8, uint8 and int32 are supported";
    quant::QuantizedType element =
        quantizedElementType(im, node, constant->dtype, constant->shape, grid);
    if (!element)
      return failure();
    return quantizedConstant(im, node, data, *constant,
                             RankedTensorType::get(constant->shape, element));
  }
  FailureOr<Value> x = im.getValue(node, data);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  auto element = dyn_cast<quant::QuantizedType>(type.getElementType());
  if (!element)
    return im.notSupported(node)
           << "dequantizes '" << node.input(data)
           << "', which is neither a QuantizeLinear output nor an integer "
              "initializer (quantized graph inputs are not supported)";
  int32_t dtype =
      element.isSigned() ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8;
  quant::QuantizedType expected =
      quantizedElementType(im, node, dtype, type.getShape(), grid);
  if (!expected)
    return failure();
  if (expected != element)
    return im.nodeError(node)
           << "dequantizes '" << node.input(data) << "' with " << expected
           << ", but it was quantized as " << element
           << "; quant needs the same scale and zero point on both sides";
  return *x;
}

Value dequantize(Importer &im, const onnx::NodeProto &node, Value q) {
  auto type = cast<RankedTensorType>(q.getType());
  return quant::DequantizeCastOp::create(
      im.getBuilder(), im.getLoc(node),
      type.clone(Float32Type::get(im.getBuilder().getContext())), q);
}

LogicalResult convertDequantizeLinear(Importer &im,
                                      const onnx::NodeProto &node) {
  if (failed(im.getResultType(node)))
    return failure();
  GridInputs grid;
  grid.axis = attrInt(node, "axis", 1);
  if (!isConstantGrid(im, node, grid) || isPlainIntegerValue(im, node, 0)) {
    FailureOr<Value> y = dequantizeAtRunTime(im, node, 0, grid);
    if (failed(y))
      return failure();
    im.setValue(node, 0, *y);
    return success();
  }
  FailureOr<Value> q = quantizedOperand(im, node, 0, grid);
  if (failed(q))
    return failure();
  im.setValue(node, 0, dequantize(im, node, *q));
  return success();
}

/// Binds `node`'s output to `y` (f32) quantized to the per-tensor grid of
/// its inputs `scale` and `zero` (int8 or uint8, as the zero point's type
/// says). Fails after reporting.
LogicalResult
setQuantizedResult(Importer &im, const onnx::NodeProto &node,
                   FailureOr<Value> y, int scale, int zero,
                   int32_t withoutZero = onnx::TensorProto::UINT8) {
  if (failed(y))
    return failure();
  const ConstTensor *z = im.getConst(node, zero);
  int32_t dtype = z ? z->dtype : withoutZero;
  if (dtype != onnx::TensorProto::INT8 && dtype != onnx::TensorProto::UINT8)
    return im.notSupported(node) << "quantizes to " << dtypeName(dtype)
                                 << "; only int8 and uint8 are supported";
  auto type = cast<RankedTensorType>(y->getType());
  GridInputs grid{scale, zero, 1};
  quant::QuantizedType element =
      quantizedElementType(im, node, dtype, type.getShape(), grid);
  if (!element)
    return failure();
  if (!isa<quant::UniformQuantizedType>(element))
    return im.notSupported(node) << "a per-axis output grid";
  im.setValue(node, 0,
              quant::QuantizeCastOp::create(im.getBuilder(), im.getLoc(node),
                                            type.clone(element), *y));
  return success();
}

/// Whether a QLinear* node must import as run-time arithmetic: a grid that
/// is not constant, or a quantized operand that arrives as plain integers.
bool needsRunTimeGrids(Importer &im, const onnx::NodeProto &node,
                       ArrayRef<std::pair<int, GridInputs>> operands,
                       GridInputs output) {
  if (!isConstantGrid(im, node, output))
    return true;
  return llvm::any_of(operands, [&](const std::pair<int, GridInputs> &op) {
    return !isConstantGrid(im, node, op.second) ||
           isPlainIntegerValue(im, node, op.first);
  });
}

/// QLinearConv with run-time grids: dq(x), dq(w), dq(B) -> Conv -> q in
/// ONNX's arithmetic (B's scale is x_scale * w_scale, per output channel).
LogicalResult convertQLinearConvAtRunTime(Importer &im,
                                          const onnx::NodeProto &node,
                                          RankedTensorType type) {
  FailureOr<Value> x = dequantizeAtRunTime(im, node, 0, {1, 2, 1});
  FailureOr<Value> w = dequantizeAtRunTime(im, node, 3, {4, 5, 0});
  if (failed(x) || failed(w))
    return failure();
  Type f32 = im.getBuilder().getF32Type();
  Value bias;
  if (im.hasInput(node, 8)) {
    FailureOr<Value> b = integerInputAsI32(im, node, 8);
    FailureOr<Value> xScale = im.getValue(node, 1);
    FailureOr<Value> wScale = im.getValue(node, 4);
    if (failed(b) || failed(xScale) || failed(wScale))
      return failure();
    if (shapeOf(*b).size() != 1)
      return im.notSupported(node) << "the bias must be 1-D";
    Decomposer df(im, node, f32);
    FailureOr<Value> xs =
        gridAlongAxis(im, node, df, *xScale, 1, shapeOf(*b), 0);
    FailureOr<Value> ws =
        gridAlongAxis(im, node, df, *wScale, 4, shapeOf(*b), 0);
    if (failed(xs) || failed(ws))
      return failure();
    bias = df.mul(df.castTo(*b, f32), df.mul(*xs, *ws));
  }
  FailureOr<Value> conv = buildConv(im, node, *x, *w, bias, type.clone(f32));
  if (failed(conv))
    return failure();
  FailureOr<Value> y = quantizeAtRunTime(im, node, *conv, {6, 7, 1});
  if (failed(y))
    return failure();
  im.setValue(node, 0, *y);
  return success();
}

/// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B): the
/// QDQ form it stands for, dq(x), dq(w), dq(B) -> Conv -> q, which
/// qnt-fuse-qdq then makes one int8 conv.
LogicalResult convertQLinearConv(Importer &im, const onnx::NodeProto &node) {
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  if (needsRunTimeGrids(im, node, {{0, {1, 2, 1}}, {3, {4, 5, 0}}},
                        {6, 7, 1}) ||
      (im.hasInput(node, 8) && !im.getConst(node, 8)))
    return convertQLinearConvAtRunTime(im, node, *type);
  FailureOr<Value> x = quantizedOperand(im, node, 0, GridInputs{1, 2, 1});
  if (failed(x))
    return failure();
  // ONNX gives x one scale (the bias's scale below depends on it).
  auto xq = dyn_cast<quant::UniformQuantizedType>(
      cast<RankedTensorType>(x->getType()).getElementType());
  if (!xq)
    return im.notSupported(node) << "x_scale must be a scalar (one grid for "
                                    "the input)";
  // Weight scales are per output channel (axis 0) when 1-D.
  FailureOr<Value> w = quantizedOperand(im, node, 3, GridInputs{4, 5, 0});
  if (failed(w))
    return failure();
  Value bias;
  if (im.hasInput(node, 8)) {
    const ConstTensor *b = im.getConst(node, 8);
    if (!b || b->dtype != onnx::TensorProto::INT32 || b->shape.size() != 1)
      return im.notSupported(node) << "the bias must be a 1-D int32 constant";
    // B's scale is x_scale * w_scale (per channel), zero point 0.
    quant::QuantizedType wq = cast<quant::QuantizedType>(
        cast<RankedTensorType>(w->getType()).getElementType());
    MLIRContext *context = im.getBuilder().getContext();
    auto i32 = IntegerType::get(context, 32);
    auto f32 = Float32Type::get(context);
    int64_t lo = std::numeric_limits<int32_t>::min();
    int64_t hi = std::numeric_limits<int32_t>::max();
    quant::QuantizedType element;
    if (auto axis = dyn_cast<quant::UniformQuantizedPerAxisType>(wq)) {
      SmallVector<double> scales;
      for (double s : axis.getScales())
        scales.push_back(xq.getScale() * s);
      if (static_cast<int64_t>(scales.size()) != b->shape[0])
        return im.nodeError(node)
               << "the bias has " << b->shape[0] << " values for "
               << scales.size() << " weight scales";
      element = quant::UniformQuantizedPerAxisType::get(
          quant::QuantizationFlags::Signed, i32, f32, scales,
          SmallVector<int64_t>(scales.size(), 0), 0, lo, hi);
    } else {
      element = quant::UniformQuantizedType::get(
          quant::QuantizationFlags::Signed, i32, f32,
          xq.getScale() * cast<quant::UniformQuantizedType>(wq).getScale(), 0,
          lo, hi);
    }
    bias =
        dequantize(im, node,
                   quantizedConstant(im, node, 8, *b,
                                     RankedTensorType::get(b->shape, element)));
  }
  FailureOr<Value> conv = buildConv(
      im, node, dequantize(im, node, *x), dequantize(im, node, *w), bias,
      type->clone(Float32Type::get(im.getBuilder().getContext())));
  return setQuantizedResult(im, node, conv, 6, 7);
}

/// QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp): dq(a),
/// dq(b) -> MatMul -> q (a's scales per row and b's per column when 1-D).
LogicalResult convertQLinearMatMul(Importer &im, const onnx::NodeProto &node) {
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  // The row axis of `a` and the column axis of `b`, from their ranks.
  auto axisFromEnd = [&](int input, int64_t fromEnd) -> int64_t {
    int64_t rank = 2;
    if (const ConstTensor *c = im.getConst(node, input))
      rank = static_cast<int64_t>(c->shape.size());
    else if (auto shape = im.getStaticShape(node.input(input)))
      rank = static_cast<int64_t>(shape->size());
    return std::max<int64_t>(0, rank - fromEnd);
  };
  GridInputs aGrid{1, 2, axisFromEnd(0, 2)}, bGrid{4, 5, axisFromEnd(3, 1)};
  if (needsRunTimeGrids(im, node, {{0, aGrid}, {3, bGrid}}, {6, 7, 1})) {
    FailureOr<Value> a = dequantizeAtRunTime(im, node, 0, aGrid);
    FailureOr<Value> b = dequantizeAtRunTime(im, node, 3, bGrid);
    if (failed(a) || failed(b))
      return failure();
    Value product = MatMulOp::create(
        im.getBuilder(), im.getLoc(node),
        type->clone(Float32Type::get(im.getBuilder().getContext())), *a, *b);
    FailureOr<Value> y = quantizeAtRunTime(im, node, product, {6, 7, 1});
    if (failed(y))
      return failure();
    im.setValue(node, 0, *y);
    return success();
  }
  FailureOr<Value> a = quantizedOperand(im, node, 0, aGrid);
  if (failed(a))
    return failure();
  FailureOr<Value> b = quantizedOperand(im, node, 3, bGrid);
  if (failed(b))
    return failure();
  Value product = MatMulOp::create(
      im.getBuilder(), im.getLoc(node),
      type->clone(Float32Type::get(im.getBuilder().getContext())),
      dequantize(im, node, *a), dequantize(im, node, *b));
  return setQuantizedResult(im, node, product, 6, 7);
}

/// Input `i` minus zero point `zero` (absent: none), both as i32. The zero
/// point is a scalar; or, with `axis` (negative: from the end of input
/// `i`'s dims), 1-D along that axis (MatMulInteger's rows of A and columns
/// of B, ConvInteger's output channels of W) or a tensor of input `i`'s
/// rank that broadcasts to it.
FailureOr<Value> minusZeroPoint(Importer &im, const onnx::NodeProto &node,
                                int i, int zero, std::optional<int64_t> axis) {
  im.noteRunTimeQuantization(node);
  FailureOr<Value> x = integerInputAsI32(im, node, i);
  if (failed(x) || !im.hasInput(node, zero))
    return x;
  FailureOr<Value> z = integerInputAsI32(im, node, zero);
  if (failed(z))
    return failure();
  Decomposer di(im, node, im.getBuilder().getI32Type());
  ArrayRef<int64_t> shape = shapeOf(*x);
  int64_t count = 1;
  for (int64_t n : shapeOf(*z))
    count *= n;
  if (!axis) {
    if (count != 1)
      return im.notSupported(node)
             << "zero point '" << node.input(zero) << "' (input " << zero
             << ") has " << count << " values; it must be a scalar";
    return di.sub(*x, di.reshape(*z, {}));
  }
  int64_t rank = static_cast<int64_t>(shape.size());
  if (shapeOf(*z).size() == shape.size() && rank > 1 &&
      broadcastShapes(shapeOf(*z), shape) == SmallVector<int64_t>(shape))
    return di.sub(*x, *z);
  FailureOr<Value> zp =
      gridAlongAxis(im, node, di, *z, zero, SmallVector<int64_t>(shape), *axis);
  if (failed(zp))
    return failure();
  return di.sub(*x, *zp);
}

/// MatMulInteger(A, B, a_zp, b_zp): (A - a_zp) x (B - b_zp) in int32 (a_zp
/// per row of A, b_zp per column of B when 1-D). int32 products and sums
/// wrap.
LogicalResult convertMatMulInteger(Importer &im, const onnx::NodeProto &node) {
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  // a_zp runs along A's rows (second from the end), b_zp along B's columns
  // (the last dim).
  FailureOr<Value> a = minusZeroPoint(im, node, 0, 2, -2);
  FailureOr<Value> b = minusZeroPoint(im, node, 1, 3, -1);
  if (failed(a) || failed(b))
    return failure();
  if (shapeOf(*a).size() < 2 || shapeOf(*b).size() < 2)
    return im.notSupported(node) << "1-D operands";
  im.setValue(
      node, 0,
      MatMulOp::create(im.getBuilder(), im.getLoc(node), *type, *a, *b));
  return success();
}

/// ConvInteger(x, w, x_zp, w_zp): Conv of (x - x_zp) and (w - w_zp) in
/// int32. Padding x with its zero point, as ONNX does, is padding the
/// difference with 0, which is what the conv does.
LogicalResult convertConvInteger(Importer &im, const onnx::NodeProto &node) {
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  FailureOr<Value> x = minusZeroPoint(im, node, 0, 2, std::nullopt);
  FailureOr<Value> w = minusZeroPoint(im, node, 1, 3, 0);
  if (failed(x) || failed(w))
    return failure();
  FailureOr<Value> conv = buildConv(im, node, *x, *w, Value(), *type);
  if (failed(conv))
    return failure();
  im.setValue(node, 0, *conv);
  return success();
}

/// DynamicQuantizeLinear(x) -> (y, y_scale, y_zero_point), uint8, as ONNX
/// defines it: the range of x widened to include 0, scale = range / 255
/// (1 for an all-zero x, as ONNX Runtime), zero point =
/// round(saturate(-min / scale)), y = QuantizeLinear(x).
LogicalResult convertDynamicQuantizeLinear(Importer &im,
                                           const onnx::NodeProto &node) {
  im.noteRunTimeQuantization(node);
  FailureOr<Value> x = im.getValue(node, 0);
  if (failed(x))
    return failure();
  OpBuilder &b = im.getBuilder();
  if (!cast<ShapedType>(x->getType()).getElementType().isF32())
    return im.notSupported(node)
           << "quantizes a " << cast<ShapedType>(x->getType()).getElementType()
           << " tensor; only float32 is supported";
  Decomposer df(im, node, b.getF32Type());
  SmallVector<int64_t> all;
  for (int64_t d = 0; d < static_cast<int64_t>(shapeOf(*x).size()); ++d)
    all.push_back(d);
  Value zero = df.splat(0.0f);
  Value lo = df.min(df.reduce<ReduceMinOp>(*x, all, false), zero);
  Value hi = df.max(df.reduce<ReduceMaxOp>(*x, all, false), zero);
  // An all-zero x has no range: scale 1, as ONNX Runtime takes it.
  Value scale =
      df.select(df.compare(hi, lo, ComparePredicate::eq), df.splat(1.0f),
                df.div(df.sub(hi, lo), df.splat(255.0f)));
  // A NaN in x (or a NaN range) quantizes to the zero point, and a NaN
  // zero point is 0.
  auto orIfNaN = [&](Value v, Value fallback) {
    return df.select(df.compare(v, v, ComparePredicate::eq), v, fallback);
  };
  Value zeroPoint = orIfNaN(df.unary<RoundOp>(df.clamp(
                                df.sub(zero, df.div(lo, scale)), 0.0f, 255.0f)),
                            zero);
  Value q = df.unary<RoundOp>(df.div(*x, scale));
  q = orIfNaN(df.clamp(df.add(q, zeroPoint), 0.0f, 255.0f), zeroPoint);
  auto toU8Bits = [&](Value v) {
    return df.castTo(df.castTo(v, b.getI32Type()), b.getI8Type());
  };
  im.setValue(node, 0, toU8Bits(q));
  im.setValue(node, 1, scale);
  im.setValue(node, 2, toU8Bits(zeroPoint));
  return success();
}

//===----------------------------------------------------------------------===//
// ONNX Runtime's com.microsoft ops
//===----------------------------------------------------------------------===//

/// Input `data` on `g`'s grid as f32: a quant.dcast where the grid is
/// constant and the data quantized (or an integer initializer), the
/// run-time arithmetic otherwise.
FailureOr<Value> dequantizeInput(Importer &im, const onnx::NodeProto &node,
                                 int data, GridInputs g) {
  if (!isConstantGrid(im, node, g) || isPlainIntegerValue(im, node, data))
    return dequantizeAtRunTime(im, node, data, g);
  FailureOr<Value> q = quantizedOperand(im, node, data, g);
  if (failed(q))
    return failure();
  return dequantize(im, node, *q);
}

/// Binds output 0 to f32 `y` quantized on `g`'s per-tensor grid, of ONNX
/// type `withoutZero` when the node has no zero point for it.
LogicalResult setQuantizedOutput(Importer &im, const onnx::NodeProto &node,
                                 Value y, GridInputs g, int32_t withoutZero) {
  if (isConstantGrid(im, node, g))
    return setQuantizedResult(im, node, y, g.scale, g.zero, withoutZero);
  FailureOr<Value> q = quantizeAtRunTime(im, node, y, g, withoutZero);
  if (failed(q))
    return failure();
  im.setValue(node, 0, *q);
  return success();
}

/// com.microsoft QLinearAdd / QLinearMul (A, A_scale, A_zp, B, B_scale,
/// B_zp, C_scale, C_zp): dq(A), dq(B) -> Add / Mul -> q, with numpy
/// broadcasting; C has A's type (when C has no zero point).
template <typename OpTy>
LogicalResult convertQLinearBinary(Importer &im, const onnx::NodeProto &node) {
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  FailureOr<Value> a = dequantizeInput(im, node, 0, {1, 2, 1});
  FailureOr<Value> b = dequantizeInput(im, node, 3, {4, 5, 1});
  if (failed(a) || failed(b))
    return failure();
  Value y = OpTy::create(im.getBuilder(), im.getLoc(node),
                         type->clone(im.getBuilder().getF32Type()), *a, *b);
  int32_t dtype = im.isUint8Input(node, 0) ? onnx::TensorProto::UINT8
                                           : onnx::TensorProto::INT8;
  return setQuantizedOutput(im, node, y, {6, 7, 1}, dtype);
}

/// com.microsoft QLinearGlobalAveragePool (X, x_scale, x_zp, y_scale,
/// y_zp): dq(X) -> GlobalAveragePool -> q (channels first only).
LogicalResult convertQLinearGlobalAveragePool(Importer &im,
                                              const onnx::NodeProto &node) {
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  if (attrInt(node, "channels_last", 0) != 0)
    return im.notSupported(node) << "channels_last = 1 (NHWC)";
  FailureOr<Value> x = dequantizeInput(im, node, 0, {1, 2, 1});
  if (failed(x))
    return failure();
  Value y = GlobalAveragePoolOp::create(
      im.getBuilder(), im.getLoc(node),
      type->clone(im.getBuilder().getF32Type()), *x);
  int32_t dtype = im.isUint8Input(node, 0) ? onnx::TensorProto::UINT8
                                           : onnx::TensorProto::INT8;
  return setQuantizedOutput(im, node, y, {3, 4, 1}, dtype);
}

/// com.microsoft MatMulNBits (A, B, scales, zero_points, g_idx, bias):
/// A x W^T (+ bias), W [N, K] stored as `bits`-bit unsigned integers
/// packed low bits first, in blocks of `block_size` along K, each with a
/// scale and a zero point (packed the same way, or float; 2^(bits-1)
/// without them): W = (q - zp) * scale, in f32, as ONNX Runtime dequantizes
/// it. The weight becomes an f32 constant here; quant's own int4/int8
/// quantization then applies to it like to any float weight.
LogicalResult convertMatMulNBits(Importer &im, const onnx::NodeProto &node) {
  int64_t k = attrInt(node, "K", 0), n = attrInt(node, "N", 0);
  int64_t bits = attrInt(node, "bits", 4);
  int64_t blockSize = attrInt(node, "block_size", 0);
  if (bits != 2 && bits != 4 && bits != 8)
    return im.notSupported(node) << "bits = " << bits << " (2, 4 or 8 are)";
  // (Bounds first: the byte counts below are then far from overflowing.)
  if (k <= 0 || n <= 0 || blockSize <= 0 || k > (int64_t(1) << 31) ||
      n > (int64_t(1) << 31) || blockSize > 65536 || blockSize * bits % 8 != 0)
    return im.nodeError(node)
           << "K = " << k << ", N = " << n << ", block_size = " << blockSize
           << ": expects positive sizes, K and N at most 2^31, block_size "
              "at most 65536, and whole bytes per block";
  FailureOr<RankedTensorType> type = im.getResultType(node);
  FailureOr<Value> a = im.getValue(node, 0);
  if (failed(type) || failed(a))
    return failure();
  if (shapeOf(*a).empty() || shapeOf(*a).back() != k)
    return im.nodeError(node) << "A's last dim is not K = " << k;
  if (im.hasInput(node, 4))
    return im.notSupported(node) << "g_idx (a column order for act-order "
                                    "GPTQ weights)";
  if (!im.fitsTensorBytes({k, n}, onnx::TensorProto::FLOAT))
    return failure();
  int64_t blocks = (k + blockSize - 1) / blockSize;
  int64_t blobBytes = blockSize * bits / 8;
  const ConstTensor *b = im.getConst(node, 1);
  if (!b || b->dtype != onnx::TensorProto::UINT8 ||
      b->numElements() != n * blocks * blobBytes)
    return im.notSupported(node)
           << "B must be a uint8 constant of " << n << " x " << blocks << " x "
           << blobBytes << " bytes";
  const ConstTensor *scales = im.getConst(node, 2);
  if (!scales || !scales->isFloat() || scales->numElements() != n * blocks)
    return im.notSupported(node)
           << "scales must be a float constant of " << n * blocks << " values";
  const ConstTensor *zeros = im.getConst(node, 3);
  int64_t zeroRowBytes = (blocks * bits + 7) / 8;
  if (im.hasInput(node, 3) &&
      (!zeros ||
       !(zeros->isFloat() ? zeros->numElements() == n * blocks
                          : zeros->dtype == onnx::TensorProto::UINT8 &&
                                zeros->numElements() == n * zeroRowBytes)))
    return im.notSupported(node)
           << "zero_points must be a constant: " << n * zeroRowBytes
           << " packed uint8 bytes, or " << n * blocks << " floats";
  // Value i of a row of bits-bit integers packed low bits first.
  auto unpack = [&](const std::vector<int64_t> &bytes, int64_t rowStart,
                    int64_t i) {
    int64_t bit = i * bits;
    return (bytes[rowStart + bit / 8] >> (bit % 8)) & ((1 << bits) - 1);
  };
  std::vector<float> weight(static_cast<size_t>(k * n));
  for (int64_t row = 0; row < n; ++row) {
    for (int64_t col = 0; col < k; ++col) {
      int64_t block = col / blockSize;
      float zero = static_cast<float>(int64_t(1) << (bits - 1));
      if (zeros && zeros->isFloat())
        zero = zeros->floats[row * blocks + block];
      else if (zeros)
        zero =
            static_cast<float>(unpack(zeros->ints, row * zeroRowBytes, block));
      float q =
          static_cast<float>(unpack(b->ints, row * blocks * blobBytes, col));
      weight[col * n + row] = (q - zero) * scales->floats[row * blocks + block];
    }
  }
  Value w =
      materializeFloats(im, weight, {k, n}, im.getLoc(node), node.input(1));
  OpBuilder &builder = im.getBuilder();
  Value y = MatMulOp::create(builder, im.getLoc(node), *type, *a, w);
  if (im.hasInput(node, 5)) {
    FailureOr<Value> bias = im.getValue(node, 5);
    if (failed(bias))
      return failure();
    if (shapeOf(*bias) != ArrayRef<int64_t>{n})
      return im.nodeError(node) << "the bias is not [" << n << "]";
    y = AddOp::create(builder, im.getLoc(node), *type, y, *bias);
  }
  im.setValue(node, 0, y);
  return success();
}

} // namespace

void mlir::qnt::detail::populateQuantConverters(OnnxOpRegistry &r) {
  // Opset 10 added both; 13 added per-axis scales (axis); opsets 19 and 21
  // (float8, int4, blocked) are past what quant reads.
  r.onOp("QuantizeLinear", 10, convertQuantizeLinear);
  r.onOp("DequantizeLinear", 10, convertDequantizeLinear);
  r.onOp("QLinearConv", 10, convertQLinearConv);
  r.onOp("QLinearMatMul", 10, convertQLinearMatMul);
  r.onOp("MatMulInteger", 10, convertMatMulInteger);
  r.onOp("ConvInteger", 10, convertConvInteger);
  r.onOp("DynamicQuantizeLinear", 11, convertDynamicQuantizeLinear);
  r.onDomainOp("com.microsoft", "QLinearAdd", 1, convertQLinearBinary<AddOp>);
  r.onDomainOp("com.microsoft", "QLinearMul", 1, convertQLinearBinary<MulOp>);
  r.onDomainOp("com.microsoft", "QLinearGlobalAveragePool", 1,
               convertQLinearGlobalAveragePool);
  r.onDomainOp("com.microsoft", "MatMulNBits", 1, convertMatMulNBits);
}
