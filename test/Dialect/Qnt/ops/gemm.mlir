// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.gemm: transposes and the unidirectional broadcast of C to M x N.

// CHECK-LABEL: func.func @variants
func.func @variants(%a: tensor<4x3xf32>, %b: tensor<10x4xf32>, %s: tensor<f32>,
                    %row: tensor<1x10xf32>, %col: tensor<3x1xf32>, %full: tensor<3x10xf32>) {
  // op(A) = A^T (3x4), op(B) = B^T (4x10); scalar C.
  // CHECK: qnt.gemm {{.*}} {trans_a = true, trans_b = true} : (tensor<4x3xf32>, tensor<10x4xf32>, tensor<f32>) -> tensor<3x10xf32>
  %0 = qnt.gemm %a, %b, %s {trans_a = true, trans_b = true}
      : (tensor<4x3xf32>, tensor<10x4xf32>, tensor<f32>) -> tensor<3x10xf32>
  // C of shape 1 x N, M x 1 and M x N all broadcast.
  // CHECK: qnt.gemm {{.*}} tensor<1x10xf32>) -> tensor<3x10xf32>
  %1 = qnt.gemm %a, %b, %row {trans_a = true, trans_b = true}
      : (tensor<4x3xf32>, tensor<10x4xf32>, tensor<1x10xf32>) -> tensor<3x10xf32>
  // CHECK: qnt.gemm {{.*}} tensor<3x1xf32>) -> tensor<3x10xf32>
  %2 = qnt.gemm %a, %b, %col {trans_a = true, trans_b = true}
      : (tensor<4x3xf32>, tensor<10x4xf32>, tensor<3x1xf32>) -> tensor<3x10xf32>
  // CHECK: qnt.gemm {{.*}} {alpha = 2.500000e-01 : f32, beta = 0.000000e+00 : f32, trans_a = true, trans_b = true}
  %3 = qnt.gemm %a, %b, %full {alpha = 0.25 : f32, beta = 0.0 : f32, trans_a = true, trans_b = true}
      : (tensor<4x3xf32>, tensor<10x4xf32>, tensor<3x10xf32>) -> tensor<3x10xf32>
  return
}

// -----

// C of shape N x 1 does not broadcast to M x N when M != N.
func.func @c_transposed(%a: tensor<3x4xf32>, %b: tensor<4x10xf32>, %c: tensor<10x1xf32>) -> tensor<3x10xf32> {
  // expected-error @+1 {{expects C of shape 10x1 to broadcast to 3x10}}
  %0 = qnt.gemm %a, %b, %c : (tensor<3x4xf32>, tensor<4x10xf32>, tensor<10x1xf32>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}
