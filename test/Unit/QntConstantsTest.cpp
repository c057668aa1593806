//===- QntConstantsTest.cpp - Unit tests for constant helpers ---*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "gtest/gtest.h"

using namespace mlir;

namespace {

class QntConstants : public ::testing::Test {
protected:
  QntConstants() : builder(&context) {
    context.loadDialect<qnt::QntDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
  }
  Value makeConstant(RankedTensorType type, ArrayRef<float> values) {
    auto attr = qnt::makeF32Elements(type, values, "w");
    return qnt::ConstantOp::create(builder, builder.getUnknownLoc(), attr);
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
};

// Small tensors stay inline and read back exactly.
TEST_F(QntConstants, SmallConstantsAreInline) {
  auto type = RankedTensorType::get({2, 2}, builder.getF32Type());
  Value v = makeConstant(type, {1.0f, -2.5f, 3.0f, 0.125f});
  auto op = v.getDefiningOp<qnt::ConstantOp>();
  EXPECT_TRUE(isa<DenseElementsAttr>(op.getValue()));
  auto values = qnt::getConstantF32Values(v);
  ASSERT_TRUE(values.has_value());
  EXPECT_EQ(*values, (SmallVector<float>{1.0f, -2.5f, 3.0f, 0.125f}));
}

// Large tensors become blobs and read back exactly.
TEST_F(QntConstants, LargeConstantsAreBlobs) {
  SmallVector<float> data;
  for (int i = 0; i < 64; ++i)
    data.push_back(static_cast<float>(i) * 0.5f - 3.0f);
  auto type = RankedTensorType::get({4, 16}, builder.getF32Type());
  Value v = makeConstant(type, data);
  auto op = v.getDefiningOp<qnt::ConstantOp>();
  EXPECT_TRUE(isa<DenseF32ResourceElementsAttr>(op.getValue()));
  auto values = qnt::getConstantF32Values(v);
  ASSERT_TRUE(values.has_value());
  EXPECT_EQ(*values, data);
}

// Splats expand to every element.
TEST_F(QntConstants, SplatsExpand) {
  auto type = RankedTensorType::get({3}, builder.getF32Type());
  auto attr = DenseElementsAttr::get(type, 7.0f);
  Value v = qnt::ConstantOp::create(builder, builder.getUnknownLoc(), attr);
  EXPECT_EQ(*qnt::getConstantF32Values(v), (SmallVector<float>{7, 7, 7}));
}

// Non-f32 constants and non-constants are not read.
TEST_F(QntConstants, RejectsOtherTypes) {
  auto type = RankedTensorType::get({2}, builder.getI32Type());
  auto attr = DenseElementsAttr::get(type, ArrayRef<int32_t>{1, 2});
  Value v = qnt::ConstantOp::create(builder, builder.getUnknownLoc(), attr);
  EXPECT_FALSE(qnt::getConstantF32Values(v).has_value());
  EXPECT_FALSE(qnt::getConstantF32Values(Value()).has_value());
}

// i8 and i32 constants read back sign-extended, inline or as blobs; f32
// constants are not integer constants.
TEST_F(QntConstants, IntegerValues) {
  auto i8Small = RankedTensorType::get({3}, builder.getIntegerType(8));
  Value small = qnt::ConstantOp::create(
      builder, builder.getUnknownLoc(),
      qnt::makeI8Elements(i8Small, {-128, 0, 127}, "s"));
  EXPECT_EQ(*qnt::getConstantIntValues(small),
            (SmallVector<int64_t>{-128, 0, 127}));

  SmallVector<int8_t> bytes;
  for (int i = 0; i < 40; ++i)
    bytes.push_back(static_cast<int8_t>(i * 7 - 128));
  auto i8Large = RankedTensorType::get({40}, builder.getIntegerType(8));
  Value large = qnt::ConstantOp::create(
      builder, builder.getUnknownLoc(),
      qnt::makeI8Elements(i8Large, bytes, "l"));
  EXPECT_TRUE(isa<DenseI8ResourceElementsAttr>(
      large.getDefiningOp<qnt::ConstantOp>().getValue()));
  SmallVector<int64_t> expected(bytes.begin(), bytes.end());
  EXPECT_EQ(*qnt::getConstantIntValues(large), expected);

  SmallVector<int32_t> words(20, -70000);
  auto i32Large = RankedTensorType::get({20}, builder.getI32Type());
  Value wide = qnt::ConstantOp::create(
      builder, builder.getUnknownLoc(),
      qnt::makeI32Elements(i32Large, words, "b"));
  EXPECT_EQ(*qnt::getConstantIntValues(wide), SmallVector<int64_t>(20, -70000));

  auto f32 = RankedTensorType::get({2}, builder.getF32Type());
  EXPECT_FALSE(qnt::getConstantIntValues(makeConstant(f32, {1, 2})));
  EXPECT_FALSE(qnt::getConstantIntValues(Value()));
}

} // namespace
