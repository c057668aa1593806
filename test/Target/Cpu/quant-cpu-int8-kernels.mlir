// RUN: quant-opt %s --quant-cpu-int8-kernels=isa=generic -split-input-file -verify-diagnostics | FileCheck %s
// RUN: quant-opt %s --quant-cpu-int8-kernels="isa=generic parallel=0" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=SEQ
// RUN: not quant-opt %s --quant-cpu-int8-kernels=isa=sse9 2>&1 | FileCheck %s --check-prefix=BADISA

// BADISA: quant-opt: for the --isa option: Cannot find option named 'sse9'!

// A 1x1 conv, by hand (runtime/kernels/quant_int8_kernels.h):
//  - weights [2][K=1], in the direct order one channel group of 4 (K = 4),
//    packed as rows panels for the generic tile (MR = 4):
//    [1 block][K4 = 1][4 rows][4], zero padded: 16 bytes;
//  - bias - (zp_in + 128) * sum(w): 10 - 131 * 1 = -121, -20 - 131 * -2 = 242;
//  - multipliers 0.5 * 0.25 / 1.0 = 2^30 * 2^-33 and 0.5 * 0.5 / 1.0 =
//    2^30 * 2^-32;
//  - params: batch 1, IC 1, 2x2, OC 2, 2x2, kernel 1x1, strides 1,
//    dilations 1, pads 0 0, zp_in 3, zp_out -5, [-128, 127], parallel 1;
//  - scratch: the repacked image [1 channel group][2 rows][2 columns][4]
//    plus 16 + 2 columns of slack (88 bytes), then one 8-byte k-group
//    offset: 96 bytes.
// CHECK-LABEL: func.func private @quant_qconv2d_generic(memref<?xi8>, memref<?xi8>, memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi8>, memref<?xi8>, memref<?xi64>) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @conv
// CHECK:         %[[XQ:.*]] = quant.qcast
// CHECK:         %[[XS:.*]] = quant.scast %[[XQ]] {{.*}} to tensor<1x1x2x2xi8>
// CHECK:         %[[XB:.*]] = bufferization.to_buffer %[[XS]] read_only
// CHECK:         %[[XF:.*]] = memref.collapse_shape %[[XB]] {{\[\[}}0, 1, 2, 3]] : memref<1x1x2x2xi8> into memref<4xi8>
// CHECK:         %[[X:.*]] = memref.cast %[[XF]] : memref<4xi8> to memref<?xi8>
// CHECK:         arith.constant dense<[1, 0, 0, 0, -2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : tensor<16xi8>
// CHECK:         arith.constant dense<[-121, 242]> : tensor<2xi32>
// CHECK:         arith.constant dense<1073741824> : tensor<2xi32>
// CHECK:         arith.constant dense<[33, 32]> : tensor<2xi32>
// CHECK:         %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8xi8>
// CHECK:         memref.alloc() {alignment = 64 : i64} : memref<96xi8>
// CHECK:         arith.constant dense<[1, 1, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 3, -5, -128, 127, 1]> : tensor<20xi64>
// CHECK:         call @quant_qconv2d_generic(%[[X]],
// CHECK:         %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<8xi8> to tensor<8xi8>
// CHECK:         %[[E:.*]] = tensor.expand_shape %[[T]] {{\[\[}}0, 1, 2, 3]] output_shape [1, 2, 2, 2]
// CHECK:         %[[Y:.*]] = quant.scast %[[E]] : tensor<1x2x2x2xi8> to tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-5>>
// CHECK:         quant.dcast %[[Y]]
// CHECK-NOT:     qnt.conv
// SEQ-LABEL: func.func @conv
// SEQ:         arith.constant dense<[1, 1, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 3, -5, -128, 127, 0]> : tensor<20xi64>
func.func @conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %xq = quant.qcast %x : tensor<1x1x2x2xf32> to tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:3>>
  %w = qnt.constant dense<[[[[1]]], [[[-2]]]]> : tensor<2x1x1x1xi8>
  %wq = quant.scast %w : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.5}>>
  %b = qnt.constant dense<[10, -20]> : tensor<2xi32>
  %bq = quant.scast %b : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.25}>>
  %y = qnt.conv %xq, %wq, %bq {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:3>>, tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.5}>>, tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.25}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0:-5>>
  %d = quant.dcast %y : tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0:-5>> to tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}

