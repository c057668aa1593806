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

/// A tensor of `type` filled with `value`.
Value buildFilled(OpBuilder &b, Location loc, RankedTensorType type,
                  TypedAttr value);

/// `value` reshaped (row-major, no data movement) to `type`.
Value reshapeTo(OpBuilder &b, Location loc, Value value,
                RankedTensorType type);

/// A float constant of element type `type`.
Value floatConst(OpBuilder &b, Location loc, Type type, double value);

/// The lowest finite value of float `type` (the identity of max).
TypedAttr lowestFloat(Type type);

/// Fails when `op` touches quantized or non-float tensors where the float
/// lowering expects floats, with a message at the op.
LogicalResult checkFloatOperands(Operation *op,
                                 ConversionPatternRewriter &rewriter);

void populateElementwisePatterns(RewritePatternSet &patterns);
void populateStructuredPatterns(RewritePatternSet &patterns);

} // namespace mlir::qnt::lowering

#endif // QUANT_LIB_CONVERSION_QNTTOLINALG_LOWERINGUTILS_H
