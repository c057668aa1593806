// RUN: quant-opt %s -split-input-file --qnt-equalize-activations | FileCheck %s
// RUN: quant-opt %s -split-input-file --qnt-equalize-activations=min-factor=0.5 | FileCheck %s --check-prefix=FLOOR
// RUN: not quant-opt %s -split-input-file --qnt-equalize-activations=min-factor=0 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not quant-opt %s -split-input-file --qnt-equalize-activations=min-factor=2 2>&1 | FileCheck %s --check-prefix=BAD2
// BAD: error: qnt-equalize-activations: min-factor=0.000000e+00 is not in (0, 1]
// BAD2: error: qnt-equalize-activations: min-factor=2.000000e+00 is not in (0, 1]

// conv -> add -> hard_swish -> depthwise conv. The conv's channel ranges
// [0, 25.5] and [0, 2.55] are non-negative: one zero point -128, steps 0.1
// and 0.01, factors a = [1, 0.1]; the conv's channel 1 (weights and bias)
// is divided by 0.1 and the region reads y' * a. The depthwise conv's
// input channels span [0, 5.1] and [0, 51]: b = [0.1, 1], its input is
// multiplied by 1/b = [10, 1] and its channel 0 weights by 0.1.
// CHECK-LABEL: func.func @conv_hardswish_depthwise
// CHECK-DAG:     %[[W1:.*]] = qnt.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}2.000000e+01]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG:     %[[B1:.*]] = qnt.constant dense<[5.000000e-01, 1.000000e+01]> : tensor<2xf32>
// CHECK:         %[[Y:.*]] = qnt.conv %arg0, %[[W1]], %[[B1]] {dilations = {{.*}}, strides = {{.*}}} : (
// CHECK:         %[[A:.*]] = qnt.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}1.000000e-01]]]]> : tensor<1x2x1x1xf32>
// CHECK:         %[[R:.*]] = qnt.mul %[[Y]], %[[A]]
// CHECK:         %[[S:.*]] = qnt.add %[[R]], %{{.*}}
// CHECK:         %[[H:.*]] = qnt.hard_swish %[[S]]
// CHECK:         %[[INV:.*]] = qnt.constant dense<{{\[\[\[\[}}1.000000e+01]], {{\[\[}}1.000000e+00]]]]> : tensor<1x2x1x1xf32>
// CHECK:         %[[Z:.*]] = qnt.mul %[[H]], %[[INV]]
// CHECK:         %[[W2:.*]] = qnt.constant dense<{{\[\[\[\[}}4.000000e-01]]], {{\[\[\[}}3.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK:         qnt.conv %[[Z]], %[[W2]] {
// FLOOR-LABEL: func.func @conv_hardswish_depthwise
// FLOOR:         qnt.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}5.000000e-01]]]]> : tensor<1x2x1x1xf32>
// FLOOR:         qnt.constant dense<{{\[\[\[\[}}2.000000e+00]], {{\[\[}}1.000000e+00]]]]> : tensor<1x2x1x1xf32>
func.func @conv_hardswish_depthwise(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w1 = qnt.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b1 = qnt.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %shift = qnt.constant dense<[[[0.5]], [[-0.5]]]> : tensor<2x1x1xf32>
  %w2 = qnt.constant dense<[[[[4.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %y = qnt.conv %x, %w1, %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, qnt.range = #qnt.range<0.0, 25.5>, qnt.channel_range = #qnt.channel_range<axis = 1, min = [0.0, 0.0], max = [25.5, 2.55]>}
      : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %s = qnt.add %y, %shift : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %h = qnt.hard_swish %s {qnt.range = #qnt.range<0.0, 51.0>, qnt.channel_range = #qnt.channel_range<axis = 1, min = [0.0, 0.0], max = [5.1, 51.0]>} : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %d = qnt.conv %h, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x2x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %d : tensor<1x2x3x3xf32>
}

// -----

// A depthwise conv reading the conv directly: one factor a = [0.5, 1]
// (ranges [-1, 1] and [-2, 2], one zero point), dividing the conv's
// channel 0 and multiplying the depthwise conv's; no mul.
// CHECK-LABEL: func.func @conv_depthwise
// CHECK:         %[[W1:.*]] = qnt.constant dense<2.000000e+00> : tensor<2x1x1x1xf32>
// CHECK:         %[[Y:.*]] = qnt.conv %arg0, %[[W1]] {
// CHECK-NOT:     qnt.mul
// CHECK:         %[[W2:.*]] = qnt.constant dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}3.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK:         qnt.conv %[[Y]], %[[W2]] {
func.func @conv_depthwise(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w1 = qnt.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %w2 = qnt.constant dense<[[[[4.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %y = qnt.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, qnt.channel_range = #qnt.channel_range<axis = 1, min = [-1.0, -2.0], max = [1.0, 2.0]>}
      : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %d = qnt.conv %y, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x2x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %d : tensor<1x2x3x3xf32>
}

// -----

// Not linked: the conv's result is also returned; the depthwise conv reads
// two layers; a dense conv is not a depthwise one; no channel ranges; a
// one-channel conv that the region broadcasts to two channels.
// (Linked, the conv's weights would become the splat 2.)
// CHECK-LABEL: func.func @not_linked
// CHECK-NOT:     qnt.mul
// CHECK-NOT:     dense<2.000000e+00> : tensor<2x1x1x1xf32>
// CHECK:         return
func.func @not_linked(%x: tensor<1x1x3x3xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %w1 = qnt.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %w2 = qnt.constant dense<[[[[4.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %wd = qnt.constant dense<1.0> : tensor<2x2x1x1xf32>
  %y = qnt.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, qnt.channel_range = #qnt.channel_range<axis = 1, min = [-1.0, -2.0], max = [1.0, 2.0]>}
      : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %d = qnt.conv %y, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x2x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y2 = qnt.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, qnt.channel_range = #qnt.channel_range<axis = 1, min = [-1.0, -2.0], max = [1.0, 2.0]>}
      : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y3 = qnt.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, qnt.channel_range = #qnt.channel_range<axis = 1, min = [-1.0, -2.0], max = [1.0, 2.0]>}
      : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %sum = qnt.add %y2, %y3 {qnt.channel_range = #qnt.channel_range<axis = 1, min = [-1.0, -2.0], max = [1.0, 2.0]>} : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %d2 = qnt.conv %sum, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x2x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y4 = qnt.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, qnt.channel_range = #qnt.channel_range<axis = 1, min = [-1.0, -2.0], max = [1.0, 2.0]>}
      : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %d3 = qnt.conv %y4, %wd {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %w6 = qnt.constant dense<1.0> : tensor<1x1x1x1xf32>
  %c6 = qnt.constant dense<0.5> : tensor<1x2x3x3xf32>
  %y6 = qnt.conv %x, %w6 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, qnt.channel_range = #qnt.channel_range<axis = 1, min = [-1.0], max = [1.0]>}
      : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32>
  %b6 = qnt.add %y6, %c6 {qnt.channel_range = #qnt.channel_range<axis = 1, min = [-1.0, -2.0], max = [1.0, 2.0]>} : (tensor<1x1x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %d6 = qnt.conv %b6, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x2x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y5 = qnt.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %d4 = qnt.conv %y5, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x2x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %y, %d2, %d3, %d4, %d6 : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// -----

// conv -> relu -> depthwise conv: one factor from the relu's ranges
// ([0, 6] and [0, 0.6]: a = [1, 0.1]), no mul; the relu stays right after
// the conv, where it fuses into the int8 conv.
// CHECK-LABEL: func.func @conv_relu_depthwise
// CHECK:         %[[W1:.*]] = qnt.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}2.000000e+01]]]]> : tensor<2x1x1x1xf32>
// CHECK:         %[[Y:.*]] = qnt.conv %arg0, %[[W1]] {
// CHECK-NEXT:    %[[R:.*]] = qnt.relu %[[Y]]
// CHECK-NOT:     qnt.mul
// CHECK:         %[[W2:.*]] = qnt.constant dense<{{\[\[\[\[}}4.000000e+00]]], {{\[\[\[}}3.000000e-01]]]]> : tensor<2x1x1x1xf32>
// CHECK:         qnt.conv %[[R]], %[[W2]] {
func.func @conv_relu_depthwise(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w1 = qnt.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %w2 = qnt.constant dense<[[[[4.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %y = qnt.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, qnt.channel_range = #qnt.channel_range<axis = 1, min = [-1.0, -2.0], max = [6.0, 0.6]>}
      : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %r = qnt.relu %y {qnt.channel_range = #qnt.channel_range<axis = 1, min = [0.0, 0.0], max = [6.0, 0.6]>} : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %d = qnt.conv %r, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x2x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %d : tensor<1x2x3x3xf32>
}
