// RUN: quant-opt %s --convert-qnt-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func @slice_positive
// CHECK: tensor.extract_slice %{{.*}}[0, 2] [1, 3] [1, 2] : tensor<1x8xf32> to tensor<1x3xf32>
func.func @slice_positive(%x: tensor<1x8xf32>) -> tensor<1x3xf32> {
  %0 = qnt.slice %x {ends = array<i64: 1, 8>, starts = array<i64: 0, 2>, steps = array<i64: 1, 2>} : (tensor<1x8xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

// A negative step reads in[start + i * step].
// CHECK-LABEL: func @slice_reverse
// CHECK: linalg.index 0
// CHECK: %[[STEP:.*]] = arith.constant -1 : index
// CHECK: arith.muli %{{.*}}, %[[STEP]]
// CHECK: %[[START:.*]] = arith.constant 3 : index
// CHECK: arith.addi %{{.*}}, %[[START]]
// CHECK: tensor.extract
func.func @slice_reverse(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qnt.slice %x {ends = array<i64: -1>, starts = array<i64: 3>, steps = array<i64: -1>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Empty operands are dropped (tensor.concat rejects them).
// CHECK-LABEL: func @concat
// CHECK: tensor.concat dim(1) %arg0, %arg2 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
func.func @concat(%a: tensor<2x3xf32>, %e: tensor<2x0xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %0 = qnt.concat %a, %e, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x0xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// One non-empty operand is the result.
// CHECK-LABEL: func @concat_single
// CHECK-NEXT: return %arg1
func.func @concat_single(%e: tensor<0x4xf32>, %a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = qnt.concat %e, %a {axis = 0 : i64} : (tensor<0x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Negative pads crop before tensor.pad adds the positive ones.
// CHECK-LABEL: func @pad_constant
// CHECK: tensor.extract_slice %arg0[0, 1] [2, 3] [1, 1]
// CHECK: %[[V:.*]] = arith.constant 2.500000e+00 : f32
// CHECK: tensor.pad %{{.*}} low[1, 0] high[0, 2]
// CHECK: tensor.yield %[[V]]
func.func @pad_constant(%x: tensor<2x4xf32>) -> tensor<3x5xf32> {
  %0 = qnt.pad %x {pads = array<i64: 1, -1, 0, 2>, value = 2.5 : f32} : (tensor<2x4xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// Reflect: i = |o - pad|, mirrored past the end, clamped.
// CHECK-LABEL: func @pad_reflect
// CHECK: linalg.generic
// CHECK: arith.subi
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0
func.func @pad_reflect(%x: tensor<4xf32>) -> tensor<6xf32> {
  %0 = qnt.pad %x {mode = #qnt.pad_mode<reflect>, pads = array<i64: 1, 1>} : (tensor<4xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// Negative indices wrap, out-of-range ones clamp.
// CHECK-LABEL: func @gather
// CHECK: linalg.generic {{.*}} ins(%arg1 : tensor<2xi64>)
// CHECK: arith.index_cast
// CHECK: arith.cmpi slt
// CHECK: arith.constant 5 : index
// CHECK: arith.select
// CHECK: tensor.extract %arg0
func.func @gather(%x: tensor<5x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  %0 = qnt.gather %x, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @transpose_reshape
// CHECK: linalg.transpose ins(%arg0 : tensor<2x3xf32>) outs(%{{.*}} : tensor<3x2xf32>) permutation = [1, 0]
// CHECK: tensor.collapse_shape
// CHECK: tensor.expand_shape {{.*}} into tensor<6x1xf32>
func.func @transpose_reshape(%x: tensor<2x3xf32>) -> tensor<6x1xf32> {
  %0 = qnt.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %1 = qnt.reshape %0 : (tensor<3x2xf32>) -> tensor<6x1xf32>
  return %1 : tensor<6x1xf32>
}
