// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.concat: several inputs, any axis, quantized inputs of one type.

!q = !quant.uniform<u8:f32, 0.02:128>

// CHECK-LABEL: func.func @variants
func.func @variants(%a: tensor<1x2x4xf32>, %b: tensor<3x2x4xf32>, %c: tensor<1x2x4xf32>,
                    %qa: tensor<1x8x!q>, %qb: tensor<1x8x!q>, %i: tensor<2xi64>) {
  // Three inputs along axis 0.
  // CHECK: qnt.concat {{.*}} {axis = 0 : i64} : (tensor<1x2x4xf32>, tensor<3x2x4xf32>, tensor<1x2x4xf32>) -> tensor<5x2x4xf32>
  %0 = qnt.concat %a, %b, %c {axis = 0 : i64}
      : (tensor<1x2x4xf32>, tensor<3x2x4xf32>, tensor<1x2x4xf32>) -> tensor<5x2x4xf32>
  // The last axis.
  // CHECK: qnt.concat {{.*}} -> tensor<1x2x8xf32>
  %1 = qnt.concat %a, %c {axis = 2 : i64} : (tensor<1x2x4xf32>, tensor<1x2x4xf32>) -> tensor<1x2x8xf32>
  // Quantized inputs share one scale and zero point.
  // CHECK: qnt.concat {{.*}} -> tensor<1x16x!quant.uniform<u8:f32, 2.000000e-02:128>>
  %2 = qnt.concat %qa, %qb {axis = 1 : i64} : (tensor<1x8x!q>, tensor<1x8x!q>) -> tensor<1x16x!q>
  // Integer tensors (shape arithmetic) concatenate too.
  // CHECK: qnt.concat {{.*}} -> tensor<4xi64>
  %3 = qnt.concat %i, %i {axis = 0 : i64} : (tensor<2xi64>, tensor<2xi64>) -> tensor<4xi64>
  return
}

// -----

// Mixing element types is an error, not an implicit cast.
func.func @mixed(%a: tensor<2xf32>, %b: tensor<2xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{requires the same element type for all operands and results}}
  %0 = qnt.concat %a, %b {axis = 0 : i64} : (tensor<2xf32>, tensor<2xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
