// RUN: quant-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(quant-cpu-tile-and-vectorize{vector-width=8 parallel-threshold=0}))' | FileCheck %s
// RUN: quant-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(quant-cpu-tile-and-vectorize{vector-width=8}))' | FileCheck %s --check-prefix=SMALL
// RUN: not quant-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(quant-cpu-tile-and-vectorize{vector-width=0}))' 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: quant-cpu-tile-and-vectorize: vector-width, rows and reduction-tile must be positive

// With the default parallel-threshold (65536 iterations) these small ops get
// sequential scf.for tiles instead of scf.forall (no OpenMP region).
// SMALL-LABEL: func.func @pointwise
// SMALL-NOT:   scf.forall
// SMALL:       scf.for %{{.*}} = %c0 to %c32 step %c16
// SMALL:         scf.for %{{.*}} = %c0 to %c32 step %c4
// SMALL:           vector.fma

// A 1x1 convolution is a matmul of the weights [F,C] and the image [C,H*W],
// tiled into 4x16 register tiles (rows x 2 vectors) over an scf.forall that
// walks column tiles outermost; the C loop carries the 4x16 accumulator as
// vectors and does 4 x 4 FMAs per step.
// CHECK-LABEL: func.func @pointwise
// CHECK-NOT:   linalg.conv
// CHECK-DAG:   %[[X:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2, 3]] : tensor<1x16x4x8xf32> into tensor<16x32xf32>
// CHECK-DAG:   %[[W:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0], [1, 2, 3]] : tensor<32x16x1x1xf32> into tensor<32x16xf32>
// CHECK:       scf.forall (%[[J:.*]], %[[I:.*]]) = (0, 0) to (32, 32) step (16, 4)
// CHECK:         %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<4x16xf32>, vector<4x16xf32>
// CHECK:         scf.for %{{.*}} = %c0 to %c16 step %c4 iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %[[ACC]]) -> (tensor<4x16xf32>, vector<4x16xf32>)
// CHECK-COUNT-16: vector.fma {{.*}} : vector<16xf32>
// CHECK:         tensor.parallel_insert_slice
// CHECK:       tensor.expand_shape {{.*}} into tensor<1x32x4x8xf32>
func.func @pointwise(%x: tensor<1x16x4x8xf32>, %w: tensor<32x16x1x1xf32>,
                     %init: tensor<1x32x4x8xf32>) -> tensor<1x32x4x8xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : tensor<1x16x4x8xf32>, tensor<32x16x1x1xf32>)
    outs(%init : tensor<1x32x4x8xf32>) -> tensor<1x32x4x8xf32>
  return %r : tensor<1x32x4x8xf32>
}

// -----

// A 3x3 convolution with stride 2: im2col by one strided slice per tap into
// [C, 9, OH, OW], then the same matmul with K = C*9.
// CHECK-LABEL: func.func @im2col
// CHECK-NOT:   linalg.conv
// CHECK:       %[[COL:.*]] = tensor.empty() : tensor<2x9x4x8xf32>
// CHECK:       %[[T0:.*]] = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 2, 4, 8] [1, 1, 2, 2] : tensor<1x2x9x17xf32> to tensor<2x4x8xf32>
// CHECK:       tensor.insert_slice %[[T0]] into %[[COL]][0, 0, 0, 0] [2, 1, 4, 8] [1, 1, 1, 1]
// CHECK:       tensor.extract_slice %arg0[0, 0, 0, 1] [1, 2, 4, 8] [1, 1, 2, 2]
// CHECK:       tensor.insert_slice {{.*}}[0, 1, 0, 0] [2, 1, 4, 8]
// CHECK:       tensor.extract_slice %arg0[0, 0, 2, 2] [1, 2, 4, 8] [1, 1, 2, 2]
// CHECK:       tensor.insert_slice {{.*}}[0, 8, 0, 0] [2, 1, 4, 8]
// CHECK:       tensor.collapse_shape {{.*}} : tensor<2x9x4x8xf32> into tensor<18x32xf32>
// CHECK:       scf.forall {{.*}} to (32, 4) step (16, 4)
// CHECK:         scf.for %{{.*}} = %c0 to %c18 step %c3
// CHECK-COUNT-12: vector.fma
func.func @im2col(%x: tensor<1x2x9x17xf32>, %w: tensor<4x2x3x3xf32>,
                  %init: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%x, %w : tensor<1x2x9x17xf32>, tensor<4x2x3x3xf32>)
    outs(%init : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %r : tensor<1x4x4x8xf32>
}

