// RUN: quant-opt %s --qnt-quantize -split-input-file -verify-diagnostics | FileCheck %s
// RUN: quant-opt %s --qnt-quantize=granularity=per-tensor -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=TENSOR
// RUN: quant-opt %s --qnt-quantize=symmetric-activations -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=SYM
// RUN: quant-opt %s --qnt-quantize=keep-float=conv1 -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=KEEP

// A 1x1 conv with a fused ReLU, by hand (docs/Numerics.md):
//  - input [-1, 1]: scale f32(2/255) = 0.0078431377 (scales are f32), a
//    little above 2/255, so the zero point -128 + 1/scale = -0.50000x
//    rounds to -1;
//  - weights per output channel, symmetric on [-127, 127]: 0.5 and -0.25
//    have scales 0.5/127 and 0.25/127 and both quantize to +-127;
//  - bias int32 with scale s_in * s_w[c] (f32 scales, product in double):
//    0.1f / (0.0078431377 * 0.0039370079) = 3238.49987 -> 3238 and
//    -0.2f / (0.0078431377 * 0.0019685039) = -12954;
//  - output: the ReLU's range [0, 2]: scale 2/255, zero point -128 (real 0
//    at the bottom of the grid, so requantization's clamp is the ReLU).
// CHECK-LABEL: func.func @conv_relu
// CHECK-DAG:     %[[W:.*]] = qnt.constant dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-127]]]]> : tensor<2x1x1x1xi8>
// CHECK-DAG:     %[[WQ:.*]] = quant.scast %[[W]] : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.0039370078593492508,0.0019685039296746254}>>
// CHECK-DAG:     %[[B:.*]] = qnt.constant dense<[3238, -12954]> : tensor<2xi32>
// CHECK-DAG:     %[[BQ:.*]] = quant.scast %[[B]] : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {3.08784948406266{{[0-9]*}}E-5,1.54392474203133{{[0-9]*}}E-5}>>
// CHECK-DAG:     %[[XQ:.*]] = quant.qcast %arg0 : tensor<1x1x2x2xf32> to tensor<1x1x2x2x!quant.uniform<i8:f32, 0.0078431377187371254:-1>>
// CHECK:         %[[Y:.*]] = qnt.conv %[[XQ]], %[[WQ]], %[[BQ]]
// CHECK-SAME:      -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.0078431377187371254:-128>>
// CHECK-NOT:     qnt.relu
// CHECK:         %[[F:.*]] = quant.dcast %[[Y]] : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.0078431377187371254:-128>> to tensor<1x2x2x2xf32>
// CHECK:         return %[[F]]

// One weight scale for the tensor: 0.5/127, so -0.25 is -63.5 -> -64 (ties
// to even).
// TENSOR-LABEL: func.func @conv_relu
// TENSOR:         qnt.constant dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-64]]]]> : tensor<2x1x1x1xi8>
// TENSOR:         tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32, 0.0039370078593492508>>

// Symmetric activations: zero point 0 on the narrow grid [-127, 127]; a
// ReLU cannot ride on the clamp, so it stays (the conv's own range
// [-1.5, 2] gives scale 2/127).
// SYM-LABEL: func.func @conv_relu
// SYM:         quant.qcast %arg0 : tensor<1x1x2x2xf32> to tensor<1x1x2x2x!quant.uniform<i8<-127:127>:f32, 0.0078740157186985015>>
// SYM:         qnt.conv {{.*}} -> tensor<1x2x2x2x!quant.uniform<i8<-127:127>:f32, 0.015748031437397003>>
// SYM:         qnt.relu

