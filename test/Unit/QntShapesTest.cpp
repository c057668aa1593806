//===- QntShapesTest.cpp - Unit tests for the ONNX shape formu --*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntShapes.h"

#include "gtest/gtest.h"
#include <limits>

using namespace mlir::qnt;
using llvm::SmallVector;

namespace {

TEST(QntShapes, BroadcastAlignsTrailingDims) {
  auto s = broadcastShapes({8, 1, 6, 1}, {7, 1, 5});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(*s, (SmallVector<int64_t>{8, 7, 6, 5}));
  EXPECT_EQ(*broadcastShapes({}, {3, 4}), (SmallVector<int64_t>{3, 4}));
  EXPECT_FALSE(broadcastShapes({2, 3}, {4, 3}).has_value());
  // A zero-sized dim broadcasts against 1 only.
  EXPECT_EQ(*broadcastShapes({0, 3}, {1, 3}), (SmallVector<int64_t>{0, 3}));
  EXPECT_FALSE(broadcastShapes({0}, {2}).has_value());
}

TEST(QntShapes, UnidirectionalBroadcast) {
  EXPECT_TRUE(broadcastsTo({10}, {4, 10}));
  EXPECT_TRUE(broadcastsTo({1, 10}, {4, 10}));
  EXPECT_TRUE(broadcastsTo({}, {4, 10}));
  EXPECT_FALSE(broadcastsTo({4, 1}, {1, 10}));
  EXPECT_FALSE(broadcastsTo({3, 4, 10}, {4, 10}));
}

TEST(QntShapes, ConvOutputFollowsOnnxFormula) {
  // 224 input, 7x7 kernel, stride 2, pad 3: ResNet's stem gives 112.
  EXPECT_EQ(slidingWindowOutputDim(224, 7, 2, 1, 3, 3), 112);
  // Dilation 2 makes a 3x3 kernel span 5.
  EXPECT_EQ(slidingWindowOutputDim(10, 3, 1, 2, 0, 0), 6);
  // Asymmetric padding (SAME_UPPER on an even input).
  EXPECT_EQ(slidingWindowOutputDim(8, 3, 2, 1, 0, 1), 4);
  // A kernel larger than the padded input yields no output.
  EXPECT_EQ(slidingWindowOutputDim(2, 5, 1, 1, 0, 0), 0);
}

TEST(QntShapes, PoolCeilMode) {
  EXPECT_EQ(slidingWindowOutputDim(5, 2, 2, 1, 0, 0, /*ceilMode=*/false), 2);
  EXPECT_EQ(slidingWindowOutputDim(5, 2, 2, 1, 0, 0, /*ceilMode=*/true), 3);
  // When the stride divides evenly, ceil and floor agree.
  EXPECT_EQ(slidingWindowOutputDim(6, 2, 2, 1, 0, 0, true), 3);
}

TEST(QntShapes, ConvTranspose) {
  // Stride-2 upsampling with output_padding 1 doubles the size.
  EXPECT_EQ(convTransposeOutputDim(4, 3, 2, 1, 1, 1, 1), 8);
  EXPECT_EQ(convTransposeOutputDim(3, 3, 1, 1, 0, 0, 0), 5);
}

TEST(QntShapes, SliceCounts) {
  EXPECT_EQ(sliceOutputDim(0, 8, 1), 8);
  EXPECT_EQ(sliceOutputDim(2, 8, 2), 3);
  EXPECT_EQ(sliceOutputDim(1, 8, 3), 3);
  // Reverse: start 7, end -1 (the clamped form of "to the beginning").
  EXPECT_EQ(sliceOutputDim(7, -1, -1), 8);
  EXPECT_EQ(sliceOutputDim(7, -1, -3), 3);
  // Empty slices are zero, never negative.
  EXPECT_EQ(sliceOutputDim(5, 2, 1), 0);
}

TEST(QntShapes, MatMulPromotesVectors) {
  EXPECT_EQ(*matmulShape({2, 16, 64}, {64, 32}),
            (SmallVector<int64_t>{2, 16, 32}));
  EXPECT_EQ(*matmulShape({64}, {64, 32}), (SmallVector<int64_t>{32}));
  EXPECT_EQ(*matmulShape({16, 64}, {64}), (SmallVector<int64_t>{16}));
  EXPECT_EQ(*matmulShape({64}, {64}), (SmallVector<int64_t>{}));
  EXPECT_EQ(*matmulShape({3, 1, 4, 5}, {2, 5, 6}),
            (SmallVector<int64_t>{3, 2, 4, 6}));
  EXPECT_FALSE(matmulShape({4, 5}, {6, 7}).has_value());
  EXPECT_FALSE(matmulShape({2, 4, 5}, {3, 5, 7}).has_value());
}

TEST(QntShapes, NumElementsDetectsOverflow) {
  EXPECT_EQ(*numElements({1, 3, 224, 224}), 150528);
  EXPECT_EQ(*numElements({}), 1);
  EXPECT_EQ(*numElements({4, 0}), 0);
  int64_t big = std::numeric_limits<int64_t>::max() / 2;
  EXPECT_FALSE(numElements({big, 3}).has_value());
  EXPECT_FALSE(numElements({-1, 3}).has_value());
}

TEST(QntShapes, NumBytesIsCheckedAgainstTheCap) {
  EXPECT_EQ(*numBytes({1, 3, 224, 224}, 32), 602112);
  EXPECT_EQ(*numBytes({7}, 1), 7); // i1: one byte each, as the ABI stores it.
  EXPECT_EQ(*numBytes({7}, 4), 7);
  EXPECT_EQ(*numBytes({}, 64), 8);
  EXPECT_EQ(*numBytes({0, int64_t(1) << 62}, 32), 0);
  // 2^62 elements fit int64, their 2^66 bytes do not.
  EXPECT_FALSE(numBytes({int64_t(1) << 62, 4}, 32).has_value());
  // 2^64 bytes would be 0 as a size_t.
  EXPECT_FALSE(numBytes({int64_t(1) << 61, 2}, 32).has_value());
  EXPECT_EQ(*numBytes({int64_t(1) << 61, 2}, 8), int64_t(1) << 62);
  EXPECT_EQ(*numBytes({kMaxTensorBytes}, 8), kMaxTensorBytes);
  EXPECT_FALSE(numBytes({kMaxTensorBytes}, 16).has_value());
  EXPECT_FALSE(numBytes({-1}, 8).has_value());
}

TEST(QntShapes, FormatShape) {
  EXPECT_EQ(formatShape({1, 3, 224, 224}), "1x3x224x224");
  EXPECT_EQ(formatShape({}), "scalar");
}

} // namespace
