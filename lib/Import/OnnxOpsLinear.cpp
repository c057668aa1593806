//===- OnnxOpsLinear.cpp - MatMul and Gemm ----------------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "OnnxOpsCommon.h"

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

namespace {

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

} // namespace

void mlir::qnt::detail::populateLinearConverters(OnnxOpRegistry &r) {
  r.onOp("MatMul", 1, convertMatMul);
  // C became optional in Gemm-11; an absent C is a null operand either way.
  r.onOp("Gemm", 7, convertGemm);
}
