// RUN: quant-opt %s -split-input-file --qnt-bias-correct | FileCheck %s
// RUN: quant-opt %s -split-input-file --qnt-bias-correct=granularity=per-tensor | FileCheck %s --check-prefix=TENSOR
// RUN: quant-opt %s -split-input-file --qnt-bias-correct=keep-float=fc | FileCheck %s --check-prefix=KEEP
// RUN: not quant-opt %s --qnt-bias-correct=granularity=per-row 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: quant-opt: for the --granularity option: Cannot find option named 'per-row'!

// Gemm, b = [[0.5, 0.25], [0.3, -0.5]] ([K, N]), input means [1, 2]. Each
// output column's int8 scale is 0.5/127: 0.3 -> 76 steps = 0.2992126
// (error -0.0007874, times mean 2), 0.25 -> 64 steps (63.5 rounds to even)
// = 0.2519685 (error +0.0019685, times mean 1). The biases move by minus
// those shifts: 0.1 + 0.0015748 and 0 - 0.0019685.
// CHECK-LABEL: func.func @gemm
// CHECK: %[[C:.*]] = qnt.constant dense<[0.101574831, -0.00196850672]> : tensor<2xf32>
// CHECK: qnt.gemm %arg0, %{{.*}}, %[[C]]
// keep-float=fc names this gemm: qnt-quantize will leave it float, so its
// bias stays.
// KEEP-LABEL: func.func @gemm
// KEEP: qnt.constant dense<[1.000000e-01, 0.000000e+00]>
// KEEP-NOT: qnt.constant dense<[0.101574831
func.func @gemm(%a: tensor<1x2xf32> {qnt.range = #qnt.range<0.0, 4.0>, qnt.channel_range = #qnt.channel_range<axis = 1, min = [0.0, 0.0], max = [2.0, 4.0], mean = [1.0, 2.0]>}) -> tensor<1x2xf32> {
  %b = qnt.constant dense<[[0.5, 0.25], [0.3, -0.5]]> : tensor<2x2xf32>
  %c = qnt.constant dense<[0.1, 0.0]> : tensor<2xf32>
  %0 = qnt.gemm %a, %b, %c {qnt.range = #qnt.range<-1.0, 2.0>} : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32> loc("fc")
  return %0 : tensor<1x2xf32>
}

// -----

// A 1x1 conv with weights [0.5, 0.1] (two output channels), input mean 2.
// Per channel, 0.1 is its own channel's maximum (exact up to the f32
// scale): the bias barely moves. Per tensor, 0.1 shares 0.5's scale:
// 25 steps = 0.0984252, error -0.0015748 times 2: the bias gains 0.0031496 (f32: 3.149610e-03).
// CHECK-LABEL: func.func @conv
// CHECK: qnt.constant dense<[2.500000e-01, 3.7252903E-9]> : tensor<2xf32>
// TENSOR-LABEL: func.func @conv
// TENSOR: %[[B:.*]] = qnt.constant dense<[2.500000e-01, 3.149610e-03]> : tensor<2xf32>
// TENSOR: qnt.conv %arg0, %{{.*}}, %[[B]]
func.func @conv(%x: tensor<1x1x2x2xf32> {qnt.range = #qnt.range<0.0, 4.0>, qnt.channel_range = #qnt.channel_range<axis = 1, min = [0.0], max = [4.0], mean = [2.0]>}) -> tensor<1x2x2x2xf32> {
  %w = qnt.constant dense<[[[[0.5]]], [[[0.1]]]]> : tensor<2x1x1x1xf32>
  %b = qnt.constant dense<[0.25, 0.0]> : tensor<2xf32>
  %0 = qnt.conv %x, %w, %b {qnt.range = #qnt.range<0.0, 3.0>, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

// A depthwise conv (group = C = 2, weight [2, 1, 1, 2]) is corrected per
// channel from its own input channel's mean (1 and 3): channel 0's scale
// 0.5/127 puts 0.25 at 64 steps (63.5 rounds to even) = 0.2519685, error
// +0.0019685 times 1; channel 1's 0.6/127 puts 0.3 at 64 steps =
// 0.3023622, error +0.0023622 times 3 = 0.0070866.
// CHECK-LABEL: func.func @depthwise
// CHECK: %[[B:.*]] = qnt.constant dense<[-0.00196{{[0-9]*}}, -0.00708{{[0-9]*}}]> : tensor<2xf32>
// CHECK: qnt.conv %arg0, %{{.*}}, %[[B]]
func.func @depthwise(%x: tensor<1x2x2x3xf32> {qnt.range = #qnt.range<0.0, 4.0>, qnt.channel_range = #qnt.channel_range<axis = 1, min = [0.0, 0.0], max = [4.0, 4.0], mean = [1.0, 3.0]>}) -> tensor<1x2x2x2xf32> {
  %w = qnt.constant dense<[[[[0.5, 0.25]]], [[[0.3, -0.6]]]]> : tensor<2x1x1x2xf32>
  %b = qnt.constant dense<0.0> : tensor<2xf32>
  %0 = qnt.conv %x, %w, %b {qnt.range = #qnt.range<-3.0, 3.0>, dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x2x3xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

// Left alone: no means on the input (ranges only), no bias, a depthwise
// conv whose result has no calibrated range and a conv without one
// (qnt-quantize keeps both float).
// Every bias constant stays as it was: no new constant after the shared
// [0.25, 0.5].
// CHECK-LABEL: func.func @left_alone
// CHECK: qnt.constant dense<[2.500000e-01, 5.000000e-01]> : tensor<2xf32>
// CHECK-NOT: qnt.constant
// CHECK: return
func.func @left_alone(%x: tensor<1x2x2x2xf32> {qnt.range = #qnt.range<0.0, 4.0>, qnt.channel_range = #qnt.channel_range<axis = 1, min = [0.0, 0.0], max = [4.0, 4.0]>},
                      %y: tensor<1x2x2x2xf32> {qnt.range = #qnt.range<0.0, 4.0>, qnt.channel_range = #qnt.channel_range<axis = 1, min = [0.0, 0.0], max = [4.0, 4.0], mean = [1.0, 1.0]>})
    -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = qnt.constant dense<[[[[0.5]], [[0.3]]], [[[0.1]], [[0.7]]]]> : tensor<2x2x1x1xf32>
  %dw = qnt.constant dense<[[[[0.5]]], [[[0.3]]]]> : tensor<2x1x1x1xf32>
  %b = qnt.constant dense<[0.25, 0.5]> : tensor<2xf32>
  %0 = qnt.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = qnt.conv %y, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %2 = qnt.conv %y, %dw, %b {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %3 = qnt.conv %y, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %0, %1, %2, %3 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}