// -----

// A gemm without bias (B = 1, K = 3, N = 2 from a transposed [2][3]
// weight): cols panels [1][K4 = 1][16 columns][4] = 64 bytes (a blob),
// bias 0 - (zp_in + 128) * column sums: -(0 + 128) * (1 + 2 + 3) = -768 and
// -(128) * (-6) = 768; the scratch holds the packed activation rows:
// [1 block][1][4 rows][4] = 16 bytes.
// CHECK-LABEL: func.func private @quant_qgemm_generic
// CHECK-LABEL: func.func @gemm
// CHECK:         arith.constant dense_resource<{{.*}}> : tensor<64xi8>
// CHECK:         arith.constant dense<[-768, 768]> : tensor<2xi32>
// CHECK:         memref.alloc() {alignment = 64 : i64} : memref<2xi8>
// CHECK:         memref.alloc() {alignment = 64 : i64} : memref<16xi8>
// CHECK:         arith.constant dense<[1, 3, 2, 0, 0, -128, 127, 1]> : tensor<8xi64>
// CHECK:         call @quant_qgemm_generic
func.func @gemm(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %xq = quant.qcast %x : tensor<1x3xf32> to tensor<1x3x!quant.uniform<i8:f32, 0.5>>
  %w = qnt.constant dense<[[1, 2, 3], [-1, -2, -3]]> : tensor<2x3xi8>
  %wq = quant.scast %w : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8<-127:127>:f32, 0.25>>
  %y = qnt.gemm %xq, %wq {trans_b = true} : (tensor<1x3x!quant.uniform<i8:f32, 0.5>>, tensor<2x3x!quant.uniform<i8<-127:127>:f32, 0.25>>) -> tensor<1x2x!quant.uniform<i8:f32, 1.0>>
  %d = quant.dcast %y : tensor<1x2x!quant.uniform<i8:f32, 1.0>> to tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}

// -----

// A depthwise conv (group = C = 2) calls quant_qdwconv2d: the weights as
// stored ([C][KH][KW], no packing), the raw bias (the kernel subtracts the
// zero point from its inputs), per-channel multipliers as for @conv, and
// the QUANT_QCONV_* params: batch 1, IC 2, 3x3, OC 2, 2x2, kernel 2x2,
// strides 1, dilations 1, pads 0 0, zp_in 3, zp_out -5, [-128, 127],
// parallel 1. The kernels need no scratch (one byte is allocated).
// CHECK-LABEL: func.func private @quant_qdwconv2d_generic(memref<?xi8>, memref<?xi8>, memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi8>, memref<?xi8>, memref<?xi64>) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @depthwise
// CHECK:         arith.constant dense<[1, 2, 3, 4, -1, -2, -3, -4]> : tensor<8xi8>
// CHECK:         arith.constant dense<[10, -20]> : tensor<2xi32>
// CHECK:         arith.constant dense<1073741824> : tensor<2xi32>
// CHECK:         arith.constant dense<[33, 32]> : tensor<2xi32>
// CHECK:         memref.alloc() {alignment = 64 : i64} : memref<8xi8>
// CHECK:         memref.alloc() {alignment = 64 : i64} : memref<1xi8>
// CHECK:         arith.constant dense<[1, 2, 3, 3, 2, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 3, -5, -128, 127, 1]> : tensor<20xi64>
// CHECK:         call @quant_qdwconv2d_generic(
// CHECK-NOT:     qnt.conv
func.func @depthwise(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x2x2xf32> {
  %xq = quant.qcast %x : tensor<1x2x3x3xf32> to tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5:3>>
  %w = qnt.constant dense<[[[[1, 2], [3, 4]]], [[[-1, -2], [-3, -4]]]]> : tensor<2x1x2x2xi8>
  %wq = quant.scast %w : tensor<2x1x2x2xi8> to tensor<2x1x2x2x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.5}>>
  %b = qnt.constant dense<[10, -20]> : tensor<2xi32>
  %bq = quant.scast %b : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.25}>>
  %y = qnt.conv %xq, %wq, %bq {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5:3>>, tensor<2x1x2x2x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.5}>>, tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.25}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0:-5>>
  %d = quant.dcast %y : tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0:-5>> to tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}