// -----

// A batch of 3 is a loop over single images.
// CHECK-LABEL: func.func @batched
// CHECK:       scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK:         tensor.extract_slice %arg0[%{{.*}}, 0, 0, 0] [1, 16, 4, 8]
// CHECK:         scf.forall
// CHECK:           vector.fma
func.func @batched(%x: tensor<3x16x4x8xf32>, %w: tensor<32x16x1x1xf32>,
                   %init: tensor<3x32x4x8xf32>) -> tensor<3x32x4x8xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : tensor<3x16x4x8xf32>, tensor<32x16x1x1xf32>)
    outs(%init : tensor<3x32x4x8xf32>) -> tensor<3x32x4x8xf32>
  return %r : tensor<3x32x4x8xf32>
}

// -----

// With the default parallel-threshold, a batch of small images (each image's
// conv under 16 x 65536 iterations) is an scf.forall over the images, and
// each image's matmul runs sequential tiles inside it: one OpenMP region for
// the batch instead of one per image.
// SMALL-LABEL: func.func @batched_small_images
// SMALL:       scf.forall (%[[N:.*]]) in (8) shared_outs
// SMALL:         tensor.extract_slice %arg0[%[[N]], 0, 0, 0] [1, 16, 8, 16]
// SMALL-NOT:     scf.forall
// SMALL:         scf.for %{{.*}} = %c0 to %c128 step %c16
// SMALL:           vector.fma
// SMALL:         tensor.parallel_insert_slice
func.func @batched_small_images(%x: tensor<8x16x8x16xf32>, %w: tensor<32x16x1x1xf32>,
                                %init: tensor<8x32x8x16xf32>) -> tensor<8x32x8x16xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : tensor<8x16x8x16xf32>, tensor<32x16x1x1xf32>)
    outs(%init : tensor<8x32x8x16xf32>) -> tensor<8x32x8x16xf32>
  return %r : tensor<8x32x8x16xf32>
}

// -----

// Large images (2M iterations each) keep the sequential loop over images,
// each image's matmul parallel inside.
// SMALL-LABEL: func.func @batched_large_images
// SMALL:       scf.for %{{.*}} = %c0 to %c2 step %c1
// SMALL:         scf.forall
// SMALL:           vector.fma
func.func @batched_large_images(%x: tensor<2x16x64x64xf32>, %w: tensor<32x16x1x1xf32>,
                                %init: tensor<2x32x64x64xf32>) -> tensor<2x32x64x64xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : tensor<2x16x64x64xf32>, tensor<32x16x1x1xf32>)
    outs(%init : tensor<2x32x64x64xf32>) -> tensor<2x32x64x64xf32>
  return %r : tensor<2x32x64x64xf32>
}

// -----

// A depthwise 3x3 convolution is one elementwise op over the output adding
// the nine taps (strided input slices times per-channel weights) in the
// reference order; it is vectorized along W.
// CHECK-LABEL: func.func @depthwise
// CHECK-NOT:   linalg.depthwise
// CHECK:       scf.forall (%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) = (0, 0, 0, 0) to (1, 4, 6, 16) step (1, 1, 1, 16)
// CHECK-COUNT-9: vector.transfer_read %arg0{{.*}} : tensor<1x4x8x18xf32>, vector<16xf32>
// CHECK-COUNT-9: vector.transfer_read %arg1{{.*}} : tensor<4x3x3xf32>, vector<f32>
// CHECK:       %[[ACC:.*]] = vector.transfer_read %arg7
// CHECK:       %[[P0:.*]] = arith.mulf {{.*}} : vector<16xf32>
// CHECK-NEXT:  arith.addf %[[ACC]], %[[P0]] : vector<16xf32>
// CHECK-COUNT-8: arith.mulf {{.*}} : vector<16xf32>
// CHECK:       tensor.parallel_insert_slice
func.func @depthwise(%x: tensor<1x4x8x18xf32>, %w: tensor<4x3x3xf32>,
                     %init: tensor<1x4x6x16xf32>) -> tensor<1x4x6x16xf32> {
  %r = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : tensor<1x4x8x18xf32>, tensor<4x3x3xf32>)
    outs(%init : tensor<1x4x6x16xf32>) -> tensor<1x4x6x16xf32>
  return %r : tensor<1x4x6x16xf32>
}

