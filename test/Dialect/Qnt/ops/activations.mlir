// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// Activation attributes: defaults are elided, one-sided clamps, gelu modes,
// and unary ops on other float types.

// CHECK-LABEL: func.func @defaults
func.func @defaults(%x: tensor<4xf32>, %h: tensor<2x2xf16>) {
  // CHECK: qnt.leaky_relu %{{.*}} : (tensor<4xf32>)
  %0 = qnt.leaky_relu %x {alpha = 0.01 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: qnt.hard_sigmoid %{{.*}} : (tensor<4xf32>)
  %1 = qnt.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: qnt.gelu %{{.*}} : (tensor<4xf32>)
  %2 = qnt.gelu %x {approximate = #qnt.gelu_approximation<none>} : (tensor<4xf32>) -> tensor<4xf32>
  // Relu as a clamp with only a lower bound (ONNX Clip with min only).
  // CHECK: qnt.clamp %{{.*}} {min = 0.000000e+00 : f32} : (tensor<4xf32>)
  %3 = qnt.clamp %x {min = 0.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: qnt.clamp %{{.*}} {max = 1.000000e+00 : f32} : (tensor<4xf32>)
  %4 = qnt.clamp %x {max = 1.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  // A degenerate clamp to one value is allowed.
  // CHECK: qnt.clamp %{{.*}} {max = 2.000000e+00 : f32, min = 2.000000e+00 : f32}
  %5 = qnt.clamp %x {min = 2.0 : f32, max = 2.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  // f16 activations.
  // CHECK: qnt.sigmoid %{{.*}} : (tensor<2x2xf16>) -> tensor<2x2xf16>
  %6 = qnt.sigmoid %h : (tensor<2x2xf16>) -> tensor<2x2xf16>
  return
}

// -----

// An unknown gelu mode is a parse error that lists nothing silently.
func.func @bad_gelu(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{expected ::mlir::qnt::GeluApproximation to be one of: none, tanh}}
  // expected-error @+1 {{failed to parse Qnt_GeluApproximationAttr parameter 'value'}}
  %0 = qnt.gelu %x {approximate = #qnt.gelu_approximation<sigmoid>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
