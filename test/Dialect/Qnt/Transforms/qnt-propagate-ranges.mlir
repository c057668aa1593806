// RUN: quant-opt %s --qnt-propagate-ranges -split-input-file | FileCheck %s
// RUN: quant-opt %s --qnt-propagate-ranges=unify-residual-adds -split-input-file | FileCheck %s --check-prefix=ADDS
// RUN: quant-opt %s --qnt-propagate-ranges=unify-concat-inputs -split-input-file | FileCheck %s --check-prefix=CAT

// Range-preserving ops take their input's range (replacing what was
// observed), so the quantized op needs no rescale; the bound of a clamp
// clips the observed range.
// CHECK-LABEL: func.func @preserve_and_bound
// CHECK:         qnt.conv {{.*}}qnt.range = #qnt.range<-3.000000e+00, 7.500000e+00>
// CHECK:         qnt.clamp {{.*}}qnt.range = #qnt.range<0.000000e+00, 6.000000e+00>
// CHECK:         qnt.max_pool {{.*}}qnt.range = #qnt.range<0.000000e+00, 6.000000e+00>
// CHECK:         qnt.reshape {{.*}}qnt.range = #qnt.range<0.000000e+00, 6.000000e+00>
// CHECK:         qnt.transpose {{.*}}qnt.range = #qnt.range<0.000000e+00, 6.000000e+00>
func.func @preserve_and_bound(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<4x4xf32> {
  %0 = qnt.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qnt.range = #qnt.range<-3.0, 7.5>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %1 = qnt.clamp %0 {max = 6.0 : f32, min = 0.0 : f32, qnt.range = #qnt.range<0.0, 6.5>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %2 = qnt.max_pool %1 {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qnt.range = #qnt.range<0.0, 5.0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %3 = qnt.reshape %2 {qnt.range = #qnt.range<0.0, 5.9>} : (tensor<1x1x4x4xf32>) -> tensor<4x4xf32>
  %4 = qnt.transpose %3 {perm = array<i64: 1, 0>} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return %4 : tensor<4x4xf32>
}

// -----

// Monotone ops map the input range through their function; without any
// observation, a bounded function still gives a range. The argument's
// range seeds the analysis.
// CHECK-LABEL: func.func @monotone
// CHECK:         qnt.relu {{.*}}qnt.range = #qnt.range<0.000000e+00, 2.000000e+00>
// CHECK:         qnt.sigmoid {{.*}}qnt.range = #qnt.range<0.000000e+00, 1.000000e+00>
// CHECK:         qnt.tanh {{.*}}qnt.range = #qnt.range<-0.7615941559557{{[0-9]*}}, 0.964027580075816{{[0-9]*}}>
// CHECK:         qnt.leaky_relu {{.*}}qnt.range = #qnt.range<-0.100000001{{[0-9]*}}, 2.000000e+00>
// CHECK:         qnt.softmax {{.*}}qnt.range = #qnt.range<0.000000e+00, 1.000000e+00>
// CHECK:         qnt.exp
// CHECK-NOT:     qnt.range
// CHECK-SAME:    -> tensor<4xf32>
// softplus: [log(1 + e^-1), log(1 + e^2)]
// CHECK:         qnt.softplus {{.*}}qnt.range = #qnt.range<0.3132616{{[0-9]*}}, 2.126928{{[0-9]*}}>
func.func @monotone(%x: tensor<4xf32> {qnt.range = #qnt.range<-1.0, 2.0>}, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = qnt.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = qnt.sigmoid %y : (tensor<4xf32>) -> tensor<4xf32>
  %2 = qnt.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  %3 = qnt.leaky_relu %x {alpha = 0.1 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %4 = qnt.softmax %y {axis = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %5 = qnt.exp %y : (tensor<4xf32>) -> tensor<4xf32>
  %6 = qnt.softplus %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// A concat's range is the hull of its inputs'; each input keeps its own
// (int8 concats requantize their operands). With unify-concat-inputs they
// share one scale: each gets the hull, pushed back through the reshape
// that produced one of them to the relu (but not to the relu's input,
// which keeps its own range); the constant input gets a range too.
// CHECK-LABEL: func.func @concat
// CHECK-SAME:    %arg0: tensor<1x4xf32> {qnt.range = #qnt.range<-2.000000e+00, 1.000000e+00>}
// CHECK:         qnt.relu {{.*}}qnt.range = #qnt.range<0.000000e+00, 4.000000e+00>
// CHECK:         qnt.reshape {{.*}}qnt.range = #qnt.range<0.000000e+00, 4.000000e+00>
// CHECK:         qnt.concat {{.*}}qnt.range = #qnt.range<-5.000000e+00, 4.000000e+00>
// CAT-LABEL: func.func @concat
// CAT-SAME:    %arg0: tensor<1x4xf32> {qnt.range = #qnt.range<-5.000000e+00, 4.000000e+00>}
// CAT-SAME:    %arg1: tensor<4xf32> {qnt.range = #qnt.range<0.000000e+00, 4.000000e+00>}
// CAT:         %[[C:.*]] = qnt.constant {qnt.range = #qnt.range<-5.000000e+00, 4.000000e+00>}
// CAT:         qnt.relu {{.*}}qnt.range = #qnt.range<-5.000000e+00, 4.000000e+00>
// CAT:         qnt.reshape {{.*}}qnt.range = #qnt.range<-5.000000e+00, 4.000000e+00>
// CAT:         qnt.concat {{.*}}qnt.range = #qnt.range<-5.000000e+00, 4.000000e+00>
func.func @concat(%x: tensor<1x4xf32> {qnt.range = #qnt.range<-2.0, 1.0>}, %y: tensor<4xf32> {qnt.range = #qnt.range<0.0, 4.0>}) -> tensor<3x4xf32> {
  %c = qnt.constant dense<[[-5.0, 0.0, 1.0, 2.0]]> : tensor<1x4xf32>
  %r = qnt.relu %y {qnt.range = #qnt.range<0.0, 4.0>} : (tensor<4xf32>) -> tensor<4xf32>
  %s = qnt.reshape %r : (tensor<4xf32>) -> tensor<1x4xf32>
  %0 = qnt.concat %x, %c, %s {axis = 0 : i64} : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// With unify-residual-adds, the two activations an add sums share a range;
// by default they keep their own.
// CHECK-LABEL: func.func @residual
// CHECK-SAME:    qnt.range = #qnt.range<-1.000000e+00, 1.000000e+00>
// CHECK:         qnt.relu {{.*}}qnt.range = #qnt.range<0.000000e+00, 3.000000e+00>
// ADDS-LABEL:  func.func @residual
// ADDS-SAME:     qnt.range = #qnt.range<-1.000000e+00, 3.000000e+00>
// ADDS:          qnt.relu {{.*}}qnt.range = #qnt.range<-1.000000e+00, 3.000000e+00>
// ADDS:          qnt.add {{.*}}qnt.range = #qnt.range<0.000000e+00, 4.000000e+00>
func.func @residual(%x: tensor<4xf32> {qnt.range = #qnt.range<-1.0, 1.0>}, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qnt.relu %y {qnt.range = #qnt.range<0.0, 3.0>} : (tensor<4xf32>) -> tensor<4xf32>
  %1 = qnt.add %x, %0 {qnt.range = #qnt.range<0.0, 4.0>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Constant pads add their value; average pools counting padding add 0.
// CHECK-LABEL: func.func @pads
// CHECK:         qnt.pad {{.*}}qnt.range = #qnt.range<-1.000000e+00, 3.000000e+00>
// CHECK:         qnt.average_pool {{.*}}qnt.range = #qnt.range<0.000000e+00, 3.000000e+00>
func.func @pads(%x: tensor<1x1x2x2xf32> {qnt.range = #qnt.range<1.0, 3.0>}) -> (tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) {
  %0 = qnt.pad %x {mode = #qnt.pad_mode<constant>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = -1.0 : f32} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  %1 = qnt.average_pool %x {ceil_mode = false, count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %0, %1 : tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>
}

// -----

// Slices and means take the input's range; a clamp with no input range
// still clips what was observed, and hard_sigmoid maps [-1, 2] to
// [0.2*-1+0.5, 0.2*2+0.5] = [0.3, 0.9] (alpha is the f32 0.2).
// CHECK-LABEL: func.func @more
// CHECK:         qnt.slice {{.*}}qnt.range = #qnt.range<-1.000000e+00, 2.000000e+00>
// CHECK:         qnt.reduce_mean {{.*}}qnt.range = #qnt.range<-1.000000e+00, 2.000000e+00>
// CHECK:         qnt.clamp {{.*}}qnt.range = #qnt.range<0.000000e+00, 6.000000e+00>
// CHECK:         qnt.hard_sigmoid {{.*}}qnt.range = #qnt.range<0.2999999{{[0-9]*}}, 0.900000005{{[0-9]*}}>
func.func @more(%x: tensor<2x3x4xf32> {qnt.range = #qnt.range<-1.0, 2.0>}, %y: tensor<4xf32>, %z: tensor<4xf32> {qnt.range = #qnt.range<-1.0, 2.0>}) -> (tensor<2x3x2xf32>, tensor<3xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = qnt.slice %x {starts = array<i64: 0, 0, 0>, ends = array<i64: 2, 3, 2>, steps = array<i64: 1, 1, 1>} : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
  %1 = qnt.reduce_mean %x {axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  %2 = qnt.clamp %y {max = 6.0 : f32, min = 0.0 : f32, qnt.range = #qnt.range<-0.5, 7.0>} : (tensor<4xf32>) -> tensor<4xf32>
  %3 = qnt.hard_sigmoid %z {alpha = 0.2 : f32, beta = 0.5 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2, %3 : tensor<2x3x2xf32>, tensor<3xf32>, tensor<4xf32>, tensor<4xf32>
}
