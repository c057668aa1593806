// RUN: quant-opt %s --convert-qnt-to-linalg --split-input-file | FileCheck %s

// The accumulator starts at the broadcast bias; pads become tensor.pad.
// CHECK-LABEL: func @conv
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<4x1x1xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME: -> tensor<1x4x4x4xf32>
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = qnt.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// CHECK-LABEL: func @depthwise
// CHECK: tensor.collapse_shape %arg1 {{\[\[}}0], [1, 2], [3]] : tensor<8x1x3x3xf32> into tensor<8x3x3xf32>
// CHECK: linalg.depthwise_conv_2d_nchw_chw
func.func @depthwise(%x: tensor<1x8x6x6xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %0 = qnt.conv %x, %w {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// CHECK-LABEL: func @grouped_1d
// CHECK: tensor<1x4x1x10xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x2x1x10xf32>, tensor<2x3x2x1x3xf32>)
// CHECK: into tensor<1x6x8xf32>
func.func @grouped_1d(%x: tensor<1x4x10xf32>, %w: tensor<6x2x3xf32>) -> tensor<1x6x8xf32> {
  %0 = qnt.conv %x, %w {dilations = array<i64: 1>, group = 2 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x4x10xf32>, tensor<6x2x3xf32>) -> tensor<1x6x8xf32>
  return %0 : tensor<1x6x8xf32>
}

// -----

// Stride 2, kernel 3: zeros interleaved (insert_slice with strides),
// padded by k - 1 - pad, then a convolution with the flipped weights
// w'[f, c] = w[c, f] reversed: here [[1, 2, 3]] x 3 rows -> reversed.
// CHECK-LABEL: func @conv_transpose
// CHECK: tensor.insert_slice %arg0 into %{{.*}}[0, 0, 0, 0] [1, 1, 2, 2] [1, 1, 2, 2] : tensor<1x1x2x2xf32> into tensor<1x1x3x3xf32>
// CHECK: arith.constant dense<{{\[\[\[\[}}9.000000e+00, 8.000000e+00, 7.000000e+00], [6.000000e+00, 5.000000e+00, 4.000000e+00], [3.000000e+00, 2.000000e+00, 1.000000e+00]]]]> : tensor<1x1x3x3xf32>
// CHECK: tensor.pad {{.*}} low[0, 0, 2, 2] high[0, 0, 2, 2]
// CHECK: linalg.conv_2d_nchw_fchw
func.func @conv_transpose(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x5x5xf32> {
  %w = qnt.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]]> : tensor<1x1x3x3xf32>
  %0 = qnt.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x2x2xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x5x5xf32>
  return %0 : tensor<1x1x5x5xf32>
}

// -----

// Stride = kernel (2x2), no pads: the windows tile the output, so no zeros
// are interleaved: a 1x1 conv to Co*kh*kw = 2*2*2 channels with weights
// w'[(co, a, b), ci] = w[ci, co, a, b], then a depth-to-space generic
// [n, co, a, b, i, j] -> [n, co, i, a, j, b] that adds the bias.
// CHECK-DAG: #[[D2S:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d3, d5, d2, d4)>
// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1)>
// CHECK-LABEL: func @conv_transpose_tiling
// CHECK-NOT: tensor.insert_slice
// CHECK: arith.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}9.000000e+00]]], {{\[\[\[}}2.000000e+00]], {{\[\[}}1.000000e+01]]]
// CHECK-SAME: tensor<8x2x1x1xf32>
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x8x3x4xf32>
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x2x2x3x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[D2S]], #[[BIAS]], #{{.*}}]
// CHECK: arith.addf
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x2x6x8xf32>
func.func @conv_transpose_tiling(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x6x8xf32> {
  %w = qnt.constant dense<[[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]],
                           [[[9.0, 10.0], [11.0, 12.0]], [[13.0, 14.0], [15.0, 16.0]]]]> : tensor<2x2x2x2xf32>
  %b = qnt.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %0 = qnt.conv_transpose %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x3x4xf32>, tensor<2x2x2x2xf32>, tensor<2xf32>) -> tensor<1x2x6x8xf32>
  return %0 : tensor<1x2x6x8xf32>
}

// -----

