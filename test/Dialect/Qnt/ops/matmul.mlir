// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.matmul follows numpy: 1-D promotion and batch broadcasting.

// CHECK-LABEL: func.func @variants
func.func @variants(%v: tensor<8xf32>, %m: tensor<8x4xf32>, %n: tensor<3x8xf32>,
                    %b1: tensor<2x1x3x8xf32>, %b2: tensor<5x8x4xf32>) {
  // vector x vector -> scalar
  // CHECK: qnt.matmul {{.*}} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  %0 = qnt.matmul %v, %v : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  // vector x matrix -> vector
  // CHECK: qnt.matmul {{.*}} -> tensor<4xf32>
  %1 = qnt.matmul %v, %m : (tensor<8xf32>, tensor<8x4xf32>) -> tensor<4xf32>
  // matrix x vector -> vector
  // CHECK: qnt.matmul {{.*}} -> tensor<3xf32>
  %2 = qnt.matmul %n, %v : (tensor<3x8xf32>, tensor<8xf32>) -> tensor<3xf32>
  // batch dims [2, 1] and [5] broadcast to [2, 5]
  // CHECK: qnt.matmul {{.*}} -> tensor<2x5x3x4xf32>
  %3 = qnt.matmul %b1, %b2 : (tensor<2x1x3x8xf32>, tensor<5x8x4xf32>) -> tensor<2x5x3x4xf32>
  return
}

// -----

// Promoting a 1-D lhs must not leave the added dim in the result.
func.func @kept_dim(%v: tensor<8xf32>, %m: tensor<8x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{result shape 1x4 does not match the computed shape 4}}
  %0 = qnt.matmul %v, %m : (tensor<8xf32>, tensor<8x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// On i32 (MatMulInteger) every operand and the result are i32.
// CHECK-LABEL: func.func @int32
// CHECK: qnt.matmul {{.*}} : (tensor<2x8xi32>, tensor<8x4xi32>) -> tensor<2x4xi32>
func.func @int32(%a: tensor<2x8xi32>, %b: tensor<8x4xi32>) -> tensor<2x4xi32> {
  %0 = qnt.matmul %a, %b : (tensor<2x8xi32>, tensor<8x4xi32>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// -----

func.func @int32_float_result(%a: tensor<2x8xi32>, %b: tensor<8x4xi32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{expects integer values alone, but operand #0 is 'i32' and result #0 is 'f32'}}
  %0 = qnt.matmul %a, %b : (tensor<2x8xi32>, tensor<8x4xi32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @int8_operand(%a: tensor<2x8xi8>, %b: tensor<8x4xi8>) -> tensor<2x4xi32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of floating-point or quantized type or 32-bit signless integer values}}
  %0 = qnt.matmul %a, %b : (tensor<2x8xi8>, tensor<8x4xi8>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}
