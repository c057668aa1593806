//===- ChannelScaling.h - x W = (x / s)(diag(s) W) rewrites -----*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The rewrite SmoothQuant (qnt-smooth-quant) and AWQ (qnt-awq) share: for
// an activation x read only by linear ops with constant weights, scale row
// k of every consumer's weights by s_k and divide channel k of x by s_k,
// folded into the op that makes x where it can absorb it (a layer_norm's
// scale and bias, a linear op's weights and bias), else an explicit
// multiply in front of the consumers. The float function is unchanged up
// to f32 rounding.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_TRANSFORMS_CHANNELSCALING_H
#define QUANT_DIALECT_QNT_TRANSFORMS_CHANNELSCALING_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir::qnt {

/// Constant 2-D weights of a linear op, read as W[k][n] (k the input
/// channel, n the output channel) whatever their storage order.
struct LinearWeights {
  Operation *op = nullptr;
  unsigned operand = 1;
  std::optional<unsigned> biasOperand;
  bool transposed = false; // stored [N, K]
  int64_t k = 0, n = 0;
  SmallVector<float> values;

  float &at(int64_t ki, int64_t ni) {
    return values[transposed ? ni * k + ki : ki * n + ni];
  }
  float at(int64_t ki, int64_t ni) const {
    return values[transposed ? ni * k + ki : ki * n + ni];
  }
};

/// The weights of `op` when it is a linear layer whose constant 2-D
/// weights may be rescaled: a qnt.matmul (rhs [K, N]) or a plain qnt.gemm
/// (b [K, N], or [N, K] with trans_b).
std::optional<LinearWeights> readLinearWeights(Operation *op);

/// Divides the recorded ranges of `value` (an op result) channel by channel
/// by `s`: qnt.channel_range, and qnt.range as their hull. Nothing without
/// a channel range.
void rescaleChannelRanges(Value value, ArrayRef<double> s);

/// x W = (x / s)(diag(s) W) for every consumer of `x` (its uses, all of
/// them the input of the linear ops in `consumers`, whose weights are
/// rewritten). New constants are named after the ops with `suffix`
/// (".sq", ".awq"). Returns true when the division folded into x's
/// producer, false when a qnt.mul by 1/s was inserted.
bool scaleInputChannels(func::FuncOp func, Value x, ArrayRef<double> s,
                        MutableArrayRef<LinearWeights> consumers,
                        StringRef suffix);

} // namespace mlir::qnt

#endif // QUANT_DIALECT_QNT_TRANSFORMS_CHANNELSCALING_H