// -----

// Elementwise ops: 1 x ... x (2 vectors) tiles; a bias broadcast along C.
// CHECK-LABEL: func.func @bias_relu
// CHECK:       scf.forall (%{{.*}}, %[[C:.*]], %{{.*}}, %{{.*}}) = (0, 0, 0, 0) to (1, 8, 4, 32) step (1, 1, 1, 16)
// CHECK:         %[[B:.*]] = vector.transfer_read %arg1[%[[C]]]{{.*}} : tensor<8xf32>, vector<f32>
// CHECK:         vector.broadcast %[[B]] : vector<f32> to vector<16xf32>
// CHECK:         arith.maximumf {{.*}} : vector<16xf32>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#c = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @bias_relu(%x: tensor<1x8x4x32xf32>, %b: tensor<8xf32>) -> tensor<1x8x4x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x4x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #c, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
    ins(%x, %b : tensor<1x8x4x32xf32>, tensor<8xf32>) outs(%e : tensor<1x8x4x32xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %in, %bias : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x8x4x32xf32>
  return %r : tensor<1x8x4x32xf32>
}

// -----

// A fill whose innermost dim (3) has no divisor of at least 4 runs over the
// flattened tensor instead of staying scalar. Vector lengths are multiples
// of the width or powers of two (no vector<15>): 60 = 15 x 4 lanes. (Fills
// are not split into a 16-lane part and a remainder; other ops are.)
// CHECK-LABEL: func.func @odd_fill
// CHECK:       tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2, 3]] : tensor<1x4x5x3xf32> into tensor<60xf32>
// CHECK:       scf.forall (%{{.*}}) = (0) to (60) step (4)
// CHECK:         vector.transfer_write {{.*}} : vector<4xf32>, tensor<4xf32>
// CHECK:       tensor.expand_shape {{.*}} : tensor<60xf32> into tensor<1x4x5x3xf32>
func.func @odd_fill() -> tensor<1x4x5x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x5x3xf32>
  %r = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x5x3xf32>) -> tensor<1x4x5x3xf32>
  return %r : tensor<1x4x5x3xf32>
}

// -----

// The same on buffers (the pass runs again after bufferization).
// CHECK-LABEL: func.func @copy_buffers
// CHECK:       scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (4, 64) step (1, 16)
// CHECK:         vector.transfer_read {{.*}} : memref<16xf32, {{.*}}>, vector<16xf32>
// CHECK:         vector.transfer_write {{.*}} : vector<16xf32>, memref<16xf32
func.func @copy_buffers(%a: memref<4x64xf32>, %b: memref<4x64xf32>) {
  linalg.copy ins(%a : memref<4x64xf32>) outs(%b : memref<4x64xf32>)
  return
}

// -----

// Left alone: i1 tensors (vector<Nxi1> memory is bit-packed, buffers are
// byte-per-element), windowed pooling, and an innermost dim of 2 that cannot
// be flattened (a transpose).
// CHECK-LABEL: func.func @left_alone
// CHECK:       linalg.generic
// CHECK:       linalg.pooling_nchw_max
// CHECK:       linalg.transpose
// CHECK-NOT:   scf.forall
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @left_alone(%a: tensor<4x64xf32>, %p: tensor<1x2x8x8xf32>, %t: tensor<2x3xf32>)
    -> (tensor<4x64xi1>, tensor<1x2x4x4xf32>, tensor<3x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x64xi1>
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%a : tensor<4x64xf32>) outs(%e : tensor<4x64xi1>) {
  ^bb0(%in: f32, %out: i1):
    %c = arith.cmpf ogt, %in, %zero : f32
    linalg.yield %c : i1
  } -> tensor<4x64xi1>
  %win = tensor.empty() : tensor<2x2xf32>
  %pe = tensor.empty() : tensor<1x2x4x4xf32>
  %pool = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%p, %win : tensor<1x2x8x8xf32>, tensor<2x2xf32>) outs(%pe : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %te = tensor.empty() : tensor<3x2xf32>
  %tr = linalg.transpose ins(%t : tensor<2x3xf32>) outs(%te : tensor<3x2xf32>) permutation = [1, 0]
  return %r, %pool, %tr : tensor<4x64xi1>, tensor<1x2x4x4xf32>, tensor<3x2xf32>
}

