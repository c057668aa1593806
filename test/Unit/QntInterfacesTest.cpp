//===- QntInterfacesTest.cpp - The op facts of QntInterfaces.td -*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// What ops answer through the interfaces, checked against the definitions:
// weight layouts of linear layers (grouped convs, both gemm layouts) against
// index arithmetic written out by hand, the real-interval algebra, range
// transfer at infinite and empty inputs, and ONNX op types.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"
#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <vector>

using namespace mlir;
using namespace mlir::qnt;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<int64_t> collect(const WeightLayout &layout, bool outputs,
                             int64_t channel) {
  std::vector<int64_t> ks;
  auto add = [&](int64_t k) { ks.push_back(k); };
  if (outputs)
    layout.forEachOfOutput(channel, add);
  else
    layout.forEachOfInput(channel, add);
  return ks;
}

// A grouped conv weight [M=6, C/g=2, 3, 1] with 3 groups: output channel m
// reads input channels (m / 2) * 2 + j of the 6 inputs.
TEST(WeightLayout, GroupedConv) {
  LinearLayer layer;
  layer.groups = 3;
  WeightLayout layout({6, 2, 3, 1}, layer);
  EXPECT_EQ(layout.getNumOutputs(), 6);
  EXPECT_EQ(layout.getNumInputs(), 6);
  EXPECT_EQ(layout.getOutputStride(), 6);
  for (int64_t k = 0; k < 36; ++k) {
    int64_t m = k / 6, j = k / 3 % 2;
    EXPECT_EQ(layout.outputOf(k), m) << k;
    EXPECT_EQ(layout.inputOf(k), m / 2 * 2 + j) << k;
  }
  for (int64_t c = 0; c < 6; ++c) {
    std::vector<int64_t> out, in;
    for (int64_t k = 0; k < 36; ++k) {
      if (layout.outputOf(k) == c)
        out.push_back(k);
      if (layout.inputOf(k) == c)
        in.push_back(k);
    }
    EXPECT_EQ(collect(layout, true, c), out) << c;
    EXPECT_EQ(collect(layout, false, c), in) << c;
  }
}

