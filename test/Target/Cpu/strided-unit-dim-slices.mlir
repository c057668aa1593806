// RUN: quant-opt %s --split-input-file --quant-lower-to-linalg | quant-opt --split-input-file --pass-pipeline='builtin.module(func.func(quant-cpu-tile-and-vectorize{vector-width=16}))' | FileCheck %s
// RUN: quant-opt %s --split-input-file --quant-fp32-to-llvm=vector-width=16 | FileCheck %s --check-prefix=LLVM
// RUN: quant-opt %s --split-input-file --quant-fp32-to-llvm=vector-width=8 | FileCheck %s --check-prefix=LLVM

// Regression: strided convs with one output row or column. Their im2col taps
// were rank-reducing strided slices with more unit dims than dropped ones
// (1x32x1x2 -> 32x1x1, strides [1, 1, 1, 2]), whose buffers upstream's
// expand-strided-metadata cannot rank-reduce: quant-opt crashed in
// SubViewOp::getDroppedDims (silero_vad has such a conv). The taps now keep
// their rank and collapse the unit dims; the end-to-end values are
// test/e2e/strided-conv.test.

// A 1-D stride-2, kernel-1 conv with one output column.
// CHECK-LABEL: func.func @conv1d_one_column
// CHECK:       %[[TAP:.*]] = tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 32, 1, 1] [1, 1, 1, 2] : tensor<1x32x1x2xf32> to tensor<1x32x1x1xf32>
// CHECK:       %[[COL:.*]] = tensor.collapse_shape %[[TAP]] {{\[\[}}0, 1], [2], [3]] : tensor<1x32x1x1xf32> into tensor<32x1x1xf32>
// CHECK:       tensor.insert_slice %[[COL]] into %{{.*}}[0, 0, 0, 0] [32, 1, 1, 1] [1, 1, 1, 1] : tensor<32x1x1xf32> into tensor<32x1x1x1xf32>
// CHECK:       linalg.matmul
// LLVM-LABEL:  llvm.func @conv1d_one_column
// LLVM:        llvm.fmul
func.func @conv1d_one_column(%x: tensor<1x32x2xf32>, %w: tensor<32x32x1xf32>, %b: tensor<32xf32>) -> tensor<1x32x1xf32> {
  %y = qnt.conv %x, %w, %b {dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x32x2xf32>, tensor<32x32x1xf32>, tensor<32xf32>) -> tensor<1x32x1xf32>
  return %y : tensor<1x32x1xf32>
}

// -----

// A stride-3 column conv (width 1, output 3 rows): the tap's one stride is
// on a dim of size 3, the unit dims 0 and 3 make the drop ambiguous.
// CHECK-LABEL: func.func @column_stride3
// CHECK:       %[[TAP:.*]] = tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 4, 3, 1] [1, 1, 3, 1] : tensor<1x4x9x1xf32> to tensor<1x4x3x1xf32>
// CHECK:       tensor.collapse_shape %[[TAP]] {{\[\[}}0, 1], [2], [3]] : tensor<1x4x3x1xf32> into tensor<4x3x1xf32>
// LLVM-LABEL:  llvm.func @column_stride3
func.func @column_stride3(%x: tensor<1x4x9x1xf32>, %w: tensor<4x4x3x1xf32>, %b: tensor<4xf32>) -> tensor<1x4x3x1xf32> {
  %y = qnt.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 3, 1>} : (tensor<1x4x9x1xf32>, tensor<4x4x3x1xf32>, tensor<4xf32>) -> tensor<1x4x3x1xf32>
  return %y : tensor<1x4x3x1xf32>
}

// -----

// A strided conv whose only unit dim is the batch: the drop is unambiguous,
// the taps stay rank-reducing slices as before.
// CHECK-LABEL: func.func @unambiguous
// CHECK:       tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 2, 4, 8] [1, 1, 2, 2] : tensor<1x2x9x17xf32> to tensor<2x4x8xf32>
// CHECK-NOT:   tensor.collapse_shape {{.*}} into tensor<2x4x8xf32>
// LLVM-LABEL:  llvm.func @unambiguous
func.func @unambiguous(%x: tensor<1x2x9x17xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x8xf32> {
  %y = qnt.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x9x17xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x8xf32>
  return %y : tensor<1x4x4x8xf32>
}