// -----

// A depth-to-space (conv_transpose with stride = kernel = 2) writes output
// rows of 2: vectors run along the input's innermost dim (j, 16 = 2 x 8
// lanes) with the whole short output dim in the tile, so one transposed
// read of vector<16x2> feeds each write.
// CHECK-LABEL: func.func @depth_to_space
// CHECK:       scf.forall ({{.*}}) = (0, 0, 0, 0, 0, 0) to (1, 3, 4, 2, 32, 2) step (1, 1, 1, 1, 16, 2)
// CHECK:         vector.transfer_read {{.*}} : tensor<1x3x2x2x4x32xf32>, vector<16x2xf32>
// CHECK:         arith.maximumf {{.*}} : vector<16x2xf32>
// CHECK:         vector.transfer_write {{.*}} : vector<16x2xf32>, tensor<1x1x1x1x16x2xf32>
#d2s_in = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d3, d5, d2, d4)>
#d2s_out = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
func.func @depth_to_space(%y: tensor<1x3x2x2x4x32xf32>) -> tensor<1x3x4x2x32x2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3x4x2x32x2xf32>
  %r = linalg.generic {indexing_maps = [#d2s_in, #d2s_out],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]}
    ins(%y : tensor<1x3x2x2x4x32xf32>) outs(%e : tensor<1x3x4x2x32x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x3x4x2x32x2xf32>
  return %r : tensor<1x3x4x2x32x2xf32>
}

// -----

// A static tensor.pad: only the borders are filled, each a slice of the
// padded tensor (so bufferization writes them in place, and the inner
// columns' fills are not flattened across the strided slice), then the
// source goes in the middle. No fill covers the whole padded tensor.
// CHECK-LABEL: func.func @pad_borders
// CHECK:       %[[E:.*]] = tensor.empty() : tensor<1x2x10x20xf32>
// CHECK:       tensor.extract_slice %[[E]][0, 0, 0, 0] [1, 2, 1, 20]
// CHECK:       tensor.insert_slice {{.*}}[0, 0, 0, 0] [1, 2, 1, 20]
// CHECK:       tensor.extract_slice {{.*}}[0, 0, 9, 0] [1, 2, 1, 20]
// CHECK:       tensor.insert_slice {{.*}}[0, 0, 9, 0] [1, 2, 1, 20]
// CHECK:       %[[L:.*]] = tensor.extract_slice {{.*}}[0, 0, 0, 0] [1, 2, 10, 2]
// CHECK:       linalg.fill {{.*}} outs(%[[L]] : tensor<1x2x10x2xf32>)
// CHECK:       tensor.insert_slice {{.*}}[0, 0, 0, 0] [1, 2, 10, 2]
// CHECK:       %[[R:.*]] = tensor.extract_slice {{.*}}[0, 0, 0, 18] [1, 2, 10, 2]
// CHECK:       linalg.fill {{.*}} outs(%[[R]] : tensor<1x2x10x2xf32>)
// CHECK:       tensor.insert_slice {{.*}}[0, 0, 0, 18] [1, 2, 10, 2]
// CHECK:       tensor.insert_slice %arg0 into {{.*}}[0, 0, 1, 2] [1, 2, 8, 16] [1, 1, 1, 1]
// CHECK-NOT:   tensor<1x2x10x20xf32>)
// CHECK:       return
func.func @pad_borders(%x: tensor<1x2x8x16xf32>) -> tensor<1x2x10x20xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 2] high[0, 0, 1, 2] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x2x8x16xf32> to tensor<1x2x10x20xf32>
  return %p : tensor<1x2x10x20xf32>
}

// -----

