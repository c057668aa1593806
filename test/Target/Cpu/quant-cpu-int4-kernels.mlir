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

// A gemm without a bias gets a zero bias buffer. Its weights take the
// W4A8 layout (runtime/kernels/quant_int8_kernels.h): one block of 32
// channels, one k-quad, lane l = channel l in the low nibble (channels
// 16-31, absent, in the high one: 8), as w + 8. Channel 0's k = 0..3 are
// 1, 3, 0, -1 -> 0x89 0x8B 0x88 0x87; channel 1's
// 2, 0, 1, -2 -> 0x8A 0x88 0x89 0x86; channel 2's -1, -8, 2, 7 -> 0x87
// 0x80 0x8A 0x8F; every other byte 0x88. Scales f32(0.5 * 1) for
// the 3 channels, 0 past them; corrections -(0 + 128) * (sum of w):
// -128 * 3, -128 * 1, -128 * 0. Params: rows 1, K 4, N 3, input zero
// point 0, (output grid unused), parallel 1, group K 4.
// CHECK-LABEL: func.func @gemm
// CHECK-DAG:     arith.constant dense_resource<[[W:__quant_w4_0_w]]> : tensor<64xi8>
// CHECK-DAG:     arith.constant dense_resource<[[C:__quant_w4_0_c]]> : tensor<32xf32>
// CHECK-DAG:     arith.constant dense_resource<[[Z:__quant_w4_0_z]]> : tensor<32xi32>
// CHECK-DAG:     arith.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK-DAG:     arith.constant dense<[1, 4, 3, 0, 0, 0, 0, 1, 4]> : tensor<9xi64>
// CHECK:         call @quant_w4gemm_generic(
// The blobs: a 4-byte alignment, then the little-endian data.
// CHECK:         [[W]]: "0x01000000898B88878A88898687808A8F{{(88){52}"}}
// CHECK-NEXT:    [[C]]: "0x040000000000003F0000003F0000003F{{(00000000){29}"}}
// CHECK-NEXT:    [[Z]]: "0x0400000080FEFFFF80FFFFFF00000000{{(00000000){29}"}}
!gin = !quant.uniform<i8:f32, 0.5:0>
!g4 = !quant.uniform<i4:f32:{0:4, 1:1}, {{1.0, 1.0, 1.0}}>
func.func @gemm(%x: tensor<1x4x!gin>) -> tensor<1x3xf32> {
  %w = qnt.constant dense<[[1, 2, -1], [3, 0, -8], [0, 1, 2], [-1, -2, 7]]> : tensor<4x3xi4>
  %wq = quant.scast %w : tensor<4x3xi4> to tensor<4x3x!g4>
  %0 = qnt.gemm %x, %wq : (tensor<1x4x!gin>, tensor<4x3x!g4>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

// K = 2 is not a whole k-quad: the gemm stays for the reference lowering.
// CHECK-LABEL: func.func @gemm_short_k
// CHECK-NOT:     call
// CHECK:         qnt.gemm
!sin = !quant.uniform<i8:f32, 0.5:0>
!s4 = !quant.uniform<i4:f32:{0:2, 1:1}, {{1.0, 1.0, 1.0}}>
func.func @gemm_short_k(%x: tensor<1x2x!sin>) -> tensor<1x3xf32> {
  %w = qnt.constant dense<[[1, 2, -1], [3, 0, -8]]> : tensor<2x3xi4>
  %wq = quant.scast %w : tensor<2x3xi4> to tensor<2x3x!s4>
  %0 = qnt.gemm %x, %wq : (tensor<1x2x!sin>, tensor<2x3x!s4>) -> tensor<1x3xf32>
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
