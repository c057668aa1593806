// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.reshape stands for ONNX Reshape, Flatten, Squeeze and Unsqueeze.

// CHECK-LABEL: func.func @forms
func.func @forms(%x: tensor<1x8x1x4xf32>, %s: tensor<f32>, %e: tensor<0x3xf32>) {
  // Flatten (axis 1).
  // CHECK: qnt.reshape {{.*}} -> tensor<1x32xf32>
  %0 = qnt.reshape %x : (tensor<1x8x1x4xf32>) -> tensor<1x32xf32>
  // Squeeze dims 0 and 2.
  // CHECK: qnt.reshape {{.*}} -> tensor<8x4xf32>
  %1 = qnt.reshape %x : (tensor<1x8x1x4xf32>) -> tensor<8x4xf32>
  // Unsqueeze a scalar.
  // CHECK: qnt.reshape {{.*}} : (tensor<f32>) -> tensor<1x1xf32>
  %2 = qnt.reshape %s : (tensor<f32>) -> tensor<1x1xf32>
  // Empty tensors reshape among themselves.
  // CHECK: qnt.reshape {{.*}} : (tensor<0x3xf32>) -> tensor<3x0xf32>
  %3 = qnt.reshape %e : (tensor<0x3xf32>) -> tensor<3x0xf32>
  return
}

// -----

// Reshape never changes the element type.
func.func @element_type(%x: tensor<4xf32>) -> tensor<2x2xf16> {
  // expected-error @+1 {{requires the same element type for all operands and results}}
  %0 = qnt.reshape %x : (tensor<4xf32>) -> tensor<2x2xf16>
  return %0 : tensor<2x2xf16>
}