// A stride-1 3x3 convolution whose im2col buffer would exceed 1 MiB (here
// 128*9*8*32 floats) needs none: an scf.forall over output rows accumulates
// nine [F,C] x [C,OW] matmuls, one per kernel tap, on image rows read in
// place; each matmul is vectorized sequentially inside the row (no nested
// scf.forall). Smaller convolutions (@im2col above) keep im2col + one matmul.
// CHECK-LABEL: func.func @row_taps
// CHECK-NOT:   linalg.conv
// CHECK:       scf.forall (%[[R:.*]]) in (8) shared_outs(%[[OUT:.*]] = %arg2)
// CHECK-NOT:     scf.forall
// CHECK:         tensor.extract_slice %[[OUT]][0, 0, %[[R]], 0] [1, 8, 1, 32] [1, 1, 1, 1] : tensor<1x8x8x32xf32> to tensor<8x32xf32>
// CHECK:         scf.for
// CHECK:           vector.transfer_read %arg0[%c0, %{{.*}}, %[[R]], %{{.*}}]{{.*}} : tensor<1x128x10x34xf32>, vector<4x16xf32>
// CHECK-COUNT-16:  vector.fma
// CHECK:         affine.apply {{.*}}(%[[R]])
// CHECK:         tensor.parallel_insert_slice {{.*}} into %[[OUT]][0, 0, %[[R]], 0] [1, 8, 1, 32]
func.func @row_taps(%x: tensor<1x128x10x34xf32>, %w: tensor<8x128x3x3xf32>,
                    %init: tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : tensor<1x128x10x34xf32>, tensor<8x128x3x3xf32>)
    outs(%init : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %r : tensor<1x8x8x32xf32>
}

// -----

// A kernel with more than 64 taps (an STFT-like 1x72 conv) uses upstream's
// gather im2col [1, 72, 129], then a linalg.matmul; the output width 129
// divides badly, so the matmul is split into 128 columns (16-lane tiles)
// and a 1-column remainder left to the loops.
// CHECK-LABEL: func.func @big_kernel
// CHECK-NOT:   linalg.conv
// CHECK:       tensor.empty() : tensor<1x72x129xf32>
// CHECK:       linalg.generic {{.*}} outs(%{{.*}} : tensor<1x72x129xf32>)
// CHECK:       tensor.extract_slice %{{.*}}[0, 0] [4, 128] [1, 1] : tensor<4x129xf32> to tensor<4x128xf32>
// CHECK:       scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (128, 4) step (16, 4)
// CHECK:         scf.for %{{.*}} = %c0 to %c72 step %c4
// CHECK:           vector.fma
// CHECK:       linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x72xf32>, tensor<72x1xf32>) outs(%{{.*}} : tensor<4x1xf32>)
func.func @big_kernel(%x: tensor<1x1x1x200xf32>, %w: tensor<4x1x1x72xf32>,
                      %init: tensor<1x4x1x129xf32>) -> tensor<1x4x1x129xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : tensor<1x1x1x200xf32>, tensor<4x1x1x72xf32>)
    outs(%init : tensor<1x4x1x129xf32>) -> tensor<1x4x1x129xf32>
  return %r : tensor<1x4x1x129xf32>
}

// -----

// Ragged contraction dims are split: 37 columns into 32 + 5 and, within the
// 32, 19 rows into 16 (4-row tiles) + 3 (one 3-row tile). The 5-column
// remainder has no good vector length and stays a matmul for the loops.
// CHECK-LABEL: func.func @ragged
// CHECK:       scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (32, 16) step (16, 4)
// CHECK:         vector<4x16xf32>
// CHECK:       scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (32, 3) step (32, 3)
// CHECK:         vector<3x32xf32>
// CHECK:       linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<16x8xf32>, tensor<8x5xf32>)
// CHECK:       linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<3x8xf32>, tensor<8x5xf32>)
func.func @ragged(%a: tensor<19x8xf32>, %b: tensor<8x37xf32>, %c: tensor<19x37xf32>) -> tensor<19x37xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<19x8xf32>, tensor<8x37xf32>) outs(%c : tensor<19x37xf32>) -> tensor<19x37xf32>
  return %r : tensor<19x37xf32>
}

