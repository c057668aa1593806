// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.pad: growth, cropping with negative pads, and the three modes.

// CHECK-LABEL: func.func @variants
func.func @variants(%x: tensor<1x2x4x4xf32>) {
  // CHECK: qnt.pad {{.*}} {pads = array<i64: 0, 0, 1, 2, 0, 0, 3, 0>, value = -1.000000e+00 : f32} {{.*}} -> tensor<1x2x8x6xf32>
  %0 = qnt.pad %x {pads = array<i64: 0, 0, 1, 2, 0, 0, 3, 0>, value = -1.0 : f32}
      : (tensor<1x2x4x4xf32>) -> tensor<1x2x8x6xf32>
  // Negative pads crop.
  // CHECK: qnt.pad {{.*}} -> tensor<1x2x2x3xf32>
  %1 = qnt.pad %x {pads = array<i64: 0, 0, -1, 0, 0, 0, -1, -1>}
      : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x3xf32>
  // Reflect by up to dim - 1.
  // CHECK: qnt.pad {{.*}}#qnt.pad_mode<reflect>{{.*}} -> tensor<1x2x10x10xf32>
  %2 = qnt.pad %x {pads = array<i64: 0, 0, 3, 3, 0, 0, 3, 3>, mode = #qnt.pad_mode<reflect>}
      : (tensor<1x2x4x4xf32>) -> tensor<1x2x10x10xf32>
  // Edge padding has no such limit.
  // CHECK: qnt.pad {{.*}}#qnt.pad_mode<edge>{{.*}} -> tensor<1x2x14x14xf32>
  %3 = qnt.pad %x {pads = array<i64: 0, 0, 5, 5, 0, 0, 5, 5>, mode = #qnt.pad_mode<edge>}
      : (tensor<1x2x4x4xf32>) -> tensor<1x2x14x14xf32>
  return
}

// -----

// Begin and end pads are ONNX-ordered: all begins, then all ends.
func.func @pad_order(%x: tensor<2x3xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{result shape 3x5 does not match the computed shape 4x4}}
  %0 = qnt.pad %x {pads = array<i64: 1, 0, 1, 1>} : (tensor<2x3xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}
