// RUN: quant-opt %s --split-input-file --quant-fuse-elementwise | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// An elementwise chain becomes one op.
// CHECK-LABEL: func.func @chain
// CHECK-COUNT-1: linalg.generic
// CHECK-NOT:   linalg.generic
// CHECK:       arith.addf
// CHECK:       arith.maximumf
func.func @chain(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%a, %b : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %r = arith.addf %x, %y : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %m = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%s : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %m : tensor<4x8xf32>
}

// -----

// exp into a row sum: the sum reads each exp result once (the map is a
// permutation of its loops), so it fuses.
// CHECK-LABEL: func.func @exp_into_row_sum
// CHECK:       linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK:         math.exp
// CHECK:         arith.addf
// CHECK-NOT:   linalg.generic
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#r2 = affine_map<(d0, d1) -> (d0)>
func.func @exp_into_row_sum(%a: tensor<4x8xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %x = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.exp %v : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#id2, #r2], iterator_types = ["parallel", "reduction"]}
    ins(%x : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %v, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// A GELU-like producer of a matmul's left-hand side is not fused: the
// matmul reads each element once per output column, so fusing would compute
// erf 16 times per element.
// CHECK-LABEL: func.func @no_recompute_into_matmul
// CHECK:       %[[G:.*]] = linalg.generic
// CHECK:         math.erf
// CHECK:       linalg.generic {{.*}} ins(%[[G]], %arg1
#id3 = affine_map<(d0, d1) -> (d0, d1)>
#lhs = affine_map<(d0, d1, d2) -> (d0, d2)>
#rhs = affine_map<(d0, d1, d2) -> (d2, d1)>
#out = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @no_recompute_into_matmul(%a: tensor<4x8xf32>, %w: tensor<8x16xf32>,
                                    %acc: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %g = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel"]}
    ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.erf %v : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %m = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%g, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%acc : tensor<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %m : tensor<4x16xf32>
}

// -----

// A reshape of a contraction's result stays a reshape (upstream would turn
// the matmul into a 4-D contraction over the reshaped dims).
// CHECK-LABEL: func.func @reshape_after_matmul
// CHECK:       %[[M:.*]] = linalg.generic {{.*}} outs(%arg2 : tensor<4x16xf32>)
// CHECK:       tensor.expand_shape %[[M]] {{\[\[}}0], [1, 2]] output_shape [4, 2, 8] : tensor<4x16xf32> into tensor<4x2x8xf32>
#lhs4 = affine_map<(d0, d1, d2) -> (d0, d2)>
#rhs4 = affine_map<(d0, d1, d2) -> (d2, d1)>
#out4 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @reshape_after_matmul(%a: tensor<4x8xf32>, %w: tensor<8x16xf32>,
                                %acc: tensor<4x16xf32>) -> tensor<4x2x8xf32> {
  %m = linalg.generic {indexing_maps = [#lhs4, #rhs4, #out4], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%a, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%acc : tensor<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  %r = tensor.expand_shape %m [[0], [1, 2]] output_shape [4, 2, 8] : tensor<4x16xf32> into tensor<4x2x8xf32>
  return %r : tensor<4x2x8xf32>
}

// -----

// A transpose read only by a matrix-vector contraction (one output row: a
// decoder's q [1,Dh] times its key cache [T,Dh] transposed) is folded into
// the contraction's map, whose innermost reduction loop is then the
// innermost dim of the cache read in place.
// CHECK-DAG:   #[[QMAP:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG:   #[[KMAP:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @transpose_into_matvec
// CHECK-NOT:   linalg.transpose
// CHECK:       linalg.generic {indexing_maps = [#[[QMAP]], #[[KMAP]], #{{.*}}]
// CHECK-SAME:    ins(%arg0, %arg1 : tensor<1x8xf32>, tensor<32x8xf32>)
#mvq = affine_map<(d0, d1, d2) -> (d0, d2)>
#mvk = affine_map<(d0, d1, d2) -> (d2, d1)>
#mvo = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @transpose_into_matvec(%q: tensor<1x8xf32>, %k: tensor<32x8xf32>) -> tensor<1x32xf32> {
  %zero = arith.constant 0.0 : f32
  %te = tensor.empty() : tensor<8x32xf32>
  %kt = linalg.transpose ins(%k : tensor<32x8xf32>) outs(%te : tensor<8x32xf32>) permutation = [1, 0]
  %o = tensor.empty() : tensor<1x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%o : tensor<1x32xf32>) -> tensor<1x32xf32>
  %r = linalg.generic {indexing_maps = [#mvq, #mvk, #mvo], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%q, %kt : tensor<1x8xf32>, tensor<8x32xf32>) outs(%f : tensor<1x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x32xf32>
  return %r : tensor<1x32xf32>
}

// -----

// With 4 output rows the transpose stays a copy: the contraction's
// outer-product register tiles need the right-hand side contiguous along
// the output's columns.
// CHECK-LABEL: func.func @transpose_kept_for_matmul
// CHECK:       linalg.transpose
// CHECK:       linalg.generic
// CHECK-SAME:    ins(%arg0, %{{.*}} : tensor<4x8xf32>, tensor<8x32xf32>)
#mmq = affine_map<(d0, d1, d2) -> (d0, d2)>
#mmk = affine_map<(d0, d1, d2) -> (d2, d1)>
#mmo = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @transpose_kept_for_matmul(%q: tensor<4x8xf32>, %k: tensor<32x8xf32>) -> tensor<4x32xf32> {
  %zero = arith.constant 0.0 : f32
  %te = tensor.empty() : tensor<8x32xf32>
  %kt = linalg.transpose ins(%k : tensor<32x8xf32>) outs(%te : tensor<8x32xf32>) permutation = [1, 0]
  %o = tensor.empty() : tensor<4x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%o : tensor<4x32xf32>) -> tensor<4x32xf32>
  %r = linalg.generic {indexing_maps = [#mmq, #mmk, #mmo], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%q, %kt : tensor<4x8xf32>, tensor<8x32xf32>) outs(%f : tensor<4x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x32xf32>
  return %r : tensor<4x32xf32>
}

// -----

// A transpose with another reader stays: folding it would leave the copy
// for the other reader and read the input twice.
// CHECK-LABEL: func.func @transpose_with_two_readers_kept
// CHECK:       %[[T:.*]] = linalg.transpose
// CHECK:       linalg.generic
// CHECK-SAME:    ins(%arg0, %[[T]] : tensor<1x8xf32>, tensor<8x32xf32>)
// CHECK:       return {{.*}}, %[[T]]
#tq = affine_map<(d0, d1, d2) -> (d0, d2)>
#tk = affine_map<(d0, d1, d2) -> (d2, d1)>
#to = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @transpose_with_two_readers_kept(%q: tensor<1x8xf32>, %k: tensor<32x8xf32>) -> (tensor<1x32xf32>, tensor<8x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %te = tensor.empty() : tensor<8x32xf32>
  %kt = linalg.transpose ins(%k : tensor<32x8xf32>) outs(%te : tensor<8x32xf32>) permutation = [1, 0]
  %o = tensor.empty() : tensor<1x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%o : tensor<1x32xf32>) -> tensor<1x32xf32>
  %r = linalg.generic {indexing_maps = [#tq, #tk, #to], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%q, %kt : tensor<1x8xf32>, tensor<8x32xf32>) outs(%f : tensor<1x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x32xf32>
  return %r, %kt : tensor<1x32xf32>, tensor<8x32xf32>
}