// count_include_pad = false: corner windows of a 3x3/s1/p1 pool over 3x3
// see 4 taps, edges 6, the centre 9.
// CHECK-LABEL: func @average_pool
// CHECK: linalg.pooling_nchw_sum
// CHECK: arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00, 4.000000e+00]]> : tensor<3x3xf32>
// CHECK: arith.divf
func.func @average_pool(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %0 = qnt.average_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// Max pooling pads with -inf; ceil_mode adds end padding for the last window.
// CHECK-LABEL: func @max_pool_ceil
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NINF]]
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
func.func @max_pool_ceil(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %0 = qnt.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// A 2-D right operand folds the batch into M.
// CHECK-LABEL: func @matmul_2d_rhs
// CHECK: tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %arg1 : tensor<6x4xf32>, tensor<4x5xf32>)
// CHECK: tensor.expand_shape {{.*}} {{\[\[}}0, 1], [2]] {{.*}} into tensor<2x3x5xf32>
func.func @matmul_2d_rhs(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = qnt.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// Batched with broadcasting: the size-1 batch dim of the rhs reads 0.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (0, d3, d2)>
// CHECK-LABEL: func @matmul_batched
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
func.func @matmul_batched(%a: tensor<2x3x4xf32>, %b: tensor<1x4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = qnt.matmul %a, %b : (tensor<2x3x4xf32>, tensor<1x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// trans_b with a constant B transposes at compile time; beta scales C.
// CHECK-LABEL: func @gemm
// CHECK: %[[BT:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: arith.constant 5.000000e-01
// CHECK: linalg.matmul ins(%arg0, %[[BT]] : tensor<3x2xf32>, tensor<2x2xf32>)
func.func @gemm(%a: tensor<3x2xf32>, %c: tensor<2xf32>) -> tensor<3x2xf32> {
  %b = qnt.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = qnt.gemm %a, %b, %c {beta = 0.5 : f32, trans_b = true} : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func @softmax
// CHECK: linalg.reduce ins(%arg0 : tensor<2x5xf32>) {{.*}} dimensions = [1]
// CHECK: arith.maximumf
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: linalg.reduce
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = qnt.softmax %x {axis = 1 : i64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// CHECK-LABEL: func @layer_norm
// CHECK: linalg.reduce {{.*}} dimensions = [2]
// CHECK: arith.constant 1.600000e+01 : f32
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: math.sqrt
func.func @layer_norm(%x: tensor<1x4x16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<1x4x16xf32> {
  %0 = qnt.layer_norm %x, %g, %b {axis = 2 : i64} : (tensor<1x4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<1x4x16xf32>
  return %0 : tensor<1x4x16xf32>
}

// -----

// Nearest, asymmetric, floor by 2: in = floor(o / 2) = o // 2 for every o,
// so each element is repeated: a broadcast into [.., 2, 2 .., 2] and a
// collapse, no per-element coordinates.
// CHECK-LABEL: func @resize_nearest
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x1x2x2x2x2xf32>
// CHECK: %[[B:.*]] = linalg.broadcast ins(%arg0 : tensor<1x1x2x2xf32>) outs(%[[E]] : tensor<1x1x2x2x2x2xf32>) dimensions = [3, 5]
// CHECK: tensor.collapse_shape %[[B]] {{\[\[}}0], [1], [2, 3], [4, 5]] : tensor<1x1x2x2x2x2xf32> into tensor<1x1x4x4xf32>
// CHECK-NOT: tensor.extract
func.func @resize_nearest(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %0 = qnt.resize %x {coordinate_transform = #qnt.coordinate_transform<asymmetric>, nearest_mode = #qnt.nearest_mode<floor>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Nearest by 1.5 (2 -> 3): in = floor(o / 1.5) is not a repeat, so the
// generic computes it.
// CHECK-LABEL: func @resize_nearest_fractional
// CHECK: arith.constant 1.500000e+00 : f64
// CHECK: arith.divf
// CHECK: math.floor
// CHECK: tensor.extract %arg0
func.func @resize_nearest_fractional(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32> {
  %0 = qnt.resize %x {coordinate_transform = #qnt.coordinate_transform<asymmetric>, nearest_mode = #qnt.nearest_mode<floor>, scales = array<f32: 1.0, 1.0, 1.5, 1.5>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// Nearest by 2 with half_pixel and ceil: o = 1 reads ceil(0.25) = 1, not
// 1 // 2: out = 2 * in is not enough for a repeat.
// CHECK-LABEL: func @resize_nearest_not_repeat
// CHECK-NOT: linalg.broadcast
// CHECK: math.ceil
// CHECK: tensor.extract %arg0
func.func @resize_nearest_not_repeat(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %0 = qnt.resize %x {coordinate_transform = #qnt.coordinate_transform<half_pixel>, nearest_mode = #qnt.nearest_mode<ceil>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Bilinear: four taps.
// CHECK-LABEL: func @resize_linear
// CHECK-COUNT-4: tensor.extract %arg0
func.func @resize_linear(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %0 = qnt.resize %x {mode = #qnt.resize_mode<linear>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// CHECK-LABEL: func @reduce_mean_keepdims
// CHECK: linalg.reduce {{.*}} dimensions = [1]
// CHECK: arith.constant 4.000000e+00
// CHECK: tensor.expand_shape {{.*}} into tensor<3x1xf32>
func.func @reduce_mean_keepdims(%x: tensor<3x4xf32>) -> tensor<3x1xf32> {
  %0 = qnt.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  return %0 : tensor<3x1xf32>
}

// -----

// Weights known only at run time are regrouped and flipped by a generic
// that reads w[g, c, f, kh - 1 - y, kw - 1 - x].
// CHECK: #[[FLIP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, -d3 + 1, -d4 + 2)>
// CHECK-LABEL: func @conv_transpose_runtime_weights
// CHECK: linalg.generic {indexing_maps = [#[[FLIP]], #{{.*}}]{{.*}} ins(%{{.*}} : tensor<1x2x3x2x3xf32>)
// CHECK: linalg.conv_2d_nchw_fchw
func.func @conv_transpose_runtime_weights(%x: tensor<1x2x3x3xf32>, %w: tensor<2x3x2x3xf32>) -> tensor<1x3x4x5xf32> {
  %0 = qnt.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x3x2x3xf32>) -> tensor<1x3x4x5xf32>
  return %0 : tensor<1x3x4x5xf32>
}

// -----

// A 1-D pool is a 2-D one with a unit height.
// CHECK-LABEL: func @max_pool_1d
// CHECK: tensor.expand_shape %arg0 {{.*}} into tensor<1x2x1x8xf32>
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<[1, 2]> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<1x2x1x8xf32>, tensor<1x2xf32>)
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x2x4xf32>
func.func @max_pool_1d(%x: tensor<1x2x8xf32>) -> tensor<1x2x4xf32> {
  %0 = qnt.max_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x2x8xf32>) -> tensor<1x2x4xf32>
  return %0 : tensor<1x2x4xf32>
}

// -----

// count_include_pad = true counts the pads: every window of 3x3/p1 is 9.
// CHECK-LABEL: func @average_pool_include_pad
// CHECK: arith.constant dense<9.000000e+00> : tensor<2x2xf32>
func.func @average_pool_include_pad(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %0 = qnt.average_pool %x {count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// CHECK-LABEL: func @global_average_pool
// CHECK: linalg.reduce {{.*}} dimensions = [2, 3]
// CHECK: arith.constant 2.000000e+01 : f32
// CHECK: arith.divf
// CHECK: tensor.expand_shape {{.*}} into tensor<1x3x1x1xf32>
func.func @global_average_pool(%x: tensor<1x3x4x5xf32>) -> tensor<1x3x1x1xf32> {
  %0 = qnt.global_average_pool %x : (tensor<1x3x4x5xf32>) -> tensor<1x3x1x1xf32>
  return %0 : tensor<1x3x1x1xf32>
}

// -----

// reduce_max starts at -inf; reduce_sum at 0 and keeps no dims.
// CHECK-LABEL: func @reduce_max_sum
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.fill ins(%[[NINF]]
// CHECK: linalg.reduce {{.*}} dimensions = [0]
// CHECK: arith.maximumf
// CHECK: linalg.reduce {{.*}} dimensions = [0, 1]
// CHECK: arith.addf
// CHECK-NOT: tensor.expand_shape
// CHECK: return
func.func @reduce_max_sum(%x: tensor<3x4xf32>) -> (tensor<1x4xf32>, tensor<f32>) {
  %0 = qnt.reduce_max %x {axes = array<i64: 0>} : (tensor<3x4xf32>) -> tensor<1x4xf32>
  %1 = qnt.reduce_sum %x {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %0, %1 : tensor<1x4xf32>, tensor<f32>
}

// -----

// reduce_min starts at +inf and combines with minimumf (NaN propagates);
// reduce_prod starts at 1 and multiplies.
// CHECK-LABEL: func @reduce_min_prod
// CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: linalg.fill ins(%[[INF]]
// CHECK: linalg.reduce {{.*}} dimensions = [1]
// CHECK: arith.minimumf
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: linalg.fill ins(%[[ONE]]
// CHECK: linalg.reduce {{.*}} dimensions = [0]
// CHECK: arith.mulf
// CHECK: return
func.func @reduce_min_prod(%x: tensor<3x4xf32>) -> (tensor<3x1xf32>, tensor<4xf32>) {
  %0 = qnt.reduce_min %x {axes = array<i64: 1>} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  %1 = qnt.reduce_prod %x {axes = array<i64: 0>, keepdims = false} : (tensor<3x4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<3x1xf32>, tensor<4xf32>
}

// -----

// arg_max carries (best, index) through one generic over the reduced axis:
// a strictly greater value wins (first index on ties); arg_min with
// select_last_index takes less-or-equal (last index on ties).
// CHECK-LABEL: func @arg_max_min
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.fill ins(%[[NINF]]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: linalg.index 1
// CHECK: arith.index_cast
// CHECK: arith.cmpf ogt
// CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK: linalg.index 0
// CHECK: arith.cmpf ole
// CHECK: return
func.func @arg_max_min(%x: tensor<3x4xf32>) -> (tensor<3x1xi64>, tensor<4xi64>) {
  %0 = qnt.arg_max %x {axis = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x1xi64>
  %1 = qnt.arg_min %x {axis = 0 : i64, keepdims = false, select_last_index = true} : (tensor<3x4xf32>) -> tensor<4xi64>
  return %0, %1 : tensor<3x1xi64>, tensor<4xi64>
}

// -----

// alpha != 1 multiplies after the product; a run-time A^T is a
// linalg.transpose.
// CHECK-LABEL: func @gemm_alpha_trans_a
// CHECK: linalg.transpose ins(%arg0 : tensor<2x3xf32>) {{.*}} permutation = [1, 0]
// CHECK: linalg.matmul
// CHECK: arith.constant 2.000000e+00
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @gemm_alpha_trans_a(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>, %c: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = qnt.gemm %a, %b, %c {alpha = 2.0 : f32, trans_a = true} : (tensor<2x3xf32>, tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// A 1-D operand gains a unit dim: [K] x [K, N] is [1, K] x [K, N].
// CHECK-LABEL: func @matmul_vector
// CHECK: tensor.expand_shape %arg0 {{.*}} into tensor<1x4xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %arg1 : tensor<1x4xf32>, tensor<4x5xf32>)
// CHECK: tensor.collapse_shape {{.*}} into tensor<5xf32>
func.func @matmul_vector(%a: tensor<4xf32>, %b: tensor<4x5xf32>) -> tensor<5xf32> {
  %0 = qnt.matmul %a, %b : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// align_corners: x = o * (in - 1) / (out - 1); round_prefer_ceil is
// floor(x + 0.5). 2 -> 5 reads 0, 0, 1, 1, 1: not a repeat.
// CHECK-LABEL: func @resize_align_corners
// CHECK: arith.constant 2.500000e-01 : f64
// CHECK: arith.mulf
// CHECK: arith.constant 5.000000e-01 : f64
// CHECK: arith.addf
// CHECK: math.floor
func.func @resize_align_corners(%x: tensor<1x1x1x2xf32>) -> tensor<1x1x1x5xf32> {
  %0 = qnt.resize %x {coordinate_transform = #qnt.coordinate_transform<align_corners>, nearest_mode = #qnt.nearest_mode<round_prefer_ceil>, scales = array<f32: 1.0, 1.0, 1.0, 2.5>} : (tensor<1x1x1x2xf32>) -> tensor<1x1x1x5xf32>
  return %0 : tensor<1x1x1x5xf32>
}

// -----

// half_pixel_symmetric shifts half_pixel by in/2 * (1 - out / (scale * in)):
// here 3 / 2 * (1 - 4 / (1.5 * 3)) = 1/6.
// CHECK-LABEL: func @resize_half_pixel_symmetric
// CHECK: arith.constant 0.16666{{[0-9]*}} : f64
// CHECK: arith.addf
// CHECK: math.ceil
func.func @resize_half_pixel_symmetric(%x: tensor<1x1x1x3xf32>) -> tensor<1x1x1x4xf32> {
  %0 = qnt.resize %x {coordinate_transform = #qnt.coordinate_transform<half_pixel_symmetric>, scales = array<f32: 1.0, 1.0, 1.0, 1.5>} : (tensor<1x1x1x3xf32>) -> tensor<1x1x1x4xf32>
  return %0 : tensor<1x1x1x4xf32>
}

// -----

// pytorch_half_pixel maps a length-1 output to 0.
// CHECK-LABEL: func @resize_pytorch_single
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK: math.floor %[[ZERO]]
func.func @resize_pytorch_single(%x: tensor<1x1x1x4xf32>) -> tensor<1x1x1x1xf32> {
  %0 = qnt.resize %x {coordinate_transform = #qnt.coordinate_transform<pytorch_half_pixel>, nearest_mode = #qnt.nearest_mode<floor>, scales = array<f32: 1.0, 1.0, 1.0, 0.25>} : (tensor<1x1x1x4xf32>) -> tensor<1x1x1x1xf32>
  return %0 : tensor<1x1x1x1xf32>
}

// -----

// top_k: a rank per element (an n x n reduction counting the elements
// before it: better, NaN above numbers, or equal with a lower index), then
// each output position p < k takes the element whose rank is p.
// CHECK-LABEL: func @top_k
// CHECK: %[[RANKS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg0 : tensor<3x10xf32>, tensor<3x10xf32>) outs(%{{.*}} : tensor<3x10xi64>)
// CHECK: arith.cmpi slt
// CHECK: arith.cmpf uno
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf oeq
// CHECK: arith.extui
// CHECK: arith.addi
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %[[RANKS]] : tensor<3x10xf32>, tensor<3x10xi64>) outs(%{{.*}}, %{{.*}} : tensor<3x4xf32>, tensor<3x4xi64>)
// CHECK: %[[P:.*]] = arith.index_cast
// CHECK: %[[I:.*]] = arith.index_cast
// CHECK: %[[HIT:.*]] = arith.cmpi eq, %{{.*}}, %[[P]] : i64
// CHECK: arith.select %[[HIT]], %{{.*}} : f32
// CHECK: arith.select %[[HIT]], %[[I]], %{{.*}} : i64
func.func @top_k(%x: tensor<3x10xf32>) -> (tensor<3x4xf32>, tensor<3x4xi64>) {
  %v, %i = qnt.top_k %x {axis = 1 : i64, k = 4 : i64} : (tensor<3x10xf32>) -> (tensor<3x4xf32>, tensor<3x4xi64>)
  return %v, %i : tensor<3x4xf32>, tensor<3x4xi64>
}

// -----

// Smallest on integers: signed less-than, no NaN test.
// CHECK-LABEL: func @top_k_smallest_int
// CHECK: arith.cmpi slt
// CHECK-NOT: arith.cmpf
// CHECK: arith.cmpi eq
func.func @top_k_smallest_int(%x: tensor<6xi32>) -> (tensor<2xi32>, tensor<2xi64>) {
  %v, %i = qnt.top_k %x {axis = 0 : i64, k = 2 : i64, largest = false} : (tensor<6xi32>) -> (tensor<2xi32>, tensor<2xi64>)
  return %v, %i : tensor<2xi32>, tensor<2xi64>
}

// -----

// i32 (MatMulInteger, ConvInteger): the same structured ops, with integer
// arithmetic in the batched body and i32 zeros for the init and padding.
// CHECK-LABEL: func @matmul_batched_i32
// CHECK: arith.constant 0 : i32
// CHECK: linalg.generic
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK-NOT: arith.mulf
func.func @matmul_batched_i32(%a: tensor<2x3x4xi32>, %b: tensor<2x4x5xi32>) -> tensor<2x3x5xi32> {
  %0 = qnt.matmul %a, %b : (tensor<2x3x4xi32>, tensor<2x4x5xi32>) -> tensor<2x3x5xi32>
  return %0 : tensor<2x3x5xi32>
}

// -----

// CHECK-LABEL: func @conv_i32
// CHECK: tensor.pad
// CHECK: tensor.yield %{{.*}} : i32
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %arg1 : tensor<1x1x5x5xi32>, tensor<2x1x2x2xi32>) outs(%{{.*}} : tensor<1x2x4x4xi32>)
func.func @conv_i32(%x: tensor<1x1x3x3xi32>, %w: tensor<2x1x2x2xi32>) -> tensor<1x2x4x4xi32> {
  %0 = qnt.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3xi32>, tensor<2x1x2x2xi32>) -> tensor<1x2x4x4xi32>
  return %0 : tensor<1x2x4x4xi32>
}
