// RUN: quant-opt %s --quant-nvptx-int8-mma --canonicalize -split-input-file | FileCheck %s
// RUN: quant-opt %s --quant-nvptx-int8-mma --quant-gpu-launch-kernel-calls --canonicalize -split-input-file | FileCheck %s --check-prefix=LAUNCH

// A 1x1 conv (M = 4 pixels, K = 1, N = 2): the compensated bias is
// bias - zp_in * sum(w) = 10 - 3 * 1, -20 - 3 * -2; the B fragments fill
// 4 n-tiles x 1 k-step x 32 lanes x 2 words; one 64 x 32 block of 128
// threads.
// CHECK-LABEL: func.func private @__quant_launch_qconv0(memref<?xi8>, memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<?xi8>)
// CHECK-SAME:    quant.launch_block = array<i64: 128, 1, 1>
// CHECK-SAME:    quant.launch_grid = array<i64: 1, 1, 1>
// CHECK-SAME:    quant.launch_kernel = @quant_int8_mma::@qconv0
// CHECK-LABEL: func.func @conv
// CHECK-DAG:     arith.constant dense_resource<__quant_mma_qconv0_w> : tensor<256xi32>
// CHECK-DAG:     arith.constant dense<[7, -14]> : tensor<2xi32>
// CHECK-DAG:     arith.constant dense<1073741824> : tensor<2xi32>
// CHECK-DAG:     arith.constant dense<[33, 32]> : tensor<2xi32>
// CHECK:         quant.scast {{.*}} to tensor<1x1x2x2xi8>
// CHECK:         %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8xi8>
// CHECK:         call @__quant_launch_qconv0(
// CHECK:         bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT:     qnt.conv
// CHECK-LABEL: gpu.module @quant_int8_mma
// CHECK:         gpu.func @qconv0(%{{.*}}: memref<?xi8>, %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xi8>) kernel
// One k-step: the loop is gone. The four n-tiles of the warp's 16 x 32 tile, each one mma per k-step.
// CHECK-COUNT-4:     nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {intOverflowBehavior = #nvvm.mma_int_overflow<wrapped>, layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<s8>, multiplicandBPtxType = #nvvm.mma_type<s8>, shape = #nvvm.shape<m = 16, n = 8, k = 32>} : (i32, i32, i32) -> !llvm.struct<(i32, i32, i32, i32)>
// The epilogue: 16 guarded requantizations (64-bit multiply, round, shift).
// CHECK-COUNT-16:  arith.shrsi {{.*}} : i64
// CHECK:           gpu.return
// LAUNCH-LABEL: func.func @conv
// LAUNCH-DAG:     %[[C1:.*]] = arith.constant 1 : index
// LAUNCH-DAG:     %[[C128:.*]] = arith.constant 128 : index
// LAUNCH:         gpu.launch_func  @quant_int8_mma::@qconv0 blocks in (%[[C1]], %[[C1]], %[[C1]]) threads in (%[[C128]], %[[C1]], %[[C1]]) args(
// LAUNCH-NOT:     call @__quant_launch
// LAUNCH-NOT:   func.func private @__quant_launch
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

// A gemm (M = 100 rows: two blocks of 64; N = 40 columns: two blocks of
// 32, 8 n-tiles; K = 64: two k-steps of 32, 8 x 2 x 64 fragment words).
// CHECK-LABEL: func.func private @__quant_launch_qgemm0
// CHECK-SAME:    quant.launch_grid = array<i64: 2, 2, 1>
// LAUNCH-LABEL: func.func @gemm
// LAUNCH:         gpu.launch_func  @quant_int8_mma::@qgemm0 blocks in (%c2, %c2, %c1) threads in (%c128, %c1, %c1)
// CHECK-LABEL: func.func @gemm
// CHECK-DAG:     arith.constant dense_resource<__quant_mma_qgemm0_w> : tensor<1024xi32>
// CHECK-DAG:     arith.constant dense_resource<__quant_mma_qgemm0_b> : tensor<40xi32>
// CHECK:         call @__quant_launch_qgemm0(
// CHECK-LABEL: gpu.func @qgemm0
// CHECK:         %[[C2:.*]] = arith.constant 2 : index
// CHECK:         scf.for %{{.*}} = %{{.*}} to %[[C2]] step
// CHECK-COUNT-4:   nvvm.mma.sync
func.func @gemm(%x: tensor<100x64x!quant.uniform<i8:f32, 0.5>>) -> tensor<100x40x!quant.uniform<i8:f32, 1.0>> {
  %w = qnt.constant dense<1> : tensor<40x64xi8>
  %wq = quant.scast %w : tensor<40x64xi8> to tensor<40x64x!quant.uniform<i8<-127:127>:f32, 0.25>>
  %y = qnt.gemm %x, %wq {trans_b = true} : (tensor<100x64x!quant.uniform<i8:f32, 0.5>>, tensor<40x64x!quant.uniform<i8<-127:127>:f32, 0.25>>) -> tensor<100x40x!quant.uniform<i8:f32, 1.0>>
  return %y : tensor<100x40x!quant.uniform<i8:f32, 1.0>>
}

// -----

// Left to the reference lowering: a grouped conv, a weight that is not a
// constant.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:     call
// CHECK:         qnt.conv {{.*}}group = 2
// CHECK:         qnt.matmul
// CHECK-NOT:   gpu.module
func.func @left_alone(%x: tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>, %a: tensor<2x2x!quant.uniform<i8:f32, 0.5>>, %b: tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.5>>) -> (tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>>, tensor<2x2x!quant.uniform<i8:f32, 1.0>>) {
  %w = qnt.constant dense<1> : tensor<2x1x1x1xi8>
  %wq = quant.scast %w : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %0 = qnt.conv %x, %wq {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>, tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32, 0.5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>>
  %1 = qnt.matmul %a, %b : (tensor<2x2x!quant.uniform<i8:f32, 0.5>>, tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.5>>) -> tensor<2x2x!quant.uniform<i8:f32, 1.0>>
  return %0, %1 : tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>>, tensor<2x2x!quant.uniform<i8:f32, 1.0>>
}