// -----

// A gather (tensor.extract at computed indices, as resize lowers) becomes
// vector.gather.
// CHECK-LABEL: func.func @gather
// CHECK:       scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (8, 32) step (1, 16)
// CHECK:         vector.gather %arg0{{.*}} : tensor<8x16xf32>, vector<1x16xindex>, vector<1x16xi1>, vector<1x16xf32> into vector<1x16xf32>
#idg = affine_map<(d0, d1) -> (d0, d1)>
func.func @gather(%t: tensor<8x16xf32>) -> tensor<8x32xf32> {
  %e = tensor.empty() : tensor<8x32xf32>
  %r = linalg.generic {indexing_maps = [#idg], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<8x32xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c2 = arith.constant 2 : index
    %h = arith.divui %j, %c2 : index
    %v = tensor.extract %t[%i, %h] : tensor<8x16xf32>
    linalg.yield %v : f32
  } -> tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}

// -----

// A gather from a slice reads a contiguous copy of it, made once outside
// the tile loop: the gather's linear indices ignore a strided base's
// strides when lowered (LLVM 22), and the slice would bufferize to a
// strided subview of the 8x16 tensor.
// CHECK-LABEL: func.func @gather_from_slice
// CHECK:       %[[S:.*]] = tensor.extract_slice %arg0[0, 0] [8, 12] [1, 1]
// CHECK:       %[[E:.*]] = tensor.empty() : tensor<8x12xf32>
// CHECK:       %[[C:.*]] = linalg.copy ins(%[[S]] : tensor<8x12xf32>) outs(%[[E]] : tensor<8x12xf32>)
// CHECK:       scf.forall
// CHECK:         vector.gather %[[C]]
#idgs = affine_map<(d0, d1) -> (d0, d1)>
func.func @gather_from_slice(%t: tensor<8x16xf32>) -> tensor<8x32xf32> {
  %s = tensor.extract_slice %t[0, 0] [8, 12] [1, 1] : tensor<8x16xf32> to tensor<8x12xf32>
  %e = tensor.empty() : tensor<8x32xf32>
  %r = linalg.generic {indexing_maps = [#idgs], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<8x32xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c3 = arith.constant 3 : index
    %h = arith.divui %j, %c3 : index
    %v = tensor.extract %s[%i, %h] : tensor<8x12xf32>
    linalg.yield %v : f32
  } -> tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}

// -----

// On buffers, a small op the pass does not vectorize (pooling) becomes
// sequential loops under the default threshold (no OpenMP region later);
// with parallel-threshold=0 it is left to the parallel loop lowering.
// CHECK-LABEL: func.func @small_pool
// CHECK:       linalg.pooling_nchw_max
// SMALL-LABEL: func.func @small_pool
// SMALL-NOT:   linalg.pooling_nchw_max
// SMALL:       scf.for
// SMALL:         arith.maximumf
func.func @small_pool(%x: memref<1x2x8x8xf32>, %win: memref<2x2xf32>, %y: memref<1x2x4x4xf32>) {
  linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%x, %win : memref<1x2x8x8xf32>, memref<2x2xf32>) outs(%y : memref<1x2x4x4xf32>)
  return
}

// -----

// A matrix-vector contraction whose matrix is read along the reduction
// (q [1,64] times a key cache [32,64], as quant-fuse-elementwise folds the
// transpose) takes tiles of one vector of outputs (8) by 32 steps of the
// reduction: the cache block is read row by row, contiguously, transposed
// in registers, and each reduction step is one broadcast FMA, in k order as
// every contraction. No gathers, no horizontal sums.
// CHECK-LABEL: func.func @dot_form_matvec
// CHECK:       scf.forall ({{.*}}) = (0, 0) to (1, 32) step (1, 8)
// CHECK:         scf.for {{.*}} = %c0 to %c64 step %c32
// CHECK:           %[[K:.*]] = vector.transfer_read %arg1{{.*}} : tensor<32x64xf32>, vector<8x32xf32>
// CHECK:           vector.transpose %[[K]], [1, 0] : vector<8x32xf32> to vector<32x8xf32>
// CHECK-COUNT-32:  vector.fma {{.*}} : vector<8xf32>
// CHECK-NOT:   vector.reduction
// CHECK-NOT:   vector.gather
#dq = affine_map<(d0, d1, d2) -> (d0, d2)>
#dk = affine_map<(d0, d1, d2) -> (d1, d2)>
#do = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @dot_form_matvec(%q: tensor<1x64xf32>, %k: tensor<32x64xf32>, %init: tensor<1x32xf32>) -> tensor<1x32xf32> {
  %r = linalg.generic {indexing_maps = [#dq, #dk, #do], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%q, %k : tensor<1x64xf32>, tensor<32x64xf32>) outs(%init : tensor<1x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x32xf32>
  return %r : tensor<1x32xf32>
}

// -----

// A vector times a matrix (attention's probabilities [1,32] times a value
// cache [32,16]) is one broadcast FMA per reduction step on whole rows of
// the matrix, as matrix tiles get from the outer-product lowering; not a
// transpose of the matrix and a horizontal sum per output.
// CHECK-LABEL: func.func @vector_times_matrix
// CHECK:       scf.for
// CHECK:         vector.transfer_read %arg1{{.*}} : tensor<32x16xf32>, vector<4x16xf32>
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT:   vector.transpose
// CHECK-NOT:   vector.reduction
func.func @vector_times_matrix(%p: tensor<1x32xf32>, %v: tensor<32x16xf32>, %init: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %r = linalg.matmul ins(%p, %v : tensor<1x32xf32>, tensor<32x16xf32>) outs(%init : tensor<1x16xf32>) -> tensor<1x16xf32>
  return %r : tensor<1x16xf32>
}

// -----

// The same lowering for a contraction already in vectors: x [4] broadcast
// to [8, 4] times B [4, 8] transposed becomes 4 broadcast FMAs on the rows
// of B, with no transpose left.
// CHECK-LABEL: func.func @contract_of_broadcast_and_transpose
// CHECK-NOT:     vector.transpose
// CHECK:         %[[R0:.*]] = vector.extract %arg1[0] : vector<8xf32> from vector<4x8xf32>
// CHECK:         vector.fma {{.*}}%[[R0]]{{.*}}, %arg2 : vector<8xf32>
// CHECK-COUNT-3: vector.fma
// CHECK-NOT:     vector.contract
#cn = affine_map<(d0, d1) -> (d0, d1)>
#co = affine_map<(d0, d1) -> (d0)>
func.func @contract_of_broadcast_and_transpose(%x: vector<4xf32>, %b: vector<4x8xf32>, %acc: vector<8xf32>) -> vector<8xf32> {
  %xb = vector.broadcast %x : vector<4xf32> to vector<8x4xf32>
  %bt = vector.transpose %b, [1, 0] : vector<4x8xf32> to vector<8x4xf32>
  %r = vector.contract {indexing_maps = [#cn, #cn, #co], iterator_types = ["parallel", "reduction"], kind = #vector.kind<add>} %xb, %bt, %acc : vector<8x4xf32>, vector<8x4xf32> into vector<8xf32>
  return %r : vector<8xf32>
}

// -----

// A vector<1> stretched along the reduction is no vector of k values:
// upstream's lowering takes it (no FMA per k reading past x's one lane).
// CHECK-LABEL: func.func @stretched_broadcast_left_to_upstream
// CHECK-NOT:     vector.fma
// CHECK:         vector.reduction
#sn = affine_map<(d0, d1) -> (d0, d1)>
#so = affine_map<(d0, d1) -> (d0)>
func.func @stretched_broadcast_left_to_upstream(%x: vector<1xf32>, %b: vector<4x8xf32>, %acc: vector<8xf32>) -> vector<8xf32> {
  %xb = vector.broadcast %x : vector<1xf32> to vector<8x4xf32>
  %bt = vector.transpose %b, [1, 0] : vector<4x8xf32> to vector<8x4xf32>
  %r = vector.contract {indexing_maps = [#sn, #sn, #so], iterator_types = ["parallel", "reduction"], kind = #vector.kind<add>} %xb, %bt, %acc : vector<8x4xf32>, vector<8x4xf32> into vector<8xf32>
  return %r : vector<8xf32>
}
