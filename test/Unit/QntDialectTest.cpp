//===- QntDialectTest.cpp - Unit tests for the qnt dialect API --*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The C++ API the importer and passes use: expressed types, #qnt.range
// construction, and verification of ops built in code.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntOps.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "gtest/gtest.h"

#include <cmath>
#include <string>

using namespace mlir;

namespace {

class QntDialect : public ::testing::Test {
protected:
  QntDialect() : builder(&context) { context.loadDialect<qnt::QntDialect>(); }
  MLIRContext context;
  OpBuilder builder;
};

TEST_F(QntDialect, ExpressedTypes) {
  Type f32 = builder.getF32Type();
  Type i8 = builder.getI8Type();
  auto q = quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed,
                                            i8, f32, 0.5, 0, -128, 127);
  EXPECT_EQ(qnt::getExpressedType(f32), f32);
  EXPECT_EQ(qnt::getExpressedType(q), f32);
  EXPECT_EQ(qnt::getExpressedType(RankedTensorType::get({2}, q)), f32);
  EXPECT_FALSE(qnt::getExpressedType(i8));
  EXPECT_FALSE(qnt::getExpressedType(RankedTensorType::get({2}, i8)));
}

TEST_F(QntDialect, RangeConstruction) {
  auto range = qnt::RangeAttr::get(&context, -1.5, 2.0);
  EXPECT_EQ(range.getMinValue(), -1.5);
  EXPECT_EQ(range.getMaxValue(), 2.0);
  // Equal bounds give the same uniqued attribute.
  EXPECT_EQ(range, qnt::RangeAttr::get(&context, -1.5, 2.0));

  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  auto loc = builder.getUnknownLoc();
  auto emit = [&] { return emitError(loc); };
  EXPECT_FALSE(qnt::RangeAttr::getChecked(emit, &context, llvm::APFloat(3.0),
                                          llvm::APFloat(1.0)));
  EXPECT_EQ(message, "range min 3 is greater than max 1");
  EXPECT_FALSE(qnt::RangeAttr::getChecked(emit, &context, llvm::APFloat(NAN),
                                          llvm::APFloat(1.0)));
  EXPECT_EQ(message, "range bounds must be finite, got [NaN, 1]");
}

// Ops built in code are verified like parsed ones: a wrong result type is
// reported, not silently kept.
TEST_F(QntDialect, BuiltOpsAreVerified) {
  OwningOpRef<ModuleOp> module = ModuleOp::create(builder.getUnknownLoc());
  builder.setInsertionPointToEnd(module->getBody());
  auto type = [&](ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  };
  Value x = qnt::ConstantOp::create(builder, builder.getUnknownLoc(),
                                    DenseElementsAttr::get(type({2, 3}), 1.0f));
  qnt::TransposeOp::create(builder, builder.getUnknownLoc(), type({3, 2}), x,
                           builder.getDenseI64ArrayAttr({1, 0}));
  EXPECT_TRUE(succeeded(verify(*module)));

  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  qnt::TransposeOp::create(builder, builder.getUnknownLoc(), type({2, 3}), x,
                           builder.getDenseI64ArrayAttr({1, 0}));
  EXPECT_TRUE(failed(verify(*module)));
  EXPECT_EQ(message, "'qnt.transpose' op result shape 2x3 does not match the "
                     "computed shape 3x2");
}

// The pretty form of every enum round-trips through its string.
TEST_F(QntDialect, EnumStrings) {
  EXPECT_EQ(qnt::stringifyResizeMode(qnt::ResizeMode::cubic), "cubic");
  EXPECT_EQ(qnt::symbolizeCoordinateTransform("pytorch_half_pixel"),
            qnt::CoordinateTransform::pytorch_half_pixel);
  EXPECT_EQ(qnt::symbolizeNearestMode("round_prefer_floor"),
            qnt::NearestMode::round_prefer_floor);
  EXPECT_FALSE(qnt::symbolizePadMode("wrap").has_value());
}

} // namespace
