// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.resize: scales per dim, every interpolation attribute, and scales derived
// from ONNX `sizes` (out / in), which may round either way in f32.

// CHECK-LABEL: func.func @variants
func.func @variants(%x: tensor<1x3x4x6xf32>, %y: tensor<1x1x3x3xf32>) {
  // Downsampling by half.
  // CHECK: qnt.resize {{.*}} -> tensor<1x3x2x3xf32>
  %0 = qnt.resize %x {scales = array<f32: 1.0, 1.0, 0.5, 0.5>} : (tensor<1x3x4x6xf32>) -> tensor<1x3x2x3xf32>
  // sizes = 7 from 3: scale 7/3 in f32 times 3 is just under 7.
  // CHECK: qnt.resize {{.*}}mode = #qnt.resize_mode<cubic>{{.*}} -> tensor<1x1x7x7xf32>
  %1 = qnt.resize %y {scales = array<f32: 1.0, 1.0, 2.33333325, 2.33333325>,
                      mode = #qnt.resize_mode<cubic>, cubic_coeff_a = -0.5 : f32,
                      exclude_outside = true}
      : (tensor<1x1x3x3xf32>) -> tensor<1x1x7x7xf32>
  // All coordinate transforms and nearest modes parse.
  // CHECK: #qnt.coordinate_transform<half_pixel_symmetric>
  %2 = qnt.resize %y {scales = array<f32: 1.0, 1.0, 2.0, 2.0>,
                      coordinate_transform = #qnt.coordinate_transform<half_pixel_symmetric>,
                      nearest_mode = #qnt.nearest_mode<round_prefer_ceil>}
      : (tensor<1x1x3x3xf32>) -> tensor<1x1x6x6xf32>
  // CHECK: #qnt.coordinate_transform<pytorch_half_pixel>{{.*}}#qnt.nearest_mode<ceil>
  %3 = qnt.resize %y {scales = array<f32: 1.0, 1.0, 2.0, 2.0>,
                      coordinate_transform = #qnt.coordinate_transform<pytorch_half_pixel>,
                      nearest_mode = #qnt.nearest_mode<ceil>}
      : (tensor<1x1x3x3xf32>) -> tensor<1x1x6x6xf32>
  // CHECK: #qnt.coordinate_transform<align_corners>{{.*}}#qnt.resize_mode<linear>
  %4 = qnt.resize %y {scales = array<f32: 1.0, 1.0, 2.0, 2.0>,
                      coordinate_transform = #qnt.coordinate_transform<align_corners>,
                      mode = #qnt.resize_mode<linear>}
      : (tensor<1x1x3x3xf32>) -> tensor<1x1x6x6xf32>
  return
}

// -----

// A size two away from in * scale is not a rounding difference.
func.func @wrong_size(%y: tensor<1x1x3x3xf32>) -> tensor<1x1x8x7xf32> {
  // expected-error @+1 {{result dim 2 is 8 but input 3 x scale 2 = 6}}
  %0 = qnt.resize %y {scales = array<f32: 1.0, 1.0, 2.0, 2.33333325>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x8x7xf32>
  return %0 : tensor<1x1x8x7xf32>
}