// Gemm weights: [K=3, N=2] (output axis 1) and [N=2, K=3] (trans_b).
TEST(WeightLayout, GemmBothLayouts) {
  LinearLayer kn;
  kn.outAxis = 1;
  kn.inAxis = 0;
  WeightLayout plain({3, 2}, kn);
  EXPECT_EQ(plain.getNumOutputs(), 2);
  EXPECT_EQ(plain.getNumInputs(), 3);
  EXPECT_EQ(collect(plain, true, 1), (std::vector<int64_t>{1, 3, 5}));
  EXPECT_EQ(collect(plain, false, 2), (std::vector<int64_t>{4, 5}));

  LinearLayer nk; // outAxis 0, inAxis 1
  WeightLayout transposed({2, 3}, nk);
  EXPECT_EQ(collect(transposed, true, 1), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(collect(transposed, false, 2), (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(transposed.inputOf(4), 1);
}

TEST(RealInterval, Algebra) {
  EXPECT_TRUE(RealInterval::empty().isEmpty());
  EXPECT_FALSE(RealInterval::full().isBounded());
  EXPECT_TRUE(RealInterval::get(-1, 2).isBounded());
  EXPECT_EQ(RealInterval::empty().hull(RealInterval::point(3)),
            RealInterval::point(3));
  EXPECT_EQ(RealInterval::get(-1, 2).hull(RealInterval::get(0, 5)),
            RealInterval::get(-1, 5));
  EXPECT_EQ(RealInterval::get(-1, 2).hull(RealInterval::full()),
            RealInterval::full());
}

class OpFacts : public ::testing::Test {
protected:
  OpFacts() : b(&context) {
    context.loadDialect<QntDialect>();
    module = ModuleOp::create(b.getUnknownLoc());
    b.setInsertionPointToEnd(module->getBody());
    x = ConstantOp::create(
        b, b.getUnknownLoc(),
        DenseElementsAttr::get(RankedTensorType::get({2}, b.getF32Type()),
                               ArrayRef<float>{-3.0f, 0.5f}));
  }
  RealInterval range(Operation *op, RealInterval in) {
    return cast<RangeTransferOpInterface>(op).inferResultRange({in});
  }
  MLIRContext context;
  OpBuilder b;
  OwningOpRef<ModuleOp> module;
  Value x;
};

TEST_F(OpFacts, RangeTransfer) {
  Location loc = b.getUnknownLoc();
  Type t = x.getType();
  // A constant's range is its values'.
  EXPECT_EQ(range(x.getDefiningOp(), RealInterval::full()),
            RealInterval::get(-3.0, 0.5));
  auto relu = ReluOp::create(b, loc, t, x);
  EXPECT_EQ(range(relu, RealInterval::get(-2, 3)), RealInterval::get(0, 3));
  EXPECT_EQ(range(relu, RealInterval::full()), RealInterval::get(0, kInf));
  EXPECT_TRUE(range(relu, RealInterval::empty()).isEmpty());
  auto sigmoid = SigmoidOp::create(b, loc, t, x);
  EXPECT_EQ(range(sigmoid, RealInterval::full()), RealInterval::get(0, 1));
  // alpha = 0: a constant, not NaN from 0 * -inf.
  auto hs = HardSigmoidOp::create(b, loc, t, x, b.getF32FloatAttr(0.0f),
                                  b.getF32FloatAttr(0.25f));
  EXPECT_EQ(range(hs, RealInterval::full()), RealInterval::point(0.25));
  auto leaky = LeakyReluOp::create(b, loc, t, x, b.getF32FloatAttr(0.0f));
  EXPECT_EQ(range(leaky, RealInterval::full()), RealInterval::get(0, kInf));
  auto negative = LeakyReluOp::create(b, loc, t, x, b.getF32FloatAttr(-1.0f));
  EXPECT_EQ(range(negative, RealInterval::get(0, 1)), RealInterval::full());
  // Data movement forwards its input's range and shares its scale.
  auto reshape = ReshapeOp::create(
      b, loc, RankedTensorType::get({1, 2}, b.getF32Type()), x);
  auto transfer = cast<RangeTransferOpInterface>(reshape.getOperation());
  EXPECT_EQ(transfer.inferResultRange({RealInterval::get(-1, 1)}),
            RealInterval::get(-1, 1));
  EXPECT_EQ(transfer.getRangeSharingOperands(), SmallVector<Value>{x});
  EXPECT_TRUE(cast<RangeTransferOpInterface>(relu.getOperation())
                  .getRangeSharingOperands()
                  .empty());
  EXPECT_TRUE(reshape->hasTrait<PreservesGrid>());
  EXPECT_FALSE(relu->hasTrait<PreservesGrid>());
}

TEST_F(OpFacts, OnnxOpTypes) {
  EXPECT_EQ(ReluOp::getOnnxOpType(), "Relu");
  EXPECT_EQ(ClampOp::getOnnxOpType(), "Clip");
  EXPECT_EQ(SelectOp::getOnnxOpType(), "Where");
  EXPECT_EQ(BatchNormOp::getOnnxOpType(), "BatchNormalization");
}

TEST_F(OpFacts, LinearLayers) {
  Location loc = b.getUnknownLoc();
  auto f32 = b.getF32Type();
  auto a = ConstantOp::create(
      b, loc, DenseElementsAttr::get(RankedTensorType::get({1, 3}, f32), 1.0f));
  auto w = ConstantOp::create(
      b, loc, DenseElementsAttr::get(RankedTensorType::get({2, 3}, f32), 1.0f));
  auto gemm =
      GemmOp::create(b, loc, RankedTensorType::get({1, 2}, f32), a, w, Value(),
                     b.getF32FloatAttr(1.0f), b.getF32FloatAttr(1.0f),
                     b.getBoolAttr(false), b.getBoolAttr(true));
  std::optional<LinearLayer> layer = getQuantizableLayer(gemm);
  ASSERT_TRUE(layer);
  EXPECT_EQ(layer->outAxis, 0);
  EXPECT_EQ(layer->inAxis, 1);
  EXPECT_FALSE(layer->biasIndex);
  // alpha != 1 is not a plain linear layer.
  gemm.setAlpha(APFloat(0.5f));
  EXPECT_FALSE(getLinearLayer(gemm));
}

} // namespace
