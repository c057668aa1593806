// RUN: quant-opt %s -split-input-file --qnt-smooth-quant | FileCheck %s
// RUN: quant-opt %s -split-input-file --qnt-smooth-quant=alpha=auto | FileCheck %s --check-prefix=AUTO
// RUN: not quant-opt %s --qnt-smooth-quant=alpha=2 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not quant-opt %s --qnt-smooth-quant=alpha=half 2>&1 | FileCheck %s --check-prefix=BAD-WORD

// BAD: qnt-smooth-quant: alpha=2 is not a number in [0, 1] or 'auto'
// BAD-WORD: qnt-smooth-quant: alpha=half is not a number in [0, 1] or 'auto'

// alpha = 0.5, channel magnitudes m = [8, 2] (from qnt.channel_range),
// weight rows' max |W_k| = [0.5, 2]: s = [sqrt(8 / 0.5), sqrt(2 / 2)] =
// [4, 1]. The layer norm's scale and bias are divided by s, the weight
// rows multiplied by it, the ranges and means divided by s.
// CHECK-LABEL: func.func @layer_norm
// CHECK-DAG: %[[G:.*]] = qnt.constant dense<[2.500000e-01, 1.000000e+00]>
// CHECK-DAG: %[[B:.*]] = qnt.constant dense<[5.000000e-01, 1.000000e+00]>
// CHECK: %[[LN:.*]] = qnt.layer_norm %arg0, %[[G]], %[[B]] {{{.*}}qnt.channel_range = #qnt.channel_range<axis = 1, min = [-2.000000e+00, -1.000000e+00], max = [1.000000e+00, 2.000000e+00], mean = [-5.000000e-01, 5.000000e-01]>, qnt.range = #qnt.range<-2.000000e+00, 2.000000e+00>}
// CHECK: %[[W:.*]] = qnt.constant dense<{{\[\[}}2.000000e+00, -1.000000e+00], [2.000000e+00, 1.000000e+00]]>
// CHECK: qnt.matmul %[[LN]], %[[W]]
func.func @layer_norm(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %g = qnt.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %b = qnt.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %w = qnt.constant dense<[[0.5, -0.25], [2.0, 1.0]]> : tensor<2x2xf32>
  %0 = qnt.layer_norm %x, %g, %b {axis = 1 : i64, qnt.channel_range = #qnt.channel_range<axis = 1, min = [-8.0, -1.0], max = [4.0, 2.0], mean = [-2.0, 0.5]>, qnt.range = #qnt.range<-8.0, 4.0>} : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %1 = qnt.matmul %0, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// A previous linear op with its bias as a separate add (exporters' Linear):
// output column k of the trans_b gemm (row k of b) and bias[k] are divided
// by s_k; both the gemm's and the add's ranges are rescaled. Two consumers:
// max |W_k| is over both ([2, 0.5] and [0.5, 2] -> [2, 2]); m = [32, 2]:
// s = [4, 1].
// CHECK-LABEL: func.func @linear_producer
// CHECK: %[[B1:.*]] = qnt.constant dense<{{\[\[}}2.500000e-01, 5.000000e-01], [1.000000e+00, 1.000000e+00]]>
// CHECK: %[[G:.*]] = qnt.gemm %arg0, %[[B1]] {{{.*}}qnt.channel_range = #qnt.channel_range<axis = 1, min = [-7.500000e+00, -1.000000e+00], max = [7.500000e+00, 1.000000e+00]>, qnt.range = #qnt.range<-7.500000e+00, 7.500000e+00>, trans_b = true}
// CHECK: %[[BIAS:.*]] = qnt.constant dense<[5.000000e-01, 1.000000e+00]>
// CHECK: %[[X:.*]] = qnt.add %[[G]], %[[BIAS]] {qnt.channel_range = #qnt.channel_range<axis = 1, min = [-8.000000e+00, -2.000000e+00], max = [8.000000e+00, 2.000000e+00]>, qnt.range = #qnt.range<-8.000000e+00, 8.000000e+00>}
// CHECK: qnt.constant dense<{{\[\[}}8.000000e+00], [5.000000e-01]]>
// CHECK: qnt.matmul %[[X]]
// CHECK: qnt.constant dense<{{\[\[}}2.000000e+00], [-2.000000e+00]]>
// CHECK: qnt.matmul %[[X]]
func.func @linear_producer(%a: tensor<4x2xf32>) -> (tensor<4x1xf32>, tensor<4x1xf32>) {
  %b1 = qnt.constant dense<[[1.0, 2.0], [1.0, 1.0]]> : tensor<2x2xf32>
  %bias = qnt.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %w1 = qnt.constant dense<[[2.0], [0.5]]> : tensor<2x1xf32>
  %w2 = qnt.constant dense<[[0.5], [-2.0]]> : tensor<2x1xf32>
  %0 = qnt.gemm %a, %b1 {trans_b = true, qnt.channel_range = #qnt.channel_range<axis = 1, min = [-30.0, -1.0], max = [30.0, 1.0]>, qnt.range = #qnt.range<-30.0, 30.0>} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %1 = qnt.add %0, %bias {qnt.channel_range = #qnt.channel_range<axis = 1, min = [-32.0, -2.0], max = [32.0, 2.0]>, qnt.range = #qnt.range<-32.0, 32.0>} : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %2 = qnt.matmul %1, %w1 : (tensor<4x2xf32>, tensor<2x1xf32>) -> tensor<4x1xf32>
  %3 = qnt.matmul %1, %w2 : (tensor<4x2xf32>, tensor<2x1xf32>) -> tensor<4x1xf32>
  return %2, %3 : tensor<4x1xf32>, tensor<4x1xf32>
}

// -----

// A gemm producer with its bias operand c (not trans_b): column k of b and
// c[k] are divided by s_k. m = [8, 2], the consumer's rows max [0.5, 2]:
// s = [4, 1].
// CHECK-LABEL: func.func @gemm_bias_producer
// CHECK: %[[B:.*]] = qnt.constant dense<{{\[\[}}2.500000e-01, 2.000000e+00], [7.500000e-01, 4.000000e+00]]>
// CHECK: %[[C:.*]] = qnt.constant dense<[2.500000e-01, 1.000000e+00]>
// CHECK: %[[X:.*]] = qnt.gemm %arg0, %[[B]], %[[C]]
// CHECK-SAME: min = [-2.000000e+00, -2.000000e+00], max = [2.000000e+00, 2.000000e+00]
// CHECK: %[[W:.*]] = qnt.constant dense<{{\[\[}}2.000000e+00, -1.000000e+00], [2.000000e+00, 1.000000e+00]]>
// CHECK: qnt.matmul %[[X]], %[[W]]
// CHECK-NOT: qnt.mul
func.func @gemm_bias_producer(%a: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %b = qnt.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %c = qnt.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %w = qnt.constant dense<[[0.5, -0.25], [2.0, 1.0]]> : tensor<2x2xf32>
  %0 = qnt.gemm %a, %b, %c {qnt.channel_range = #qnt.channel_range<axis = 1, min = [-8.0, -2.0], max = [8.0, 2.0]>} : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %1 = qnt.matmul %0, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// A function argument cannot absorb 1/s: an explicit qnt.mul by [1/s]
// feeds the consumer (a gemm with bias), and carries the rescaled ranges.
// m = [2, 16], max |W_k| = [2, 1]: s = [1, 4].
// CHECK-LABEL: func.func @explicit
// CHECK: %[[INV:.*]] = qnt.constant dense<[1.000000e+00, 2.500000e-01]>
// CHECK: %[[M:.*]] = qnt.mul %arg0, %[[INV]] {qnt.channel_range = #qnt.channel_range<axis = 1, min = [-2.000000e+00, -4.000000e+00], max = [2.000000e+00, 4.000000e+00]>, qnt.range = #qnt.range<-4.000000e+00, 4.000000e+00>}
// CHECK: %[[W:.*]] = qnt.constant dense<{{\[\[}}2.000000e+00, 1.000000e+00], [4.000000e+00, -2.000000e+00]]>
// CHECK: qnt.gemm %[[M]], %[[W]], %{{.*}}
func.func @explicit(%x: tensor<4x2xf32> {qnt.channel_range = #qnt.channel_range<axis = 1, min = [-2.0, -16.0], max = [2.0, 16.0]>, qnt.range = #qnt.range<-16.0, 16.0>}) -> tensor<4x2xf32> {
  %w = qnt.constant dense<[[2.0, 1.0], [1.0, -0.5]]> : tensor<2x2xf32>
  %c = qnt.constant dense<[0.5, 0.5]> : tensor<2xf32>
  %0 = qnt.gemm %x, %w, %c : (tensor<4x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// Left alone: a value also read by a non-linear op, and a value without a
// per-channel range.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: qnt.mul
// CHECK: qnt.constant dense<{{\[\[}}5.000000e-01, -2.500000e-01], [2.000000e+00, 1.000000e+00]]>
// CHECK-NOT: qnt.mul
// AUTO-LABEL: func.func @left_alone
// AUTO-NOT: qnt.mul
func.func @left_alone(%x: tensor<3x2xf32> {qnt.channel_range = #qnt.channel_range<axis = 1, min = [-8.0, -1.0], max = [4.0, 2.0]>}, %y: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>) {
  %w = qnt.constant dense<[[0.5, -0.25], [2.0, 1.0]]> : tensor<2x2xf32>
  %0 = qnt.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %1 = qnt.relu %x : (tensor<3x2xf32>) -> tensor<3x2xf32>
  %2 = qnt.matmul %y, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %0, %1, %2 : tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// alpha = auto on an outlier channel (m = [100, 1, 1, 1], equal weights)
// moves part of the outlier into the weights: s = [100^alpha, 1, 1, 1]
// (the other channels' magnitudes and weights are 1 for every alpha), so
// the explicit factor of the outlier is below 1 (0.1 at alpha = 0.5).
// CHECK-LABEL: func.func @auto
// CHECK: qnt.constant dense<[1.000000e-01, 1.000000e+00, 1.000000e+00, 1.000000e+00]>
// AUTO-LABEL: func.func @auto
// AUTO: qnt.constant dense<[{{[0-9.]+}}e-0{{[1-2]}}, 1.000000e+00, 1.000000e+00, 1.000000e+00]>
// AUTO: qnt.mul %arg0
func.func @auto(%x: tensor<8x4xf32> {qnt.channel_range = #qnt.channel_range<axis = 1, min = [-100.0, -1.0, -1.0, -1.0], max = [100.0, 1.0, 1.0, 1.0]>}) -> tensor<8x2xf32> {
  %w = qnt.constant dense<[[1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, 1.0]]> : tensor<4x2xf32>
  %0 = qnt.matmul %x, %w : (tensor<8x4xf32>, tensor<4x2xf32>) -> tensor<8x2xf32>
  return %0 : tensor<8x2xf32>
}