// -----

// Left to the reference lowering: a grouped conv that is not depthwise, a
// depthwise conv beyond the kernels' limits (9x9), a product of two
// activations whose requantization scale (0.25 / 2^40) has no fixed-point
// form, a gemm with alpha != 1.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:     call
// CHECK:         qnt.conv {{.*}}group = 2
// CHECK:         qnt.conv {{.*}}group = 2
// CHECK:         qnt.matmul
// CHECK:         qnt.gemm
func.func @left_alone(%x: tensor<1x4x2x2x!quant.uniform<i8:f32, 0.5>>, %a: tensor<2x2x!quant.uniform<i8:f32, 0.5>>, %b: tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.5>>, %big: tensor<1x2x9x9x!quant.uniform<i8:f32, 0.5>>) -> (tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>>, tensor<2x2x!quant.uniform<i8:f32, 1099511627776.0>>, tensor<2x2x!quant.uniform<i8:f32, 1.0>>, tensor<1x2x1x1x!quant.uniform<i8:f32, 1.0>>) {
  %w = qnt.constant dense<1> : tensor<2x2x1x1xi8>
  %wq = quant.scast %w : tensor<2x2x1x1xi8> to tensor<2x2x1x1x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %0 = qnt.conv %x, %wq {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x2x2x!quant.uniform<i8:f32, 0.5>>, tensor<2x2x1x1x!quant.uniform<i8<-127:127>:f32, 0.5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>>
  %w8 = qnt.constant dense<1> : tensor<2x1x9x9xi8>
  %w8q = quant.scast %w8 : tensor<2x1x9x9xi8> to tensor<2x1x9x9x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %3 = qnt.conv %big, %w8q {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x9x9x!quant.uniform<i8:f32, 0.5>>, tensor<2x1x9x9x!quant.uniform<i8<-127:127>:f32, 0.5>>) -> tensor<1x2x1x1x!quant.uniform<i8:f32, 1.0>>
  %1 = qnt.matmul %a, %b : (tensor<2x2x!quant.uniform<i8:f32, 0.5>>, tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.5>>) -> tensor<2x2x!quant.uniform<i8:f32, 1099511627776.0>>
  %c = qnt.constant dense<1> : tensor<2x2xi8>
  %cq = quant.scast %c : tensor<2x2xi8> to tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %2 = qnt.gemm %a, %cq {alpha = 2.0 : f32} : (tensor<2x2x!quant.uniform<i8:f32, 0.5>>, tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.5>>) -> tensor<2x2x!quant.uniform<i8:f32, 1.0>>
  return %0, %1, %2, %3 : tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>>, tensor<2x2x!quant.uniform<i8:f32, 1099511627776.0>>, tensor<2x2x!quant.uniform<i8:f32, 1.0>>, tensor<1x2x1x1x!quant.uniform<i8:f32, 1.0>>
}

// -----

// Products of two activations (attention's Q K^T and P V) become
// quant_qbmm_<isa> calls on the operands as stored. Params, by hand
// (runtime/kernels/quant_int8_kernels.h): batch 2 (1x2), M 1, K 4, N 3,
// rhs as [K][N] (0), zero points 3 and -2, the multiplier of
// 0.5 * 0.25 / 1.0 = 2^-3 (2^30 with shift 33), output zero point 5,
// [-128, 127], parallel 1.
// CHECK-LABEL: func.func private @quant_qbmm_generic(memref<?xi8>, memref<?xi8>, memref<?xi8>, memref<?xi64>) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @product
// CHECK:         %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<6xi8>
// CHECK:         %[[AS:.*]] = quant.scast %{{.*}} to tensor<1x2x1x4xi8>
// CHECK:         %[[AB:.*]] = bufferization.to_buffer %[[AS]] read_only
// CHECK:         %[[BS:.*]] = quant.scast %{{.*}} to tensor<1x2x4x3xi8>
// CHECK:         %[[BB:.*]] = bufferization.to_buffer %[[BS]] read_only
// CHECK:         arith.constant dense<[2, 1, 4, 3, 0, 3, -2, 1073741824, 33, 5, -128, 127, 1]> : tensor<13xi64>
// CHECK:         call @quant_qbmm_generic(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (memref<?xi8>, memref<?xi8>, memref<?xi8>, memref<?xi64>) -> ()
// CHECK:         bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT:     qnt.matmul
// SEQ-LABEL: func.func @product
// SEQ:         arith.constant dense<[2, 1, 4, 3, 0, 3, -2, 1073741824, 33, 5, -128, 127, 0]> : tensor<13xi64>
func.func @product(%a: tensor<1x2x1x4x!quant.uniform<i8:f32, 0.5:3>>, %b: tensor<1x2x4x3x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<1x2x1x3x!quant.uniform<i8:f32, 1.0:5>> {
  %y = qnt.matmul %a, %b : (tensor<1x2x1x4x!quant.uniform<i8:f32, 0.5:3>>, tensor<1x2x4x3x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<1x2x1x3x!quant.uniform<i8:f32, 1.0:5>>
  return %y : tensor<1x2x1x3x!quant.uniform<i8:f32, 1.0:5>>
}

// -----

// A transpose of the rhs's last two dims (Q K^T) is not materialized: the
// kernel reads the untransposed [N][K] tensor (RHS_NK = 1), whether the
// transpose is on the int8 value or on the float one quant.qcast
// quantizes (the qcast then quantizes the untransposed tensor).
// CHECK-LABEL: func.func @product_transposed
// CHECK-SAME:    (%[[K8:[^:]*]]: tensor<1x2x3x4x!quant.uniform<i8:f32, {{.*}}>>, %[[KF:[^:]*]]: tensor<1x2x3x4xf32>
// CHECK:         quant.scast %[[K8]] : tensor<1x2x3x4x!quant.uniform<i8:f32, {{.*}}:-2>> to tensor<1x2x3x4xi8>
// CHECK:         arith.constant dense<[2, 1, 4, 3, 1, 3, -2, 1073741824, 33, 5, -128, 127, 1]> : tensor<13xi64>
// CHECK:         call @quant_qbmm_generic
// CHECK:         %[[Q:.*]] = quant.qcast %[[KF]] : tensor<1x2x3x4xf32> to tensor<1x2x3x4x!quant.uniform<i8:f32, 2.500000e-01:-2>>
// CHECK:         quant.scast %[[Q]] : tensor<1x2x3x4x!quant.uniform<i8:f32, {{.*}}:-2>> to tensor<1x2x3x4xi8>
// CHECK:         arith.constant dense<[2, 1, 4, 3, 1, 3, -2, 1073741824, 33, 5, -128, 127, 1]> : tensor<13xi64>
// CHECK:         call @quant_qbmm_generic
// CHECK-NOT:     qnt.matmul
func.func @product_transposed(%k8: tensor<1x2x3x4x!quant.uniform<i8:f32, 0.25:-2>>, %kf: tensor<1x2x3x4xf32>, %a: tensor<1x2x1x4x!quant.uniform<i8:f32, 0.5:3>>) -> (tensor<1x2x1x3x!quant.uniform<i8:f32, 1.0:5>>, tensor<1x2x1x3x!quant.uniform<i8:f32, 1.0:5>>) {
  %t8 = qnt.transpose %k8 {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x3x4x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<1x2x4x3x!quant.uniform<i8:f32, 0.25:-2>>
  %y0 = qnt.matmul %a, %t8 : (tensor<1x2x1x4x!quant.uniform<i8:f32, 0.5:3>>, tensor<1x2x4x3x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<1x2x1x3x!quant.uniform<i8:f32, 1.0:5>>
  %tf = qnt.transpose %kf {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x3x4xf32>) -> tensor<1x2x4x3xf32>
  %q = quant.qcast %tf : tensor<1x2x4x3xf32> to tensor<1x2x4x3x!quant.uniform<i8:f32, 0.25:-2>>
  %y1 = qnt.matmul %a, %q : (tensor<1x2x1x4x!quant.uniform<i8:f32, 0.5:3>>, tensor<1x2x4x3x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<1x2x1x3x!quant.uniform<i8:f32, 1.0:5>>
  return %y0, %y1 : tensor<1x2x1x3x!quant.uniform<i8:f32, 1.0:5>>, tensor<1x2x1x3x!quant.uniform<i8:f32, 1.0:5>>
}

// -----

// Other transposes stay (here one of the batch dims, perm [1, 0, 2, 3]:
// the kernel reads its result as [K][N]); a K past the exact int32 bound
// (2^31 / 255^2 = 33025) and operands with different batch dims are left
// to the reference lowering, which explains them.
// CHECK-LABEL: func.func @product_other_forms
// CHECK:         %[[T:.*]] = qnt.transpose
// CHECK:         quant.scast %[[T]]
// CHECK:         arith.constant dense<[2, 1, 4, 3, 0, 3, -2, 1073741824, 33, 5, -128, 127, 1]> : tensor<13xi64>
// CHECK:         call @quant_qbmm_generic
// CHECK-NOT:     call
// CHECK:         qnt.matmul {{.*}}1x33026x
// CHECK:         qnt.matmul {{.*}}2x1x4x3x
func.func @product_other_forms(%a: tensor<1x2x1x4x!quant.uniform<i8:f32, 0.5:3>>, %b: tensor<2x1x4x3x!quant.uniform<i8:f32, 0.25:-2>>, %ka: tensor<1x33026x!quant.uniform<i8:f32, 0.5:3>>, %kb: tensor<33026x1x!quant.uniform<i8:f32, 0.25:-2>>) -> (tensor<1x2x1x3x!quant.uniform<i8:f32, 1.0:5>>, tensor<1x1x!quant.uniform<i8:f32, 1.0:5>>, tensor<2x2x1x3x!quant.uniform<i8:f32, 1.0:5>>) {
  %t = qnt.transpose %b {perm = array<i64: 1, 0, 2, 3>} : (tensor<2x1x4x3x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<1x2x4x3x!quant.uniform<i8:f32, 0.25:-2>>
  %y0 = qnt.matmul %a, %t : (tensor<1x2x1x4x!quant.uniform<i8:f32, 0.5:3>>, tensor<1x2x4x3x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<1x2x1x3x!quant.uniform<i8:f32, 1.0:5>>
  %y1 = qnt.matmul %ka, %kb : (tensor<1x33026x!quant.uniform<i8:f32, 0.5:3>>, tensor<33026x1x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<1x1x!quant.uniform<i8:f32, 1.0:5>>
  %y2 = qnt.matmul %a, %b : (tensor<1x2x1x4x!quant.uniform<i8:f32, 0.5:3>>, tensor<2x1x4x3x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<2x2x1x3x!quant.uniform<i8:f32, 1.0:5>>
  return %y0, %y1, %y2 : tensor<1x2x1x3x!quant.uniform<i8:f32, 1.0:5>>, tensor<1x1x!quant.uniform<i8:f32, 1.0:5>>, tensor<2x2x1x3x!quant.uniform<i8:f32, 1.0:5>>
}
