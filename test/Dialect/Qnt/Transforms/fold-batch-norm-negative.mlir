// RUN: quant-opt %s -split-input-file --qnt-fold-batch-norm | FileCheck %s

// Cases qnt-fold-batch-norm must leave alone: each keeps its batch_norm.

// The conv result is also returned: folding would change that value.
// CHECK-LABEL: func.func @conv_other_use
// CHECK:         qnt.conv
// CHECK:         qnt.batch_norm
func.func @conv_other_use(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = qnt.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = qnt.constant dense<1.0> : tensor<2xf32>
  %c = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %y = qnt.batch_norm %c, %p, %p, %p, %p
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %c, %y : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// Weights that are function arguments are not constants.
// CHECK-LABEL: func.func @weight_not_constant
// CHECK:         qnt.batch_norm
func.func @weight_not_constant(%x: tensor<1x1x2x2xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32> {
  %p = qnt.constant dense<1.0> : tensor<2xf32>
  %c = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %y = qnt.batch_norm %c, %p, %p, %p, %p
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Batch-norm statistics that are not constants.
// CHECK-LABEL: func.func @stats_not_constant
// CHECK:         qnt.batch_norm
func.func @stats_not_constant(%x: tensor<1x1x2x2xf32>, %mean: tensor<2xf32>) -> tensor<1x2x2x2xf32> {
  %w = qnt.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = qnt.constant dense<1.0> : tensor<2xf32>
  %c = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %y = qnt.batch_norm %c, %p, %p, %mean, %p
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// variance + epsilon = 0 would divide by zero.
// CHECK-LABEL: func.func @zero_variance
// CHECK:         qnt.batch_norm
func.func @zero_variance(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = qnt.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = qnt.constant dense<1.0> : tensor<2xf32>
  %z = qnt.constant dense<0.0> : tensor<2xf32>
  %c = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %y = qnt.batch_norm %c, %p, %p, %p, %z {epsilon = 0.0 : f32}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// A batch_norm on a graph input has nothing to fold into.
// CHECK-LABEL: func.func @no_producer
// CHECK:         qnt.batch_norm
func.func @no_producer(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %p = qnt.constant dense<1.0> : tensor<2xf32>
  %y = qnt.batch_norm %x, %p, %p, %p, %p
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Already-quantized activations are not folded (the float weights would no
// longer match the quantized op's scales).
// CHECK-LABEL: func.func @quantized
// CHECK:         qnt.batch_norm
func.func @quantized(%x: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x2x2xf32> {
  %w = qnt.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = qnt.constant dense<1.0> : tensor<2xf32>
  %c = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5>>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %y = qnt.batch_norm %c, %p, %p, %p, %p
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// A gemm whose C varies along M cannot fold into a per-column bias.
// CHECK-LABEL: func.func @gemm_c_per_row
// CHECK:         qnt.batch_norm
func.func @gemm_c_per_row(%a: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %b = qnt.constant dense<1.0> : tensor<3x2xf32>
  %c = qnt.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %p = qnt.constant dense<1.0> : tensor<2xf32>
  %g = qnt.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = qnt.batch_norm %g, %p, %p, %p, %p
      : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