// keep-float names ONNX nodes (locations) that stay float.
// KEEP-LABEL: func.func @conv_relu
// KEEP-NOT:     quant.
// KEEP:         qnt.conv {{.*}} -> tensor<1x2x2x2xf32>
func.func @conv_relu(%x: tensor<1x1x2x2xf32> {qnt.range = #qnt.range<-1.0, 1.0>}) -> tensor<1x2x2x2xf32> {
  %w = qnt.constant dense<[[[[0.5]]], [[[-0.25]]]]> : tensor<2x1x1x1xf32>
  %b = qnt.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %0 = qnt.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qnt.range = #qnt.range<-1.5, 2.0>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32> loc("conv1")
  %1 = qnt.relu %0 {qnt.range = #qnt.range<0.0, 2.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// Chains stay int8: max_pool and reshape run on the conv's grid, the gemm
// consumes it without a dcast/qcast pair, and only the end dequantizes. The
// gemm's B (2x3, not transposed) has its output channels on axis 1.
// CHECK-LABEL: func.func @chain
// CHECK:         %[[C:.*]] = qnt.conv
// CHECK:         %[[P:.*]] = qnt.max_pool %[[C]] {{.*}} -> tensor<1x2x1x1x!quant.uniform<i8:f32, 0.0078431377187371254:-128>>
// CHECK:         %[[R:.*]] = qnt.reshape %[[P]] {{.*}} -> tensor<1x2x!quant.uniform<i8:f32, 0.0078431377187371254:-128>>
// CHECK:         qnt.constant dense<{{\[\[}}127, 127, -127], [-127, 42, 127]]> : tensor<2x3xi8>
// CHECK:         quant.scast {{.*}}:f32:1, {0.0039370078593492508,0.0078740157186985015,0.0039370078593492508}>>
// CHECK:         %[[G:.*]] = qnt.gemm %[[R]]
// CHECK-SAME:      -> tensor<1x3x!quant.uniform<i8:f32, 0.011764706112444401:-43>>
// CHECK-NEXT:    quant.dcast %[[G]]
// CHECK-NOT:     quant.qcast
func.func @chain(%x: tensor<1x1x2x2xf32> {qnt.range = #qnt.range<-1.0, 1.0>}) -> tensor<1x3xf32> {
  %w = qnt.constant dense<[[[[0.5]]], [[[-0.25]]]]> : tensor<2x1x1x1xf32>
  %0 = qnt.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qnt.range = #qnt.range<-1.0, 2.0>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = qnt.relu %0 {qnt.range = #qnt.range<0.0, 2.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %2 = qnt.max_pool %1 {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, qnt.range = #qnt.range<0.0, 2.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32>
  %3 = qnt.reshape %2 {qnt.range = #qnt.range<0.0, 2.0>} : (tensor<1x2x1x1xf32>) -> tensor<1x2xf32>
  %b = qnt.constant dense<[[0.5, 1.0, -0.5], [-0.5, 0.33, 0.5]]> : tensor<2x3xf32>
  %4 = qnt.gemm %3, %b {qnt.range = #qnt.range<-1.0, 2.0>} : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  return %4 : tensor<1x3xf32>
}

// -----

// A dead channel (weights ~1e-30) would need a requantization multiplier of
// about 1e-30 * (255/2) / (3/255) < 2^-32, which has no fixed-point form:
// its weight scale is floored to 2^-30 * out_scale / in_scale =
// 1.5 * 2^-30 and its weight rounds to 0 (the output is the bias alone).
// CHECK-LABEL: func.func @dead_channel
// CHECK:         qnt.constant dense<{{\[\[\[\[}}127]]], {{\[\[\[}}0]]]]> : tensor<2x1x1x1xi8>
// CHECK:         quant.scast {{.*}}:f32:0, {0.0039370078593492508,1.39698386{{[0-9]*}}E-9}>>
func.func @dead_channel(%x: tensor<1x1x2x2xf32> {qnt.range = #qnt.range<-1.0, 1.0>}) -> tensor<1x2x2x2xf32> {
  %w = qnt.constant dense<[[[[0.5]]], [[[1.0e-30]]]]> : tensor<2x1x1x1xf32>
  %0 = qnt.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qnt.range = #qnt.range<-1.0, 2.0>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

// Without a calibrated input range the op stays float; so does a product
// of two activations when one of them has no range.
// CHECK-LABEL: func.func @kept_float
// CHECK-NOT:     quant.
// CHECK:         qnt.matmul {{.*}} -> tensor<2x2xf32>
// CHECK:         qnt.matmul {{.*}} -> tensor<2x2xf32>
func.func @kept_float(%x: tensor<2x2xf32>, %y: tensor<2x2xf32> {qnt.range = #qnt.range<0.0, 1.0>}) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = qnt.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = qnt.matmul %x, %w {qnt.range = #qnt.range<0.0, 10.0>} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %1 = qnt.matmul %y, %x {qnt.range = #qnt.range<0.0, 10.0>} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0, %1 : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// A depthwise conv (group = C = 2, weight [2, 1, 2, 2]) is an int8 layer,
// its weights symmetric per output channel (axis 0): channel 0's max |w|
// 0.5 gives scale 0.5/127 (0.25 -> 63.5 -> 64, ties to even), channel 1's
// 1.0 gives 1/127 (0.5 -> 64). The bias is int32 at s_in * s_w[c]:
// 0.1f / (f32(2/255) * 0.5/127) = 3238.49987 -> 3238. Per tensor, one
// scale 1/127 for both. A grouped conv with two input channels per group
// is not a form the int8 lowering takes: it stays float.
// CHECK-LABEL: func.func @depthwise
// CHECK-DAG:     qnt.constant dense<{{\[\[\[\[}}127, 64], [0, -127]]], {{\[\[\[}}-127, 64], [0, 0]]]]> : tensor<2x1x2x2xi8>
// CHECK-DAG:     quant.scast {{.*}} to tensor<2x1x2x2x!quant.uniform<i8<-127:127>:f32:0, {0.0039370078593492508,0.0078740157186985015}>>
// CHECK-DAG:     qnt.constant dense<[3238, 0]> : tensor<2xi32>
// CHECK:         qnt.conv {{.*}}group = 2 : i64{{.*}} -> tensor<1x2x1x1x!quant.uniform<i8:f32, 0.0078431377187371254:-1>>
// CHECK:         qnt.conv {{.*}}group = 2 : i64{{.*}} -> tensor<1x2x2x2xf32>
// TENSOR-LABEL: func.func @depthwise
// TENSOR:         qnt.constant dense<{{\[\[\[\[}}64, 32], [0, -64]]], {{\[\[\[}}-127, 64], [0, 0]]]]> : tensor<2x1x2x2xi8>
func.func @depthwise(%x: tensor<1x2x2x2xf32> {qnt.range = #qnt.range<-1.0, 1.0>}, %y: tensor<1x4x2x2xf32> {qnt.range = #qnt.range<-1.0, 1.0>}) -> (tensor<1x2x1x1xf32>, tensor<1x2x2x2xf32>) {
  %w = qnt.constant dense<[[[[0.5, 0.25], [0.0, -0.5]]], [[[-1.0, 0.5], [0.0, 0.0]]]]> : tensor<2x1x2x2xf32>
  %b = qnt.constant dense<[0.1, 0.0]> : tensor<2xf32>
  %0 = qnt.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qnt.range = #qnt.range<-1.0, 1.0>} : (tensor<1x2x2x2xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x1x1xf32>
  %g = qnt.constant dense<0.5> : tensor<2x2x1x1xf32>
  %1 = qnt.conv %y, %g {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qnt.range = #qnt.range<-1.0, 1.0>} : (tensor<1x4x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %0, %1 : tensor<1x2x1x1xf32>, tensor<1x2x2x2xf32>
}

// -----

// A matmul of two activations (attention's Q K^T) is static int8 too: each
// operand on its own calibrated per-tensor grid ([-1.28, 1.27]: scale
// 0.01, zero point 0; [0, 2.55]: 0.01, -128), the result on its range's
// grid ([-12.8, 12.7]: 0.1, 0).
// CHECK-LABEL: func.func @activation_product
// CHECK:         %[[Q:.*]] = quant.qcast %arg0 : tensor<1x2x3x4xf32> to tensor<1x2x3x4x!quant.uniform<i8:f32, 0.0099999{{[0-9]*}}>>
// CHECK:         %[[K:.*]] = quant.qcast %arg1 : tensor<1x2x4x3xf32> to tensor<1x2x4x3x!quant.uniform<i8:f32, 0.0099999{{[0-9]*}}:-128>>
// CHECK:         %[[P:.*]] = qnt.matmul %[[Q]], %[[K]] {{.*}} -> tensor<1x2x3x3x!quant.uniform<i8:f32, 0.1{{[0-9]*}}>>
// CHECK:         %[[D:.*]] = quant.dcast %[[P]]
// CHECK:         return %[[D]]
// TENSOR-LABEL: func.func @activation_product
// TENSOR:         qnt.matmul {{.*}} -> tensor<1x2x3x3x!quant.uniform<i8:f32, 0.1{{[0-9]*}}>>
// SYM-LABEL: func.func @activation_product
// SYM:         quant.qcast %arg1 : {{.*}} to tensor<1x2x4x3x!quant.uniform<i8<-127:127>:f32, 0.0200787{{[0-9]*}}>>
func.func @activation_product(%q: tensor<1x2x3x4xf32> {qnt.range = #qnt.range<-1.28, 1.27>},
                              %k: tensor<1x2x4x3xf32> {qnt.range = #qnt.range<0.0, 2.55>}) -> tensor<1x2x3x3xf32> {
  %0 = qnt.matmul %q, %k {qnt.range = #qnt.range<-12.8, 12.7>} : (tensor<1x2x3x4xf32>, tensor<1x2x4x3xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Products whose batch dims differ (broadcasting) stay float.
// CHECK-LABEL: func.func @activation_product_broadcast
// CHECK-NOT:     quant.
func.func @activation_product_broadcast(%q: tensor<2x3x4xf32> {qnt.range = #qnt.range<-1.0, 1.0>},
                                        %k: tensor<1x4x3xf32> {qnt.range = #qnt.range<-1.0, 1.0>}) -> tensor<2x3x3xf32> {
  %0 = qnt.matmul %q, %k {qnt.range = #qnt.range<-4.0, 4.0>} : (tensor<2x3x4xf32>, tensor<1x4x3xf32>) -> tensor<2x3x3xf32>
  return %0 : tensor<2x3x3xf32>
}

// -----

// Beyond K = 33025 the int32 sums of (a - za) * (b - zb) could overflow:
// such a product stays float.
// CHECK-LABEL: func.func @activation_product_long_k
// CHECK-NOT:     quant.
func.func @activation_product_long_k(%q: tensor<1x33026xf32> {qnt.range = #qnt.range<-1.0, 1.0>},
                                     %k: tensor<33026x1xf32> {qnt.range = #qnt.range<-1.0, 1.0>}) -> tensor<1x1xf32> {
  %0 = qnt.matmul %q, %k {qnt.range = #qnt.range<-4.0, 4.0>} : (tensor<1x33026xf32>, tensor<33026x1xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}
