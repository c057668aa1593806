// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.conv accepts exactly the ONNX Conv output shapes: 1-D to 3-D, dilation,
// asymmetric (auto_pad-resolved) pads, groups and depthwise multipliers.

// CHECK-LABEL: func.func @variants
func.func @variants(%x1: tensor<1x4x16xf32>, %w1: tensor<8x4x5xf32>,
                    %x3: tensor<1x2x5x6x7xf32>, %w3: tensor<3x2x3x3x3xf32>,
                    %x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>,
                    %wg: tensor<8x2x3x3xf32>, %wd: tensor<8x1x3x3xf32>) {
  // 1-D, stride 2, dilation 2: floor((16 - 8 - 1) / 2) + 1 = 4.
  // CHECK: qnt.conv {{.*}} -> tensor<1x8x4xf32>
  %0 = qnt.conv %x1, %w1 {strides = array<i64: 2>, pads = array<i64: 0, 0>,
                          dilations = array<i64: 2>, group = 1 : i64}
      : (tensor<1x4x16xf32>, tensor<8x4x5xf32>) -> tensor<1x8x4xf32>
  // 3-D, no padding.
  // CHECK: qnt.conv {{.*}} -> tensor<1x3x3x4x5xf32>
  %1 = qnt.conv %x3, %w3 {strides = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>,
                          dilations = array<i64: 1, 1, 1>, group = 1 : i64}
      : (tensor<1x2x5x6x7xf32>, tensor<3x2x3x3x3xf32>) -> tensor<1x3x3x4x5xf32>
  // SAME_UPPER at stride 2 on an even input pads [0, 1]: ceil(8 / 2) = 4.
  // CHECK: qnt.conv {{.*}} -> tensor<1x8x4x4xf32>
  %2 = qnt.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32>
  // Two groups of 2 input channels.
  // CHECK: qnt.conv {{.*}}group = 2 : i64{{.*}} -> tensor<1x8x6x6xf32>
  %3 = qnt.conv %x, %wg {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                         dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x4x8x8xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x6x6xf32>
  // Depthwise with channel multiplier 2 (group = C = 4, 8 outputs).
  // CHECK: qnt.conv {{.*}}group = 4 : i64{{.*}} -> tensor<1x8x8x8xf32>
  %4 = qnt.conv %x, %wd {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                         dilations = array<i64: 1, 1>, group = 4 : i64}
      : (tensor<1x4x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

// Off by one in the last spatial dim of a 3-D conv.
func.func @off_by_one(%x: tensor<1x2x5x6x7xf32>, %w: tensor<3x2x3x3x3xf32>) -> tensor<1x3x3x4x6xf32> {
  // expected-error @+1 {{result shape 1x3x3x4x6 does not match the computed shape 1x3x3x4x5}}
  %0 = qnt.conv %x, %w {strides = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1, 1>, group = 1 : i64}
      : (tensor<1x2x5x6x7xf32>, tensor<3x2x3x3x3xf32>) -> tensor<1x3x3x4x6xf32>
  return %0 : tensor<1x3x3x4x6xf32>
}
