// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.layer_norm normalizes dims [axis, rank); scale and bias broadcast to them.

// CHECK-LABEL: func.func @axes
func.func @axes(%x: tensor<2x16x64xf32>, %g: tensor<16x64xf32>, %b: tensor<1x64xf32>, %s: tensor<f32>) {
  // axis 1 normalizes 16x64 with a full-shape scale and a broadcast bias.
  // CHECK: qnt.layer_norm {{.*}} {axis = 1 : i64} : (tensor<2x16x64xf32>, tensor<16x64xf32>, tensor<1x64xf32>)
  %0 = qnt.layer_norm %x, %g, %b {axis = 1 : i64}
      : (tensor<2x16x64xf32>, tensor<16x64xf32>, tensor<1x64xf32>) -> tensor<2x16x64xf32>
  // axis 0 with a scalar scale and no bias.
  // CHECK: qnt.layer_norm {{.*}} {axis = 0 : i64, epsilon = 9.99999997E-7 : f32} : (tensor<2x16x64xf32>, tensor<f32>)
  %1 = qnt.layer_norm %x, %s {axis = 0 : i64, epsilon = 1.0e-6 : f32}
      : (tensor<2x16x64xf32>, tensor<f32>) -> tensor<2x16x64xf32>
  return
}

// -----

// A 16x64 scale cannot serve axis 2 (normalized shape 64).
func.func @scale_rank(%x: tensor<2x16x64xf32>, %g: tensor<16x64xf32>) -> tensor<2x16x64xf32> {
  // expected-error @+1 {{expects scale of shape 16x64 to broadcast to the normalized shape 64}}
  %0 = qnt.layer_norm %x, %g {axis = 2 : i64} : (tensor<2x16x64xf32>, tensor<16x64xf32>) -> tensor<2x16x64xf32>
  return %0 : tensor<2x16x64xf32>
}
