// RUN: quant-opt %s -split-input-file --qnt-fold-batch-norm | FileCheck %s

// Folding follows output channels, whatever the grouping or rank.

// Depthwise 3x3 conv (group = C = 2): channel m's whole 1x3x3 kernel scales
// by s[m] and is stored as a blob (18 > 16 elements). gamma = [1, 4], var = [0, 3], eps = 1: s = [1, 2].
// CHECK-LABEL: func.func @depthwise
// CHECK-DAG:     %[[W:.*]] = qnt.constant dense_resource<[[BLOB:.*]]> : tensor<2x1x3x3xf32>
// CHECK-DAG:     %[[B:.*]] = qnt.constant dense<[0.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK:         qnt.conv %arg0, %[[W]], %[[B]] {{.*}}group = 2 : i64
// CHECK-NOT:     qnt.batch_norm
// The 18 folded weights: nine 1.0 (0x3F800000) then nine 2.0 (0x40000000).
// CHECK:         [[BLOB]]: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F000000400000004000000040000000400000004000000040000000400000004000000040"
func.func @depthwise(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x5x5xf32> {
  %w = qnt.constant dense<1.0> : tensor<2x1x3x3xf32>
  %gamma = qnt.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %beta = qnt.constant dense<0.0> : tensor<2xf32>
  %mean = qnt.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %var = qnt.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %c = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                        dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x2x5x5xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x5x5xf32>
  %y = qnt.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x5x5xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x5x5xf32>
  return %y : tensor<1x2x5x5xf32>
}

// -----

// 1-D conv (as in audio models): kernel [k0, k1] of channel 0 scales by 0.5.
// CHECK-LABEL: func.func @conv1d
// CHECK-DAG:     qnt.constant dense<{{\[\[}}[1.000000e+00, -1.000000e+00]]]> : tensor<1x1x2xf32>
// CHECK-DAG:     qnt.constant dense<5.000000e-01> : tensor<1xf32>
// CHECK-NOT:     qnt.batch_norm
func.func @conv1d(%x: tensor<1x1x8xf32>) -> tensor<1x1x7xf32> {
  %w = qnt.constant dense<[[[2.0, -2.0]]]> : tensor<1x1x2xf32>
  %b = qnt.constant dense<2.0> : tensor<1xf32>
  %gamma = qnt.constant dense<2.0> : tensor<1xf32>
  %beta = qnt.constant dense<0.0> : tensor<1xf32>
  %mean = qnt.constant dense<1.0> : tensor<1xf32>
  %var = qnt.constant dense<16.0> : tensor<1xf32>
  %c = qnt.conv %x, %w, %b {strides = array<i64: 1>, pads = array<i64: 0, 0>,
                            dilations = array<i64: 1>, group = 1 : i64}
      : (tensor<1x1x8xf32>, tensor<1x1x2xf32>, tensor<1xf32>) -> tensor<1x1x7xf32>
  %y = qnt.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 0.0 : f32}
      : (tensor<1x1x7xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x7xf32>
  return %y : tensor<1x1x7xf32>
}

// -----

// Two conv+bn pairs in sequence both fold; the second reads the first.
// CHECK-LABEL: func.func @chain
// CHECK:         %[[C1:.*]] = qnt.conv %arg0
// CHECK:         qnt.conv %[[C1]]
// CHECK-NOT:     qnt.batch_norm
func.func @chain(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %w = qnt.constant dense<1.0> : tensor<1x1x1x1xf32>
  %p = qnt.constant dense<1.0> : tensor<1xf32>
  %c1 = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                         dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %b1 = qnt.batch_norm %c1, %p, %p, %p, %p
      : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  %c2 = qnt.conv %b1, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                          dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %b2 = qnt.batch_norm %c2, %p, %p, %p, %p
      : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  return %b2 : tensor<1x1x4x4xf32>
}
