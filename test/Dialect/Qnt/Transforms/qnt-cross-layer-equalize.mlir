// RUN: quant-opt %s -split-input-file --qnt-cross-layer-equalize | FileCheck %s
// RUN: quant-opt %s -split-input-file --qnt-cross-layer-equalize=tolerance=1e-12 | FileCheck %s --check-prefix=TIGHT
// RUN: quant-opt %s -split-input-file --qnt-cross-layer-equalize=max-iterations=1 | FileCheck %s --check-prefix=ONE

// conv -> relu -> conv. Channel ranges r1 = [4, 1] (first conv's outputs),
// r2 = [1, 4] (second conv's inputs): s = sqrt(r1 / r2) = [2, 0.5], so
// w1' = w1 / s = [2, 2], b1' = b1 / s = [1, -2], w2' = w2 * s = [2, 2]:
// both ranges become sqrt(r1 * r2) = 2.
// The second conv's bias is not touched.
// CHECK-LABEL: func.func @conv_relu_conv
// CHECK-DAG:     %[[B2:.*]] = qnt.constant dense<5.000000e-01> : tensor<1xf32>
// CHECK-DAG:     %[[W1:.*]] = qnt.constant dense<2.000000e+00> : tensor<2x1x1x1xf32>
// CHECK-DAG:     %[[B1:.*]] = qnt.constant dense<[1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK:         %[[C1:.*]] = qnt.conv %arg0, %[[W1]], %[[B1]]
// CHECK:         %[[R:.*]] = qnt.relu %[[C1]]
// CHECK:         %[[W2:.*]] = qnt.constant dense<2.000000e+00> : tensor<1x2x1x1xf32>
// CHECK:         qnt.conv %[[R]], %[[W2]], %[[B2]]
func.func @conv_relu_conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w1 = qnt.constant dense<[[[[4.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>
  %b1 = qnt.constant dense<[2.0, -1.0]> : tensor<2xf32>
  %w2 = qnt.constant dense<[[[[1.0]], [[4.0]]]]> : tensor<1x2x1x1xf32>
  %b2 = qnt.constant dense<[0.5]> : tensor<1xf32>
  %c1 = qnt.conv %x, %w1, %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %r = qnt.relu %c1 : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %c2 = qnt.conv %r, %w2, %b2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %c2 : tensor<1x1x2x2xf32>
}

// -----

// gemm (trans_b, B = N x K) -> relu -> gemm (B = K x N): output ranges
// [4, 1] are rows of B1, input ranges [1, 4] rows of B2; the bias C of the
// first gemm scales with its channels.
// CHECK-LABEL: func.func @gemm_relu_gemm
// CHECK-DAG:     %[[B1:.*]] = qnt.constant dense<{{\[}}[2.000000e+00, 0.000000e+00], [0.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG:     %[[C1:.*]] = qnt.constant dense<[1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK:         qnt.gemm %arg0, %[[B1]], %[[C1]] {trans_b = true}
// CHECK:         %[[B2:.*]] = qnt.constant dense<2.000000e+00> : tensor<2x1xf32>
// CHECK:         qnt.gemm %{{.*}}, %[[B2]]
func.func @gemm_relu_gemm(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %b1 = qnt.constant dense<[[4.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %c1 = qnt.constant dense<[2.0, -1.0]> : tensor<2xf32>
  %b2 = qnt.constant dense<[[1.0], [4.0]]> : tensor<2x1xf32>
  %g1 = qnt.gemm %x, %b1, %c1 {trans_b = true} : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %r = qnt.relu %g1 : (tensor<1x2xf32>) -> tensor<1x2xf32>
  %g2 = qnt.gemm %r, %b2 : (tensor<1x2xf32>, tensor<2x1xf32>) -> tensor<1x1xf32>
  return %g2 : tensor<1x1xf32>
}

// -----

// conv -> max_pool -> depthwise conv (group 2): the depthwise conv's input
// channel i is its weight w[i]. A conv without bias stays without one.
// CHECK-LABEL: func.func @conv_pool_depthwise
// CHECK:         %[[W1:.*]] = qnt.constant dense<2.000000e+00> : tensor<2x1x1x1xf32>
// CHECK:         %[[C:.*]] = qnt.conv %arg0, %[[W1]] {
// CHECK:         %[[P:.*]] = qnt.max_pool %[[C]]
// CHECK:         %[[DW:.*]] = qnt.constant dense<2.000000e+00> : tensor<2x1x1x1xf32>
// CHECK:         qnt.conv %[[P]], %[[DW]] {{{.*}}group = 2
func.func @conv_pool_depthwise(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %w1 = qnt.constant dense<[[[[4.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>
  %dw = qnt.constant dense<[[[[1.0]]], [[[4.0]]]]> : tensor<2x1x1x1xf32>
  %c = qnt.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %p = qnt.max_pool %c {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %d = qnt.conv %p, %dw {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x2x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}

// -----

// A channel whose weights are all zero keeps s = 1 (channel 1 here); the
// other channel is equalized.
// CHECK-LABEL: func.func @dead_channel
// CHECK-DAG:     qnt.constant dense<{{\[}}[{{\[}}[2.000000e+00]]], [{{\[}}[0.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG:     qnt.constant dense<{{\[}}[{{\[}}[2.000000e+00]], {{\[}}[3.000000e+00]]]]> : tensor<1x2x1x1xf32>
func.func @dead_channel(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w1 = qnt.constant dense<[[[[4.0]]], [[[0.0]]]]> : tensor<2x1x1x1xf32>
  %w2 = qnt.constant dense<[[[[1.0]], [[3.0]]]]> : tensor<1x2x1x1xf32>
  %c1 = qnt.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %c2 = qnt.conv %c1, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %c2 : tensor<1x1x2x2xf32>
}

// -----

// Not linked: a sigmoid between the convs (not positively homogeneous), and
// a conv whose output has a second use (rescaling it would change that use).
// CHECK-LABEL: func.func @not_linked
// CHECK-DAG:     qnt.constant dense<{{\[}}[{{\[}}[4.000000e+00]]], [{{\[}}[1.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG:     qnt.constant dense<{{\[}}[{{\[}}[1.000000e+00]], {{\[}}[4.000000e+00]]]]> : tensor<1x2x1x1xf32>
// CHECK-NOT:     dense<2.000000e+00>
func.func @not_linked(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w1 = qnt.constant dense<[[[[4.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>
  %w2 = qnt.constant dense<[[[[1.0]], [[4.0]]]]> : tensor<1x2x1x1xf32>
  %c1 = qnt.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %s = qnt.sigmoid %c1 : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %c2 = qnt.conv %s, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  %c3 = qnt.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %c4 = qnt.conv %c3, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %c2, %c4, %c3 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// conv -> relu -> depthwise -> relu -> conv: the depthwise conv is in two
// links, so one sweep is not enough. The fixed point gives all three layers
// the geometric mean of a channel's ranges, (8 * 1 * 1)^(1/3) = 2.
// One sweep: channel 0 of the first link moves 8 | 1 to 2.83 | 2.83, then
// the second link moves 2.83 | 1 to 1.68 | 1.68.
// TIGHT-LABEL: func.func @conv_depthwise_conv
// TIGHT:         qnt.constant dense<2.000000e+00> : tensor<2x1x1x1xf32>
// TIGHT:         qnt.constant dense<2.000000e+00> : tensor<2x1x1x1xf32>
// TIGHT:         qnt.constant dense<2.000000e+00> : tensor<1x2x1x1xf32>
// The default tolerance (1e-4 per scale) stops within 1e-5 of it.
// CHECK-LABEL: func.func @conv_depthwise_conv
// CHECK:         qnt.constant dense<{{\[}}[{{\[}}[{{2.0000|1.9999}}{{[0-9]+}}]]], [{{\[}}[{{2.0000|1.9999}}{{[0-9]+}}]]]]> : tensor<2x1x1x1xf32>
// ONE-LABEL: func.func @conv_depthwise_conv
// ONE:         qnt.constant dense<{{\[}}[{{\[}}[2.82842708]]], [{{\[}}[1.000000e+00]]]]> : tensor<2x1x1x1xf32>
// ONE:         qnt.constant dense<{{\[}}[{{\[}}[1.68179286]]], [{{\[}}[2.82842708]]]]> : tensor<2x1x1x1xf32>
func.func @conv_depthwise_conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w1 = qnt.constant dense<[[[[8.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>
  %dw = qnt.constant dense<[[[[1.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>
  %w3 = qnt.constant dense<[[[[1.0]], [[8.0]]]]> : tensor<1x2x1x1xf32>
  %c1 = qnt.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %r1 = qnt.relu %c1 : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %d = qnt.conv %r1, %dw {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x2x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %r2 = qnt.relu %d : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %c3 = qnt.conv %r2, %w3 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %c3 : tensor<1x1x2x2xf32>
}
