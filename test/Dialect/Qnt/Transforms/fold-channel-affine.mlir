// RUN: quant-opt %s -split-input-file --qnt-fold-batch-norm | FileCheck %s

// A batch norm decomposed into Mul and Add (PaddlePaddle's export): both
// fold into the conv. w = [[1, 2], [3, 4]] (2 output channels, 1x1 on 2
// input channels), b = [0.5, -1], s = [2, -0.5], t = [1, 3]:
// w' = [[2, 4], [-1.5, -2]], b' = [0.5 * 2 + 1, -1 * -0.5 + 3] = [2, 3.5].
// CHECK-LABEL: func @mul_add
// CHECK-DAG: %[[W:.*]] = qnt.constant dense<{{\[\[\[\[}}2.000000e+00]], {{\[\[}}4.000000e+00]]], {{\[\[\[}}-1.500000e+00]], {{\[\[}}-2.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = qnt.constant dense<[2.000000e+00, 3.500000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = qnt.conv %arg0, %[[W]], %[[B]]
// CHECK-NOT: qnt.mul
// CHECK-NOT: qnt.add
// CHECK: return %[[Y]]
func.func @mul_add(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = qnt.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = qnt.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %s = qnt.constant dense<[[[2.0]], [[-0.5]]]> : tensor<2x1x1xf32>
  %t = qnt.constant dense<[[[[1.0]], [[3.0]]]]> : tensor<1x2x1x1xf32>
  %0 = qnt.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %1 = qnt.mul %s, %0 : (tensor<2x1x1xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %2 = qnt.add %1, %t : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %2 : tensor<1x2x3x3xf32>
}

// -----

// A scalar scale on a conv without bias: the bias becomes zeros * s.
// CHECK-LABEL: func @scalar
// CHECK-DAG: qnt.constant dense<3.000000e+00> : tensor<1x1x1x1xf32>
// CHECK-DAG: qnt.constant dense<0.000000e+00> : tensor<1xf32>
// CHECK-NOT: qnt.mul
func.func @scalar(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = qnt.constant dense<1.5> : tensor<1x1x1x1xf32>
  %s = qnt.constant dense<2.0> : tensor<f32>
  %0 = qnt.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %1 = qnt.mul %0, %s : (tensor<1x1x2x2xf32>, tensor<f32>) -> tensor<1x1x2x2xf32>
  return %1 : tensor<1x1x2x2xf32>
}

// -----

// Not folded: a constant that varies along a spatial dim, a conv with a
// second use, a non-constant operand.
// CHECK-LABEL: func @negative
// CHECK: qnt.mul
// CHECK: qnt.add
// CHECK: qnt.mul
func.func @negative(%x: tensor<1x2x3x3xf32>, %y: tensor<1x2x3x3xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %w = qnt.constant dense<1.0> : tensor<2x2x1x1xf32>
  %spatial = qnt.constant dense<[[1.0], [2.0], [3.0]]> : tensor<3x1xf32>
  %0 = qnt.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %1 = qnt.mul %0, %spatial : (tensor<1x2x3x3xf32>, tensor<3x1xf32>) -> tensor<1x2x3x3xf32>
  %c = qnt.constant dense<1.0> : tensor<f32>
  %2 = qnt.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %3 = qnt.add %2, %c : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %4 = qnt.mul %2, %y : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %1, %3, %4 : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}
