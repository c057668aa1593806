// RUN: quant-opt %s --quant-cpu-int8-kernels=isa=generic -split-input-file | FileCheck %s

// An int4 conv becomes a call of the int4 kernel with the reference's
// packed bytes (docs/Numerics.md, "int4 weights": channels 0 and 1 share a
// byte: 0x77 = 119, 0x0C = 12, 0x94 = -108, 0x27 = 39), the combined
// scales f32(s_x * s_w), the f32 bias buffer and the params: batch 1,
// ic 4, 2x2 in, oc 2, 2x2 out, 1x1 kernel, stride 1, dilation 1, no pads,
// input zero point -1, (output grid unused: 0 0 0), parallel 1, and the
// group's K (2 input channels x 1 tap).
// CHECK-LABEL: func.func @conv
// CHECK-DAG:     arith.constant dense<[119, 12, -108, 39]> : tensor<4xi8>
// CHECK-DAG:     arith.constant dense<[7.84313772E-4, 2.24089657E-4, 5.60224144E-5, 0.00156862754]> : tensor<4xf32>
// CHECK-DAG:     arith.constant dense<[1, 4, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, -1, 0, 0, 0, 1, 2]> : tensor<21xi64>
// CHECK:         call @quant_w4conv2d_generic(
// CHECK-NOT:     qnt.conv
!in = !quant.uniform<i8:f32, 0.0078431377187371254:-1>
!w4 = !quant.uniform<i4:f32:{0:1, 1:2}, {{{{0.1}}, {{0.0285714287}}}, {{{0.00714285718}}, {{0.2}}}}>
func.func @conv(%x: tensor<1x4x2x2x!in>) -> tensor<1x2x2x2xf32> {
  %w = qnt.constant dense<[[[[7]], [[-4]], [[4]], [[7]]], [[[7]], [[0]], [[-7]], [[2]]]]> : tensor<2x4x1x1xi4>
  %wq = quant.scast %w : tensor<2x4x1x1xi4> to tensor<2x4x1x1x!w4>
  %b = qnt.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %0 = qnt.conv %x, %wq, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x2x2x!in>, tensor<2x4x1x1x!w4>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

// A gemm without a bias gets a zero bias buffer; params: rows 1, K 2,
// N 3, input zero point 0, (output grid unused), parallel 1, group K 2.
// CHECK-LABEL: func.func @gemm
// CHECK-DAG:     arith.constant dense<[33, 3, 15, 8]> : tensor<4xi8>
// CHECK-DAG:     arith.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK-DAG:     arith.constant dense<[1, 2, 3, 0, 0, 0, 0, 1, 2]> : tensor<9xi64>
// CHECK:         call @quant_w4gemm_generic(
!gin = !quant.uniform<i8:f32, 0.5:0>
!g4 = !quant.uniform<i4:f32:{0:2, 1:1}, {{1.0, 1.0, 1.0}}>
func.func @gemm(%x: tensor<1x2x!gin>) -> tensor<1x3xf32> {
  %w = qnt.constant dense<[[1, 2, -1], [3, 0, -8]]> : tensor<2x3xi4>
  %wq = quant.scast %w : tensor<2x3xi4> to tensor<2x3x!g4>
  %0 = qnt.gemm %x, %wq : (tensor<1x2x!gin>, tensor<2x3x!g4>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

// A depthwise conv with an int4 weight (hand-written; qnt-quantize never
// makes one) is not given the group-1 int4 kernel: it stays for the
// reference lowering, which reports it.
// CHECK-LABEL: func.func @depthwise
// CHECK-NOT:     call
// CHECK:         qnt.conv {{.*}}group = 2
!din = !quant.uniform<i8:f32, 0.5:0>
!dw4 = !quant.uniform<i4:f32:{0:1, 1:1}, {{{{0.1}}}, {{{0.2}}}}>
func.func @depthwise(%x: tensor<1x2x2x2x!din>) -> tensor<1x2x2x2xf32> {
  %w = qnt.constant dense<[[[[7]]], [[[-4]]]]> : tensor<2x1x1x1xi4>
  %wq = quant.scast %w : tensor<2x1x1x1xi4> to tensor<2x1x1x1x!dw4>
  %0 = qnt.conv %x, %wq {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x2x2x!din>, tensor<2x1x1x1x!dw4>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}
