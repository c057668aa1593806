// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// Binary element-wise ops broadcast multidirectionally, like numpy.

// CHECK-LABEL: func.func @broadcasts
func.func @broadcasts(%s: tensor<f32>, %col: tensor<3x1xf32>, %row: tensor<1x4xf32>,
                      %v: tensor<4xf32>, %x: tensor<2x3x4xf32>) {
  // Scalar with anything.
  // CHECK: qnt.add {{.*}} : (tensor<f32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %0 = qnt.add %s, %x : (tensor<f32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // Both operands stretch: 3x1 and 1x4 give 3x4.
  // CHECK: qnt.sub {{.*}} -> tensor<3x4xf32>
  %1 = qnt.sub %col, %row : (tensor<3x1xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  // Missing leading dims act as 1.
  // CHECK: qnt.mul {{.*}} : (tensor<4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %2 = qnt.mul %v, %x : (tensor<4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: qnt.div {{.*}} -> tensor<2x3x4xf32>
  %3 = qnt.div %x, %col : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  // CHECK: qnt.pow {{.*}} -> tensor<2x3x4xf32>
  %4 = qnt.pow %x, %s : (tensor<2x3x4xf32>, tensor<f32>) -> tensor<2x3x4xf32>
  // CHECK: qnt.max {{.*}} -> tensor<3x4xf32>
  %5 = qnt.max %row, %col : (tensor<1x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  // CHECK: qnt.min {{.*}} -> tensor<f32>
  %6 = qnt.min %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return
}

// -----

// Trailing dims must agree: 3x1 and 4 give 3x4, not 3x1.
func.func @not_stretched(%col: tensor<3x1xf32>, %v: tensor<4xf32>) -> tensor<3x1xf32> {
  // expected-error @+1 {{result shape 3x1 is not the broadcast shape 3x4}}
  %0 = qnt.max %col, %v : (tensor<3x1xf32>, tensor<4xf32>) -> tensor<3x1xf32>
  return %0 : tensor<3x1xf32>
}

// -----

// Element types of the two operands must express the same float.
func.func @mixed_precision(%a: tensor<4xf32>, %b: tensor<4xbf16>) -> tensor<4xf32> {
  // expected-error @+1 {{operand #0 is 'f32' and operand #1 is 'bf16'}}
  %0 = qnt.pow %a, %b : (tensor<4xf32>, tensor<4xbf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
