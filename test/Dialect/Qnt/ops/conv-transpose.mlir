// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.conv_transpose: out = stride*(in-1) + output_padding + dilation*(k-1) + 1 - pads.

// CHECK-LABEL: func.func @variants
func.func @variants(%x: tensor<1x4x5x5xf32>, %w: tensor<4x3x3x3xf32>,
                    %wg: tensor<4x1x2x2xf32>, %x1: tensor<1x4x10xf32>, %w1: tensor<4x2x4xf32>) {
  // Stride 2, pads 1, output_padding 1: 2*4 + 1 + 2 + 1 - 2 = 10.
  // CHECK: qnt.conv_transpose {{.*}} -> tensor<1x3x10x10xf32>
  %0 = qnt.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
                                  dilations = array<i64: 1, 1>, output_padding = array<i64: 1, 1>,
                                  group = 1 : i64}
      : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x10x10xf32>
  // Dilation 2, no stride: 4 + 4 + 1 = 9.
  // CHECK: qnt.conv_transpose {{.*}} -> tensor<1x3x9x9xf32>
  %1 = qnt.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                                  dilations = array<i64: 2, 2>, output_padding = array<i64: 0, 0>,
                                  group = 1 : i64}
      : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x9x9xf32>
  // Depthwise upsampling: 4 groups, one output channel each, kernel 2 stride 2.
  // CHECK: qnt.conv_transpose {{.*}}group = 4 : i64{{.*}} -> tensor<1x4x10x10xf32>
  %2 = qnt.conv_transpose %x, %wg {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
                                   dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                   group = 4 : i64}
      : (tensor<1x4x5x5xf32>, tensor<4x1x2x2xf32>) -> tensor<1x4x10x10xf32>
  // 1-D with asymmetric pads: 3*9 + 4 - 1 - 2 = 28.
  // CHECK: qnt.conv_transpose {{.*}} -> tensor<1x2x28xf32>
  %3 = qnt.conv_transpose %x1, %w1 {strides = array<i64: 3>, pads = array<i64: 1, 2>,
                                    dilations = array<i64: 1>, output_padding = array<i64: 0>,
                                    group = 1 : i64}
      : (tensor<1x4x10xf32>, tensor<4x2x4xf32>) -> tensor<1x2x28xf32>
  return
}

// -----

// Forgetting output_padding gives one less than the declared 10.
func.func @missing_output_padding(%x: tensor<1x4x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x3x10x10xf32> {
  // expected-error @+1 {{result shape 1x3x10x10 does not match the computed shape 1x3x9x9}}
  %0 = qnt.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
                                  dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                  group = 1 : i64}
      : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x10x10xf32>
  return %0 : tensor<1x3x10x10xf32>
}
