//===- LayerInputs.h - Second moments of the inputs of weight layers -*- C++
//-*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// What the weight-rounding passes (qnt-adaround, qnt-gptq) share: the
// layers qnt-quantize will quantize, one JIT run of the float model over
// the samples that returns every such layer's input, and each layer's
// input patches (a conv's im2col columns, a gemm/matmul's input rows)
// folded into H = E[x x^T] and E[x]; then the weight as rows in patch
// order with the scale qnt-quantize will give each element.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_LIB_CALIBRATION_LAYERINPUTS_H
#define QUANT_LIB_CALIBRATION_LAYERINPUTS_H

#include "quant/Dialect/Qnt/IR/QntLayers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::qnt {

/// How a layer's input tensor becomes rows of `features` values (the
/// vectors its weight rows are multiplied with).
struct PatchShape {
  SmallVector<int64_t> input;
  int64_t features = 0;
  // Conv (NCHW, one group): kernel, strides, pads (top, left), dilations,
  // output size.
  bool conv = false;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
  int64_t oh = 1, ow = 1;
  // Gemm with trans_a: the input is [K, M].
  bool transposed = false;

  int64_t numPatches() const {
    if (conv)
      return input[0] * oh * ow;
    return transposed ? input[1] : input[0];
  }

  /// Writes patch `p` of `data` to `out` (`features` values).
  void patch(const float *data, int64_t p, float *out) const;
};

/// The patch shape of `op`'s input, or nullopt for a form the passes do
/// not take.
std::optional<PatchShape> patchShapeOf(Operation *op);

/// A layer a weight-rounding pass rounds, and what it gathers about its
/// input.
struct LayerInputs {
  Operation *op = nullptr;
  LinearLayer anchor;
  unsigned bits = 8;
  PatchShape patches;
  int64_t sampleInput = -1;   // the input is @main's argument #i
  int64_t output = -1;        // else the instrumented model's result #o
  std::vector<double> moment; // features x features, upper triangle, sums
  std::vector<double> sum;    // features
  std::vector<double> absSum; // features: sums of |x|
  int64_t count = 0;          // patches seen

  /// Adds every patch of one input tensor to the sums.
  void accumulate(const float *data, MLIRContext *context);
  /// E[x].
  std::vector<double> mean() const;
  /// E[|x|] per feature.
  std::vector<double> meanAbs() const;
  /// E[x x^T] (or the covariance, `centered`), full and symmetric.
  std::vector<double> secondMoment(bool centered) const;
  /// The layer's name in messages: its ONNX node.
  std::string name() const;
};

/// Every layer qnt-quantize with these options will quantize (conv with
/// group 1, gemm, 2-D matmul with a constant f32 weight and a calibrated
/// input; int8 also needs an output range) at 4 or 8 bits: `weightBits`,
/// or the op's qnt.weight_bits.
std::vector<LayerInputs> collectWeightLayers(func::FuncOp main,
                                             unsigned weightBits,
                                             ArrayRef<std::string> keepFloat);

/// Runs the float model over the samples of `dataDir` and accumulates
/// every layer's input moments. Errors are reported at the module, as
/// "<passName>: ...".
LogicalResult gatherLayerInputs(ModuleOp module, func::FuncOp main,
                                StringRef passName, StringRef dataDir,
                                unsigned maxSamples,
                                std::vector<LayerInputs> &layers);

/// A layer's weight as rows of patch order (row o, feature j: its input
/// channel then kernel tap), each element with the scale qnt-quantize will
/// give it.
struct WeightRows {
  int64_t rows = 0, features = 0;
  std::vector<int64_t> index; // row-major position -> element of the weight
  std::vector<float> weights;
  std::vector<double> scales;
  int32_t qmax = 127;
  /// The distinct scales in qnt.weight_scales order: one per output channel
  /// (int8 per channel), one (per tensor), or output channel x group
  /// (int4).
  std::vector<double> scaleList;
};

WeightRows getWeightRows(const LayerInputs &layer, bool perChannel,
                         int64_t groupSize);

} // namespace mlir::qnt

#endif // QUANT_LIB_CALIBRATION_LAYERINPUTS_H
