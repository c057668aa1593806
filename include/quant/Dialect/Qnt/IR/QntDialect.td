//===- QntDialect.td - The qnt graph dialect ----------------*- tablegen -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_QNTDIALECT_TD
#define QUANT_DIALECT_QNT_IR_QNTDIALECT_TD

include "mlir/IR/OpBase.td"

def Qnt_Dialect : Dialect {
  let name = "qnt";
  let cppNamespace = "::mlir::qnt";
  let summary = "Graph-level operations for quantizing ONNX models";
  let description = [{
    The `qnt` dialect is where ONNX models land and where quantization
    happens. Its operations mirror ONNX operators at graph level on ranked,
    statically shaped tensors. Every attribute that ONNX leaves implicit
    (default strides, `auto_pad`, negative axes, optional inputs) is resolved
    by the importer, so an op carries exactly the semantics it computes:

    * axes are non-negative and in range;
    * `pads` are explicit, ONNX-ordered `[x1_begin, x2_begin, …, x1_end, x2_end]`;
    * result shapes are static and checked against the ONNX shape formula.

    Element types are floats or upstream `!quant.uniform` types (per-tensor,
    per-axis, sub-channel). A quantized tensor's *expressed* type is the
    float type it approximates; compute ops require all of their float and
    quantized operands to agree on the expressed type, so weight-only
    quantization (float activations, quantized weights) is representable.

    Quantization state lives in the IR:

    * `#qnt.range<min, max>` records a calibrated value range, attached to an
      op as the discardable attribute `qnt.range` (or to a function argument);
      `#qnt.channel_range` records per-channel ranges as `qnt.channel_range`,
      and `qnt.stats` (a dictionary) what calibration observed;
    * `qnt.weight_bits` (an i64: 4, 8 or 32) on a conv/gemm/matmul records
      the weight precision `qnt-allocate-bits` chose for it;
    * `qnt.weight_scales` (array<f32>) on such an op: the weight scales
      `qnt-gptq` rounded it with, which `qnt-quantize` keeps;
    * the module attribute `qnt.calibration` (a dictionary) says how the
      ranges were calibrated (method, samples, ...);
    * quantized tensors use `!quant.uniform<…>` element types.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let extraClassDeclaration = [{
    /// Name of the discardable attribute that carries a value's calibrated
    /// range (`#qnt.range`).
    static constexpr ::llvm::StringLiteral getRangeAttrName() {
      return ::llvm::StringLiteral("qnt.range");
    }
    /// Per-channel observed ranges (`#qnt.channel_range`).
    static constexpr ::llvm::StringLiteral getChannelRangeAttrName() {
      return ::llvm::StringLiteral("qnt.channel_range");
    }
    /// Observed statistics calibration writes on request (a dictionary).
    static constexpr ::llvm::StringLiteral getStatsAttrName() {
      return ::llvm::StringLiteral("qnt.stats");
    }
    /// On a conv/gemm/matmul: the weight precision qnt-allocate-bits chose
    /// (4, 8, or 32 for float), which qnt-quantize follows.
    static constexpr ::llvm::StringLiteral getWeightBitsAttrName() {
      return ::llvm::StringLiteral("qnt.weight_bits");
    }
    /// On a conv/gemm/matmul: the weight scales a weight-rounding pass
    /// (qnt-gptq) chose, which qnt-quantize uses instead of max |w| / qmax
    /// (array<f32>: one per output channel, one, or output channel x group
    /// for int4).
    static constexpr ::llvm::StringLiteral getWeightScalesAttrName() {
      return ::llvm::StringLiteral("qnt.weight_scales");
    }
    /// On the module: how its ranges were calibrated (a dictionary).
    static constexpr ::llvm::StringLiteral getCalibrationAttrName() {
      return ::llvm::StringLiteral("qnt.calibration");
    }
  }];
}

#endif // QUANT_DIALECT_QNT_IR_QNTDIALECT_TD
