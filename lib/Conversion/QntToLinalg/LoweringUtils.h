//===- LoweringUtils.h - Shared helpers of the qnt lowering -----*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// Small builders that every qnt-to-linalg pattern uses: ONNX broadcasting as
// indexing maps, element-wise linalg.generic, static reshapes, fills.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_LIB_CONVERSION_QNTTOLINALG_LOWERINGUTILS_H
#define QUANT_LIB_CONVERSION_QNTTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::qnt {
class ResizeOp;
} // namespace mlir::qnt

namespace mlir::qnt::lowering {

using BodyBuilder =
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// The map from an output of type `out` to an operand of type `operand` under
/// ONNX (numpy) broadcasting: trailing dims align; a size-1 operand dim that
/// the output widens reads index 0.
AffineMap broadcastMap(RankedTensorType operand, RankedTensorType out);

/// One all-parallel linalg.generic over `outType` reading `inputs` through
/// `maps` (one per input); `body` gets one scalar per input and returns the
/// output scalar.
Value buildParallelGeneric(OpBuilder &b, Location loc, RankedTensorType outType,
                           ValueRange inputs, ArrayRef<AffineMap> maps,
                           BodyBuilder body);

/// One all-parallel linalg.generic over `outType` reading `inputs` with
/// broadcasting maps; `body` gets one scalar per input and returns the
/// output scalar.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType outType,
                       ValueRange inputs, BodyBuilder body);

/// A linalg.generic over `outType` that reads `source` at indices computed
/// per output position: `sourceIndices` gets the output indices (linalg.index)
/// followed by one scalar per `inputs` (read through `maps`).
Value buildIndexedRead(
    OpBuilder &b, Location loc, RankedTensorType outType, Value source,
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location,
                                          ArrayRef<Value>)>
        sourceIndices,
    ValueRange inputs = {}, ArrayRef<AffineMap> maps = {});

/// `type` with another shape.
RankedTensorType withShape(RankedTensorType type, ArrayRef<int64_t> shape);

/// A tensor of `type` filled with `value`.
Value buildFilled(OpBuilder &b, Location loc, RankedTensorType type,
                  TypedAttr value);

/// A tensor of `type` filled with zeros.
Value buildZeros(OpBuilder &b, Location loc, RankedTensorType type);

/// `value` reshaped (row-major, no data movement) to `type`: one
/// collapse_shape or expand_shape where the dims group, else through 1-D.
Value reshapeTo(OpBuilder &b, Location loc, Value value,
                RankedTensorType type);

/// Pads (positive amounts) or crops (negative amounts) the trailing
/// `begin.size()` dims of `value`: tensor.extract_slice, then tensor.pad
/// filling with `fill`.
Value padOrCrop(OpBuilder &b, Location loc, Value value,
                ArrayRef<int64_t> begin, ArrayRef<int64_t> end, TypedAttr fill);

/// A float constant of element type `type`.
Value floatConst(OpBuilder &b, Location loc, Type type, double value);

/// An index constant.
Value indexConst(OpBuilder &b, Location loc, int64_t value);

/// -inf of float `type` (the identity of max).
TypedAttr negativeInfinity(Type type);

/// Lowers qnt.resize `op` reading `source` to `outType` (float, or the
/// i8 storage of an int8 nearest resize) and replaces it.
LogicalResult lowerResize(ResizeOp op, Value source, RankedTensorType outType,
                          ConversionPatternRewriter &rewriter);

/// An add, sub, mul, global_average_pool, nearest resize or concat with
/// quantized operands (QuantizedElementwise.cpp).
bool isInt8ElementwiseOp(Operation *op);

/// Why such an op has no int8 lowering, or nullopt.
std::optional<std::string> whyNotLowerableInt8Elementwise(Operation *op);

/// The int8 add/sub/mul/mean/resize patterns (concat is data movement:
/// QuantizedLowering.cpp's GridPreservingLowering).
void populateQuantizedElementwisePatterns(const TypeConverter &converter,
                                          RewritePatternSet &patterns);

void populateElementwisePatterns(RewritePatternSet &patterns);
void populateStructuredPatterns(RewritePatternSet &patterns);

} // namespace mlir::qnt::lowering

#endif // QUANT_LIB_CONVERSION_QNTTOLINALG_LOWERINGUTILS_H
