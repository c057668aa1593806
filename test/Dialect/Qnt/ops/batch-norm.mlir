// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.batch_norm normalizes over channel dim 1 for any rank >= 2.

// CHECK-LABEL: func.func @ranks
func.func @ranks(%x2: tensor<4x6xf32>, %p6: tensor<6xf32>, %x5: tensor<1x3x2x2x2xf32>, %p3: tensor<3xf32>) {
  // (N, C) as after a Gemm.
  // CHECK: qnt.batch_norm {{.*}} -> tensor<4x6xf32>
  %0 = qnt.batch_norm %x2, %p6, %p6, %p6, %p6
      : (tensor<4x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<4x6xf32>
  // 3-D volumes; the default epsilon (1e-5) is not printed.
  // CHECK: qnt.batch_norm {{.*}} : (tensor<1x3x2x2x2xf32>, {{.*}}) -> tensor<1x3x2x2x2xf32>
  // CHECK-NOT: epsilon
  %1 = qnt.batch_norm %x5, %p3, %p3, %p3, %p3
      : (tensor<1x3x2x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x2x2x2xf32>
  return
}

// -----

// Parameters sized for the wrong dim (the last instead of the channel dim).
func.func @wrong_dim(%x: tensor<4x6xf32>, %p: tensor<4xf32>) -> tensor<4x6xf32> {
  // expected-error @+1 {{expects scale of shape 6 (one per channel), got 4}}
  %0 = qnt.batch_norm %x, %p, %p, %p, %p
      : (tensor<4x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}
