//===- QntQuantTypes.h - Quantized tensor types on qnt ops ------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Reading the `!quant.uniform` tensor types that qnt-quantize puts on qnt
// ops, and the storage-type casts around them. The int8 lowerings (the
// reference in convert-quantized-qnt-to-linalg, the microkernel calls of
// quant-cpu-int8-kernels) share these, so that both accept the same types
// and compute the same requantization multipliers.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_QNTQUANTTYPES_H
#define QUANT_DIALECT_QNT_IR_QNTQUANTTYPES_H

#include "quant/Quantization/QuantMath.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace mlir::qnt {

/// The quantized element type of a ranked tensor type, or null.
quant::QuantizedType getQuantizedElementType(Type type);

/// A tensor type of a quantized element type, with the storage type as its
/// element type.
RankedTensorType getStorageTensorType(Type type);

/// The element type of a tensor quantized per tensor on signed i8 storage,
/// or null.
quant::UniformQuantizedType getPerTensorI8Type(Type type);

/// The scales of a weight tensor on i8 storage whose zero points are all 0:
/// one per channel (per-axis) or one for the tensor; nullopt otherwise.
std::optional<llvm::SmallVector<double>> getSymmetricI8WeightScales(Type type);

/// A weight quantized group-wise on int4: `!quant.uniform<i4:f32:{...}>`
/// sub-channel type, zero points 0, one scale per (output channel, group of
/// `groupSize` consecutive indices of the input axis); every other axis is
/// one block. qnt-quantize makes these for int4 layers; the reference
/// lowering and the int4 kernels read them (docs/Numerics.md, "int4
/// weights").
struct GroupedI4Weight {
  int64_t outAxis = 0, inAxis = 1;
  int64_t outChannels = 0, inChannels = 0;
  int64_t groupSize = 0, groups = 0;
  /// [outChannels][groups], row-major.
  llvm::SmallVector<double> scales;
};

/// The grouped int4 form of a weight tensor type, or nullopt.
std::optional<GroupedI4Weight> getGroupedI4Weight(Type type);

/// The element type of a grouped int4 weight of `shape` (see
/// GroupedI4Weight; `scales` is [outChannels][groups]).
quant::UniformQuantizedSubChannelType
makeGroupedI4Type(MLIRContext *context, llvm::ArrayRef<int64_t> shape,
                  const GroupedI4Weight &weight);

/// The real values of grouped int4 weights `q` (the weight's layout):
/// q * scale of its group, as f32. qnt-allocate-bits runs them in place of
/// the float weights to measure what int4 costs.
llvm::SmallVector<float> dequantizeGroupedI4(RankedTensorType type,
                                             const GroupedI4Weight &weight,
                                             llvm::ArrayRef<int8_t> q);

/// The int4 values (`values`, the weight's elements in its own layout) of a
/// grouped int4 weight of `type`, packed two per byte: output channels 2p
/// (low nibble) and 2p + 1 (high nibble, 0 past the last channel) of one
/// input element share byte [p][i], i running over the input axis and then
/// the weight's remaining axes (kh, kw of a conv): [ceil(O/2)][I * taps].
llvm::SmallVector<int8_t> packGroupedI4Weight(RankedTensorType type,
                                              const GroupedI4Weight &weight,
                                              llvm::ArrayRef<int64_t> values);

/// f32 weights of `type` quantized to grouped int4 (GroupedI4Weight): one
/// scale per output channel (`outAxis`) and group of `groupSize` indices of
/// `inAxis` (the whole axis when groupSize does not divide it), symmetric on
/// [-7, 7] (QuantMath's quantizeGroupedWeights). `q` receives the values in
/// the weight's layout. qnt-quantize stores them; qnt-allocate-bits
/// measures what they cost.
GroupedI4Weight quantizeGroupedI4(RankedTensorType type, int64_t outAxis,
                                  int64_t inAxis, int64_t groupSize,
                                  llvm::ArrayRef<float> values,
                                  llvm::SmallVector<int8_t> &q);

/// quantizeGroupedI4 with the scales given ([outChannels][groups], as
/// qnt.weight_scales carries them) instead of chosen from max |w|. Failure
/// when their number is not outChannels x groups.
FailureOr<GroupedI4Weight>
quantizeGroupedI4WithScales(RankedTensorType type, int64_t outAxis,
                            int64_t inAxis, int64_t groupSize,
                            llvm::ArrayRef<float> values,
                            llvm::ArrayRef<double> scales,
                            llvm::SmallVector<int8_t> &q);

/// `value` (a quantized tensor) on its storage type: the input of the
/// quant.scast that made it, or a new quant.scast. Other values unchanged.
Value castToStorage(OpBuilder &b, Location loc, Value value);

/// The fixed-point requantization multipliers of `channels` output
/// channels, `inputScale * weightScales[c] / outputScale` (a single weight
/// scale serves every channel). nullopt, with `badChannel` set, when a
/// channel's scale has no fixed-point form (QuantMath's toFixedPoint).
std::optional<llvm::SmallVector<FixedPointMultiplier>>
getRequantMultipliers(double inputScale, llvm::ArrayRef<double> weightScales,
                      double outputScale, int64_t channels,
                      int64_t &badChannel);

/// Why int8 `op` (add, sub, mul or global_average_pool; anything else has
/// no arithmetic and passes) on operand grids of `operandScales` and a
/// result grid of `resultScale` has no integer form (docs/Numerics.md,
/// "Int8 element-wise ops"): the sum's shared shift, the product's or the
/// mean's fixed-point multiplier, the mean's int32 sum. nullopt if it has.
/// qnt-quantize, qnt-fuse-qdq and the int8 lowering all ask this.
std::optional<std::string>
whyNoInt8Arithmetic(Operation *op, llvm::ArrayRef<double> operandScales,
                    double resultScale);

} // namespace mlir::qnt

#endif // QUANT_DIALECT_QNT_IR_QNTQUANTTYPES_H
