// RUN: quant-opt %s --qnt-quantize="weight-bits=4 group-size=2" -split-input-file | FileCheck %s
// RUN: quant-opt %s --qnt-quantize -split-input-file | FileCheck %s --check-prefix=INT8

// int4 weights, by hand: groups of 2 input channels per output channel,
// scale f32(max|w| / 7), values round(w / scale) (half to even) on [-7, 7]:
//   oc 0: {0.7, -0.35} -> 0.1: 7, -3.5 -> -4; {0.1, 0.2} -> 0.2/7: 3.5 -> 4, 7
//   oc 1: {0.05, 0} -> 0.05/7: 7, 0;          {-1.4, 0.3} -> 0.2: -7, 1.5 -> 2
// The input is int8 as for an int8 layer; the bias and the result stay f32
// and the ReLU is not fused (the result is float).
// CHECK-LABEL: func.func @conv
// CHECK-DAG:     %[[W:.*]] = qnt.constant dense<{{\[\[\[\[}}7]], {{\[\[}}-4]], {{\[\[}}4]], {{\[\[}}7]]], {{\[\[\[}}7]], {{\[\[}}0]], {{\[\[}}-7]], {{\[\[}}2]]]]> : tensor<2x4x1x1xi4>
// CHECK-DAG:     %[[WQ:.*]] = quant.scast %[[W]] : tensor<2x4x1x1xi4> to tensor<2x4x1x1x!quant.uniform<i4:f32:{0:1, 1:2}, {{[{][{][{][{]}}1.000000e-01{{[}][}]}}, {{[{][{]}}0.0285714287{{[}][}][}]}}, {{[{][{][{]}}0.00714285718{{[}][}]}}, {{[{][{]}}2.000000e-01{{[}][}][}][}]}}>>
// CHECK-DAG:     %[[B:.*]] = qnt.constant dense<[1.000000e-01, -2.000000e-01]> : tensor<2xf32>
// CHECK-DAG:     %[[XQ:.*]] = quant.qcast %arg0 : tensor<1x4x2x2xf32> to tensor<1x4x2x2x!quant.uniform<i8:f32, 0.0078431377187371254:-1>>
// CHECK:         %[[Y:.*]] = qnt.conv %[[XQ]], %[[WQ]], %[[B]] {{.*}} -> tensor<1x2x2x2xf32>
// CHECK:         qnt.relu %[[Y]]
// INT8-LABEL: func.func @conv
// INT8:         qnt.conv {{.*}} -> tensor<1x2x2x2x!quant.uniform<i8:f32
func.func @conv(%x: tensor<1x4x2x2xf32> {qnt.range = #qnt.range<-1.0, 1.0>}) -> tensor<1x2x2x2xf32> {
  %w = qnt.constant dense<[[[[0.7]], [[-0.35]], [[0.1]], [[0.2]]], [[[0.05]], [[0.0]], [[-1.4]], [[0.3]]]]> : tensor<2x4x1x1xf32>
  %b = qnt.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %0 = qnt.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qnt.range = #qnt.range<-1.5, 2.0>} : (tensor<1x4x2x2xf32>, tensor<2x4x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = qnt.relu %0 {qnt.range = #qnt.range<0.0, 2.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// A gemm without trans_b stores its weight [K, N]: the groups run down the
// columns (axis 0 blocked by 2, axis 1 by 1); 3 inputs are not a multiple
// of the group size, so each output channel has one group (block 3).
// CHECK-LABEL: func.func @gemm
// CHECK:         quant.scast {{.*}} : tensor<3x2xi4> to tensor<3x2x!quant.uniform<i4:f32:{0:3, 1:1}, {{[{][{]}}0.285714298, 0.142857149{{[}][}]}}>>
// CHECK:         qnt.gemm {{.*}} -> tensor<1x2xf32>
func.func @gemm(%x: tensor<1x3xf32> {qnt.range = #qnt.range<-1.0, 1.0>}) -> tensor<1x2xf32> {
  %w = qnt.constant dense<[[2.0, -1.0], [0.5, 0.25], [-1.0, 0.0]]> : tensor<3x2xf32>
  %0 = qnt.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false, qnt.range = #qnt.range<-3.0, 3.0>} : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// qnt.weight_bits (qnt-allocate-bits' choice) overrides the pass option:
// 32 keeps the layer float, 8 makes it int8 under weight-bits=4, 4 makes it
// int4 under the default weight-bits=8.
// CHECK-LABEL: func.func @chosen
// CHECK:         qnt.gemm {{.*}}qnt.weight_bits = 32 : i64{{.*}} : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
// CHECK:         qnt.gemm {{.*}} -> tensor<1x4x!quant.uniform<i8:f32
// CHECK:         qnt.gemm {{.*}}!quant.uniform<i4:f32{{.*}} -> tensor<1x4xf32>
// INT8-LABEL: func.func @chosen
// INT8:         qnt.gemm {{.*}} : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
// INT8:         qnt.gemm {{.*}} -> tensor<1x4x!quant.uniform<i8:f32
// INT8:         qnt.gemm {{.*}}!quant.uniform<i4:f32{{.*}} -> tensor<1x4xf32>
func.func @chosen(%x: tensor<1x4xf32> {qnt.range = #qnt.range<-1.0, 1.0>}) -> tensor<1x4xf32> {
  %w = qnt.constant dense<[[1.0, 0.5, 0.25, -1.0], [0.5, 0.25, -1.0, 1.0], [0.25, -1.0, 1.0, 0.5], [-1.0, 1.0, 0.5, 0.25]]> : tensor<4x4xf32>
  %0 = qnt.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false, qnt.range = #qnt.range<-3.0, 3.0>, qnt.weight_bits = 32} : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  %1 = qnt.gemm %0, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false, qnt.range = #qnt.range<-3.0, 3.0>, qnt.weight_bits = 8} : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  %2 = qnt.gemm %1, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false, qnt.range = #qnt.range<-3.0, 3.0>, qnt.weight_bits = 4} : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  return %2 : tensor<1x4xf32>
}

// -----

// A depthwise conv has no int4 form: at weight-bits=4 it stays float.
// CHECK-LABEL: func.func @depthwise
// CHECK-NOT:     quant.
// CHECK:         qnt.conv {{.*}} -> tensor<1x2x1x1xf32>
func.func @depthwise(%x: tensor<1x2x2x2xf32> {qnt.range = #qnt.range<-1.0, 1.0>}) -> tensor<1x2x1x1xf32> {
  %w = qnt.constant dense<0.5> : tensor<2x1x2x2xf32>
  %0 = qnt.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qnt.range = #qnt.range<-1.0, 1.0>} : (tensor<1x2x2x2xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}

// -----

// int4 is weight-only: a product of two activations stays float.
// CHECK-LABEL: func.func @activation_product_stays_float
// CHECK-NOT:     quant.
// CHECK:         qnt.matmul %arg0, %arg1 {{.*}} -> tensor<1x2x3x3xf32>
func.func @activation_product_stays_float(%q: tensor<1x2x3x4xf32> {qnt.range = #qnt.range<-1.0, 1.0>},
                                          %k: tensor<1x2x4x3xf32> {qnt.range = #qnt.range<-1.0, 1.0>}) -> tensor<1x2x3x3xf32> {
  %0 = qnt.matmul %q, %k {qnt.range = #qnt.range<-4.0, 4.0>} : (tensor<1x2x3x4xf32>, tensor<1x2x4x3xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}
