// RUN: quant-opt %s -split-input-file --qnt-fold-batch-norm | FileCheck %s

// batch_norm after conv_transpose, and after a per-channel bias add.

// conv_transpose weights are C_in x M/group x k: with group 1, output
// channel j scales column j. w = [[1, 2], [3, 4]], s = [1, 0.5]
// (gamma = [1, 1], var = [0, 3], eps = 1) gives [[1, 1], [3, 2]].
// CHECK-LABEL: func.func @conv_transpose
// CHECK-DAG:     %[[W:.*]] = qnt.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}1.000000e+00]]], {{\[\[\[}}3.000000e+00]], {{\[\[}}2.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG:     %[[B:.*]] = qnt.constant dense<[-1.000000e+00, -5.000000e-01]> : tensor<2xf32>
// CHECK:         qnt.conv_transpose %arg0, %[[W]], %[[B]]
// CHECK-NOT:     qnt.batch_norm
func.func @conv_transpose(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = qnt.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %gamma = qnt.constant dense<1.0> : tensor<2xf32>
  %beta = qnt.constant dense<0.0> : tensor<2xf32>
  %mean = qnt.constant dense<1.0> : tensor<2xf32>
  %var = qnt.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %c = qnt.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                                  dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                  group = 1 : i64}
      : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y = qnt.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Grouped (depthwise) conv_transpose: group 2, one output channel per
// group, so input channel c's kernel scales by s[c] = [2, 0.5]: 1 * 2 and
// 4 * 0.5 are both 2 (the wrong pairing would give 0.5 and 8).
// CHECK-LABEL: func.func @grouped
// CHECK-DAG:     qnt.constant dense<2.000000e+00> : tensor<2x1x1x1xf32>
// CHECK-NOT:     qnt.batch_norm
func.func @grouped(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = qnt.constant dense<[[[[1.0]]], [[[4.0]]]]> : tensor<2x1x1x1xf32>
  %gamma = qnt.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %beta = qnt.constant dense<0.0> : tensor<2xf32>
  %mean = qnt.constant dense<0.0> : tensor<2xf32>
  %var = qnt.constant dense<1.0> : tensor<2xf32>
  %c = qnt.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                                  dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                  group = 2 : i64}
      : (tensor<1x2x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y = qnt.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 0.0 : f32}
      : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// A per-channel bias add before the batch_norm moves into its mean
// (mean' = mean - c = [0.5 - 1, 0.5 - 2]); the batch_norm then folds into
// the conv_transpose, whose folded bias is (0 - mean') * s + beta.
// CHECK-LABEL: func.func @bias_add
// CHECK-DAG:     %[[B:.*]] = qnt.constant dense<[5.000000e-01, 1.500000e+00]> : tensor<2xf32>
// CHECK:         %[[Y:.*]] = qnt.conv_transpose %arg0, %{{.*}}, %[[B]]
// CHECK-NEXT:    return %[[Y]]
func.func @bias_add(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = qnt.constant dense<1.0> : tensor<2x2x1x1xf32>
  %bias = qnt.constant dense<[[[[1.0]], [[2.0]]]]> : tensor<1x2x1x1xf32>
  %one = qnt.constant dense<1.0> : tensor<2xf32>
  %zero = qnt.constant dense<0.0> : tensor<2xf32>
  %mean = qnt.constant dense<0.5> : tensor<2xf32>
  %c = qnt.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                                  dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                  group = 1 : i64}
      : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %a = qnt.add %c, %bias : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y = qnt.batch_norm %a, %one, %zero, %mean, %one {epsilon = 0.0 : f32}
      : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// An addend that varies along a spatial dim is not a channel bias: kept.
// CHECK-LABEL: func.func @spatial_add
// CHECK:         qnt.add
// CHECK:         qnt.batch_norm
func.func @spatial_add(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %c = qnt.constant dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>
  %p = qnt.constant dense<1.0> : tensor<2xf32>
  %a = qnt.add %x, %c : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32>
  %y = qnt.batch_norm %a, %p, %p, %p, %p
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// An addend that is not a constant: kept.
// CHECK-LABEL: func.func @runtime_add
// CHECK:         qnt.add
// CHECK:         qnt.batch_norm
func.func @runtime_add(%x: tensor<1x2x2x2xf32>, %c: tensor<1x2x1x1xf32>) -> tensor<1x2x2x2xf32> {
  %p = qnt.constant dense<1.0> : tensor<2xf32>
  %a = qnt.add %x, %c : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %y = qnt.batch_norm %a, %p, %p, %p, %p
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
