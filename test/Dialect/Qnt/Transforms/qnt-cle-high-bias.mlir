// RUN: quant-opt %s -split-input-file --qnt-cross-layer-equalize | FileCheck %s
// RUN: quant-opt %s -split-input-file --qnt-cross-layer-equalize=absorb-high-bias=false | FileCheck %s --check-prefix=OFF

// High-bias absorption. The ranges are already equal (s = 1). Channel 0 of
// the first conv never went below 2.5 on the calibration data, channel 1
// went to -0.5: c = [2.5, 0]. b1 = [3, -1] - c = [0.5, -1]; b2 = 0.5 +
// w2[0, 0] * 2.5 = 0.5 + 1 * 2.5 = 3. The stale ranges between are dropped.
// CHECK-LABEL: func.func @absorb
// CHECK:         %[[B1:.*]] = qnt.constant dense<[5.000000e-01, -1.000000e+00]> : tensor<2xf32>
// CHECK:         %[[C1:.*]] = qnt.conv %arg0, %{{.*}}, %[[B1]] {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
// CHECK:         %[[R:.*]] = qnt.relu %[[C1]] : 
// CHECK:         %[[B2:.*]] = qnt.constant dense<3.000000e+00> : tensor<1xf32>
// CHECK:         qnt.conv %[[R]], %{{.*}}, %[[B2]] {{.*}}qnt.range = #qnt.range<-1.000000e+00, 9.000000e+00>
// OFF-LABEL: func.func @absorb
// OFF-DAG:     qnt.constant dense<[3.000000e+00, -1.000000e+00]> : tensor<2xf32>
// OFF-DAG:     qnt.constant dense<5.000000e-01> : tensor<1xf32>
func.func @absorb(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w1 = qnt.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b1 = qnt.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %w2 = qnt.constant dense<[[[[1.0]], [[2.0]]]]> : tensor<1x2x1x1xf32>
  %b2 = qnt.constant dense<[0.5]> : tensor<1xf32>
  %c1 = qnt.conv %x, %w1, %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, qnt.range = #qnt.range<-0.5, 6.0>, qnt.channel_range = #qnt.channel_range<axis = 1, min = [2.5, -0.5], max = [5.0, 6.0]>}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %r = qnt.relu %c1 {qnt.range = #qnt.range<0.0, 6.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %c2 = qnt.conv %r, %w2, %b2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, qnt.range = #qnt.range<-1.0, 9.0>}
      : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %c2 : tensor<1x1x2x2xf32>
}

// -----

// No absorption where it would change the function: the second conv pads
// (its border taps read 0, not c), or the path has no relu.
// CHECK-LABEL: func.func @padded
// CHECK-DAG:     qnt.constant dense<[3.000000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK-DAG:     qnt.constant dense<5.000000e-01> : tensor<1xf32>
func.func @padded(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w1 = qnt.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b1 = qnt.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %w2 = qnt.constant dense<[[[[1.0]], [[2.0]]]]> : tensor<1x2x1x1xf32>
  %b2 = qnt.constant dense<[0.5]> : tensor<1xf32>
  %c1 = qnt.conv %x, %w1, %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, qnt.channel_range = #qnt.channel_range<axis = 1, min = [2.5, -0.5], max = [5.0, 6.0]>}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %r = qnt.relu %c1 : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %c2 = qnt.conv %r, %w2, %b2 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>, tensor<1xf32>) -> tensor<1x1x3x3xf32>
  %s = qnt.slice %c2 {starts = array<i64: 0, 0, 0, 0>, ends = array<i64: 1, 1, 2, 2>, axes = array<i64: 0, 1, 2, 3>, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %s : tensor<1x1x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @no_relu
// CHECK-DAG:     qnt.constant dense<[3.000000e+00, -1.000000e+00]> : tensor<2xf32>
func.func @no_relu(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32> {
  %w1 = qnt.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b1 = qnt.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %w2 = qnt.constant dense<[[[[1.0]], [[2.0]]]]> : tensor<1x2x1x1xf32>
  %b2 = qnt.constant dense<[0.5]> : tensor<1xf32>
  %c1 = qnt.conv %x, %w1, %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, qnt.channel_range = #qnt.channel_range<axis = 1, min = [2.5, -0.5], max = [5.0, 6.0]>}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %p = qnt.max_pool %c1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32>
  %c2 = qnt.conv %p, %w2, %b2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x1x1xf32>, tensor<1x2x1x1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %c2 : tensor<1x1x1x1xf32>
}
