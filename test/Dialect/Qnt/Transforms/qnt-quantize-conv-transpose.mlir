// RUN: quant-opt %s --qnt-quantize -split-input-file | FileCheck %s
// RUN: quant-opt %s --qnt-quantize=keep-float=up -split-input-file | FileCheck %s --check-prefix=KEEP
// RUN: quant-opt %s --qnt-quantize=activations=dynamic -split-input-file | FileCheck %s --check-prefix=DYN

// A conv_transpose whose windows tile the output (strides = kernel 1x2),
// read through a ReLU by a conv, is the 1x1 conv of 2 * 1 * 2 = 4 output
// channels W'[(m * 1 + i) * 2 + j][c] = W[c][m][i][j] (bias b[m] twice)
// and a depth-to-space. By hand, channel 0 = W[:, 0, 0, 0] = (1, 3, 0):
// scale 3/127, codes (42, 127, 0); channel 1 = W[:, 0, 0, 1] = (-2, 1, 1.5):
// scale 2/127, codes (-127, 64, 95); biases 0.5, 0.5, -1, -1 on the
// scales s_x * s_w (s_x = 2/255): 2699, 4048, -6477, -8096. The ReLU
// fuses (the conv's grid is the ReLU's [0, 9]), and the rearrangement and
// the next conv read int8.
// CHECK-LABEL: func.func @tiling
// CHECK:         %[[W:.*]] = qnt.constant dense<{{\[\[\[\[}}42]], {{\[\[}}127]], {{\[\[}}0]]], {{\[\[\[}}-127]], {{\[\[}}64]], {{\[\[}}95]]], {{.*}}> : tensor<4x3x1x1xi8>
// CHECK:         %[[B:.*]] = qnt.constant dense<[2699, 4048, -6477, -8096]> : tensor<4xi32>
// CHECK:         %[[C:.*]] = qnt.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, qnt.range = #qnt.range<0.000000e+00, 9.000000e+00>, strides = array<i64: 1, 1>} : ({{.*}}) -> tensor<1x4x4x5x!quant.uniform<i8:f32, 0.035294119268655777:-128>>
// CHECK:         %[[S:.*]] = qnt.reshape %[[C]] {{.*}} -> tensor<1x2x1x2x4x5x!quant.uniform<i8:f32, 0.035294119268655777:-128>>
// CHECK:         %[[T:.*]] = qnt.transpose %[[S]] {perm = array<i64: 0, 1, 4, 2, 5, 3>{{.*}} -> tensor<1x2x4x1x5x2x!quant.uniform<i8:f32, 0.035294119268655777:-128>>
// CHECK:         %[[R:.*]] = qnt.reshape %[[T]] {{.*}} -> tensor<1x2x4x10x!quant.uniform<i8:f32, 0.035294119268655777:-128>>
// CHECK:         qnt.conv %[[R]]
// CHECK-NOT:     qnt.conv_transpose
// CHECK-NOT:     qnt.relu
// KEEP-LABEL: func.func @tiling
// KEEP:         qnt.conv_transpose
// DYN-LABEL: func.func @tiling
// DYN:         qnt.conv_transpose
func.func @tiling(%x: tensor<1x3x4x5xf32> {qnt.range = #qnt.range<-1.0, 1.0>}) -> tensor<1x4x4x5xf32> {
  %w = qnt.constant dense<[[[[1.0, -2.0]], [[0.5, 0.25]]], [[[3.0, 1.0]], [[-1.0, 2.0]]], [[[0.0, 1.5]], [[2.5, -0.5]]]]> : tensor<3x2x1x2xf32>
  %b = qnt.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %y = qnt.conv_transpose %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, qnt.range = #qnt.range<-6.0, 9.0>, strides = array<i64: 1, 2>} : (tensor<1x3x4x5xf32>, tensor<3x2x1x2xf32>, tensor<2xf32>) -> tensor<1x2x4x10xf32> loc("up")
  %r = qnt.relu %y {qnt.range = #qnt.range<0.0, 9.0>} : (tensor<1x2x4x10xf32>) -> tensor<1x2x4x10xf32>
  %w2 = qnt.constant dense<1.0> : tensor<4x2x1x2xf32>
  %z = qnt.conv %r, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, qnt.range = #qnt.range<-1.0, 30.0>, strides = array<i64: 1, 2>} : (tensor<1x2x4x10xf32>, tensor<4x2x1x2xf32>) -> tensor<1x4x4x5xf32>
  return %z : tensor<1x4x4x5xf32>
}

// -----

// Stay float: a conv_transpose read by something other than a layer (here
// a sigmoid, as the PaddleOCR detector's last one: its int8 output would
// only be dequantized), one whose strides differ from its kernel (windows
// that overlap), one with pads, and one with a weight known at run time.
// CHECK-LABEL: func.func @not_split
// CHECK-COUNT-4: qnt.conv_transpose
// CHECK-NOT:     qnt.conv_transpose
func.func @not_split(%x: tensor<1x2x4x4xf32> {qnt.range = #qnt.range<-1.0, 1.0>}, %wr: tensor<2x2x2x2xf32>) -> (tensor<1x2x8x8xf32>, tensor<1x2x4x4xf32>, tensor<1x2x9x9xf32>, tensor<1x2x4x4xf32>) {
  %w = qnt.constant dense<0.5> : tensor<2x2x2x2xf32>
  %w3 = qnt.constant dense<0.5> : tensor<2x2x3x3xf32>
  %w2 = qnt.constant dense<1.0> : tensor<2x2x1x1xf32>
  %a = qnt.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, qnt.range = #qnt.range<-2.0, 2.0>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>, tensor<2x2x2x2xf32>) -> tensor<1x2x8x8xf32>
  %s = qnt.sigmoid %a {qnt.range = #qnt.range<0.0, 1.0>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %b = qnt.conv_transpose %x, %w3 {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, qnt.range = #qnt.range<-2.0, 2.0>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x9x9xf32>
  %c = qnt.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 2, 2, 2, 2>, qnt.range = #qnt.range<-2.0, 2.0>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>, tensor<2x2x2x2xf32>) -> tensor<1x2x4x4xf32>
  %d = qnt.conv_transpose %x, %wr {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, qnt.range = #qnt.range<-2.0, 2.0>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>, tensor<2x2x2x2xf32>) -> tensor<1x2x8x8xf32>
  %cc = qnt.conv %c, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, qnt.range = #qnt.range<-4.0, 4.0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %dd = qnt.conv %d, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, qnt.range = #qnt.range<-4.0, 4.0>, strides = array<i64: 2, 2>} : (tensor<1x2x8x8xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %s, %cc, %b, %dd : tensor<1x2x8x8xf32>, tensor<1x2x4x4xf32>, tensor<1x2x9x9xf32>, tensor<1x2x4x4xf32>
}
