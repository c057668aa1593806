//===- OnnxExporter.h - qnt IR to an ONNX model -----------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Writes the `@main` function of a qnt module, float or quantized, as an
// ONNX model (opset 17) that ONNX Runtime runs. Each qnt op becomes the ONNX
// operator it mirrors. Quantized tensors take ONNX's QDQ form with the
// module's own scales and zero points: a value of `!quant.uniform` type is
// the int8 output of a QuantizeLinear (or an int8/int32 initializer for
// quantized weights and biases), and every op that reads it reads it
// through a DequantizeLinear, so that ONNX Runtime's QDQ fusions run the
// ops quant runs in int8 on int8 too (docs/Numerics.md, "QDQ export").
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_EXPORT_ONNXEXPORTER_H
#define QUANT_EXPORT_ONNXEXPORTER_H

#include "quant/Dialect/Qnt/IR/OnnxNodeWriter.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::qnt {

/// The ONNX opset the exporter writes (default domain).
constexpr int64_t kExportOpset = kOnnxExportOpset;

/// Serializes `module`'s `@main` as an ONNX ModelProto to `os`. On an op or
/// type with no ONNX form, emits an error at that op (naming it) and
/// returns failure without writing anything.
LogicalResult exportOnnxModel(ModuleOp module, llvm::raw_ostream &os);

} // namespace mlir::qnt

#endif // QUANT_EXPORT_ONNXEXPORTER_H
