// RUN: quant-opt %s --pass-pipeline='builtin.module(func.func(qnt-quantize{activations=dynamic}))' -split-input-file | FileCheck %s
// RUN: quant-opt %s --pass-pipeline='builtin.module(func.func(qnt-quantize{activations=dynamic granularity=per-tensor dynamic-scaling=per-tensor-minmax}))' -split-input-file | FileCheck %s --check-prefix=TENSOR
// RUN: not quant-opt %s --pass-pipeline='builtin.module(func.func(qnt-quantize{activations=dynamic weight-bits=4}))' -split-input-file 2>&1 | FileCheck %s --check-prefix=BITS

// activations=dynamic: no ranges needed. A matmul with a constant [K, N]
// weight and a batched input becomes qnt.dynamic_linear with the weight
// transposed to [N, K] int8, one scale per output channel (per-token
// absmax, the default scaling, is not printed):
// max |w| / 127 = 2 / 127 and 4 / 127.
// CHECK-LABEL: func.func @matmul
// CHECK:         %[[WQ:.*]] = qnt.constant dense<{{\[\[}}64, -127, 0], [127, 32, -95]]> : tensor<2x3xi8>
// CHECK:         %[[W:.*]] = quant.scast %[[WQ]] : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8<-127:127>:f32:0, {0.015748031{{[0-9]*}},0.031496062{{[0-9]*}}}>>
// CHECK:         qnt.dynamic_linear %arg0, %[[W]] : (tensor<4x5x3xf32>, {{.*}}) -> tensor<4x5x2xf32>
// CHECK-NOT:     qnt.matmul
// TENSOR-LABEL: func.func @matmul
// TENSOR:         quant.scast {{.*}} to tensor<2x3x!quant.uniform<i8<-127:127>:f32, 0.031496062{{[0-9]*}}>>
// TENSOR:         qnt.dynamic_linear {{.*}} {scaling = #qnt.dynamic_scaling<per_tensor_minmax>}
// BITS: error: qnt-quantize: activations=dynamic takes int8 weights (weight-bits=8)
func.func @matmul(%x: tensor<4x5x3xf32>) -> tensor<4x5x2xf32> {
  %w = qnt.constant dense<[[1.0, 4.0], [-2.0, 1.0], [0.0, -3.0]]> : tensor<3x2xf32>
  %0 = qnt.matmul %x, %w : (tensor<4x5x3xf32>, tensor<3x2xf32>) -> tensor<4x5x2xf32>
  return %0 : tensor<4x5x2xf32>
}

// -----

// A trans_b gemm keeps its [N, K] weight; a [1, N] bias becomes [N].
// CHECK-LABEL: func.func @gemm
// CHECK:         %[[B:.*]] = qnt.constant dense<[5.000000e-01, -1.000000e+00]> : tensor<2xf32>
// CHECK:         qnt.dynamic_linear %arg0, %{{.*}}, %[[B]] : (tensor<6x3xf32>, tensor<2x3x!quant.uniform<i8<-127:127>:f32:0, {{.*}}>>, tensor<2xf32>) -> tensor<6x2xf32>
func.func @gemm(%x: tensor<6x3xf32>) -> tensor<6x2xf32> {
  %w = qnt.constant dense<[[1.0, -2.0, 0.0], [4.0, 1.0, -3.0]]> : tensor<2x3xf32>
  %b = qnt.constant dense<[[0.5, -1.0]]> : tensor<1x2xf32>
  %0 = qnt.gemm %x, %w, %b {trans_b = true} : (tensor<6x3xf32>, tensor<2x3xf32>, tensor<1x2xf32>) -> tensor<6x2xf32>
  return %0 : tensor<6x2xf32>
}

// -----

// What stays float: a conv, a gemm with alpha != 1, a matmul with
// qnt.weight_bits = 32, a product of activations whose batch dims
// broadcast. A product of two activations of equal batch dims becomes
// qnt.dynamic_matmul.
// CHECK-LABEL: func.func @float
// CHECK-NOT:     qnt.dynamic_linear
// CHECK:         qnt.conv
// CHECK:         qnt.gemm
// CHECK:         qnt.dynamic_matmul %arg1, %arg2 : (tensor<6x3xf32>, tensor<3x6xf32>) -> tensor<6x6xf32>
// CHECK:         qnt.matmul
// CHECK:         qnt.matmul %arg3, %arg4
func.func @float(%i: tensor<1x1x4x4xf32>, %x: tensor<6x3xf32>, %y: tensor<3x6xf32>, %p: tensor<2x6x3xf32>, %q: tensor<3x2xf32>) -> (tensor<1x1x4x4xf32>, tensor<6x2xf32>, tensor<6x6xf32>, tensor<6x2xf32>, tensor<2x6x2xf32>) {
  %k = qnt.constant dense<1.0> : tensor<1x1x1x1xf32>
  %c = qnt.conv %i, %k {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %w = qnt.constant dense<1.0> : tensor<2x3xf32>
  %g = qnt.gemm %x, %w {alpha = 2.0 : f32, trans_b = true} : (tensor<6x3xf32>, tensor<2x3xf32>) -> tensor<6x2xf32>
  %m = qnt.matmul %x, %y : (tensor<6x3xf32>, tensor<3x6xf32>) -> tensor<6x6xf32>
  %w2 = qnt.constant dense<1.0> : tensor<3x2xf32>
  %f = qnt.matmul %x, %w2 {qnt.weight_bits = 32 : i64} : (tensor<6x3xf32>, tensor<3x2xf32>) -> tensor<6x2xf32>
  %r = qnt.matmul %p, %q : (tensor<2x6x3xf32>, tensor<3x2xf32>) -> tensor<2x6x2xf32>
  return %c, %g, %m, %f, %r : tensor<1x1x4x4xf32>, tensor<6x2xf32>, tensor<6x6xf32>, tensor<6x2xf32>, tensor<2x6x2xf32>
}
