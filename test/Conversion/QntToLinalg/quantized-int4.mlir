// RUN: quant-opt %s --convert-quantized-qnt-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// The int4 reference lowering (docs/Numerics.md, "int4 weights"). The
// weights of output channels 2p and 2p+1 share a byte (low, high nibble):
// channel 0 is [7, -4, 4, 7], channel 1 [7, 0, -7, 2], so the bytes are
// 0x77 = 119, 0x0C = 12, 0x94 = -108 and 0x27 = 39, laid out
// [pairs][groups][group size][kh][kw]. The combined scales are
// f32(s_x * s_w) = 0.0078431377 * [[0.1, 0.0285714287], [0.00714285718, 0.2]].
// CHECK-DAG:   #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d4 * 2 + d5, d2 + d6, d3 + d7)>
// CHECK-DAG:   #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1 floordiv 2, d4, d5, d6, d7)>
// CHECK-DAG:   #[[ACC:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @conv
// CHECK-DAG:     %[[PACKED:.*]] = qnt.constant dense<{{\[\[\[\[\[}}119]], {{\[\[}}12]]], {{\[\[\[}}-108]], {{\[\[}}39]]]]]> : tensor<1x2x2x1x1xi8>
// CHECK-DAG:     %[[SCALES:.*]] = qnt.constant dense<{{\[\[}}7.84313772E-4, 2.24089657E-4], [5.60224144E-5, 0.00156862754]]> : tensor<2x2xf32>
// The group sums: (x - zp) * the nibble of the channel's parity, in i32.
// CHECK:         %[[SUMS:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[ACC]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%{{.*}}, %[[PACKED]] : tensor<1x4x2x2xi8>, tensor<1x2x2x1x1xi8>) outs(%{{.*}} : tensor<1x2x2x2x2xi32>)
// CHECK:           arith.subi
// CHECK:           linalg.index 1
// CHECK:           arith.andi
// CHECK:           arith.xori
// CHECK:           %[[L:.*]] = arith.shli %in_{{[0-9]+}}, %{{.*}} : i8
// CHECK:           arith.shrsi %[[L]], %{{.*}} : i8
// CHECK:           arith.muli
// CHECK:           arith.addi
// The groups in order (a reduction over the last dim), then the bias.
// CHECK:         %[[Y:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[SUMS]], %[[SCALES]] : tensor<1x2x2x2x2xi32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x2x2x2xf32>)
// CHECK:           arith.sitofp
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:         linalg.generic {{.*}} ins(%[[Y]], %{{.*}} : tensor<1x2x2x2xf32>, tensor<2xf32>)
// CHECK:           arith.addf
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

// A gemm's [K, N] weight is packed [n pairs][groups][group size]: three
// output channels give two bytes per k, the last high nibble 0: n0 = [1, 3]
// and n1 = [2, 0] make 0x21 = 33 and 0x03; n2 = [-1, -8] makes 0x0F and 0x08.
// CHECK-LABEL: func.func @gemm
// CHECK:         qnt.constant dense<{{\[\[\[}}33, 3]], {{\[\[}}15, 8]]]> : tensor<2x1x2xi8>
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<1x2xi8>, tensor<2x1x2xi8>) outs(%{{.*}} : tensor<1x3x1xi32>)
!gin = !quant.uniform<i8:f32, 0.5:0>
!g4 = !quant.uniform<i4:f32:{0:2, 1:1}, {{1.0, 1.0, 1.0}}>
func.func @gemm(%x: tensor<1x2x!gin>) -> tensor<1x3xf32> {
  %w = qnt.constant dense<[[1, 2, -1], [3, 0, -8]]> : tensor<2x3xi4>
  %wq = quant.scast %w : tensor<2x3xi4> to tensor<2x3x!g4>
  %0 = qnt.gemm %x, %wq : (tensor<1x2x!gin>, tensor<2x3x!g4>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

!bad = !quant.uniform<i8:f32, 0.5:0>
!b4 = !quant.uniform<i4:f32:{0:2, 1:1}, {{1.0, 1.0}}>
func.func @float_input(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = qnt.constant dense<[[1, 2], [3, 0]]> : tensor<2x2xi4>
  %wq = quant.scast %w : tensor<2x2xi4> to tensor<2x2x!b4>
  // expected-error @+1 {{cannot lower quantized op: an int4 layer's input must be per-tensor i8}}
  %0 = qnt.gemm %x, %wq : (tensor<1x2xf32>, tensor<2x2x!b4>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

!qin = !quant.uniform<i8:f32, 0.5:0>
!q4 = !quant.uniform<i4:f32:{0:2, 1:1}, {{1.0, 1.0}}>
!qout = !quant.uniform<i8:f32, 0.25:0>
func.func @quantized_result(%x: tensor<1x2x!qin>) -> tensor<1x2xf32> {
  %w = qnt.constant dense<[[1, 2], [3, 0]]> : tensor<2x2xi4>
  %wq = quant.scast %w : tensor<2x2xi4> to tensor<2x2x!q4>
  // expected-error @+1 {{cannot lower quantized op: an int4 layer's result must be f32}}
  %0 = qnt.gemm %x, %wq : (tensor<1x2x!qin>, tensor<2x2x!q4>) -> tensor<1x2x!qout>
  %1 = quant.dcast %0 : tensor<1x2x!qout> to tensor<1x2xf32>
  return %1 : tensor<1x2xf32>
}

// -----

!qin = !quant.uniform<i8:f32, 0.5:0>
!q4 = !quant.uniform<i4:f32:{0:2, 1:1}, {{1.0, 1.0}}>
func.func @runtime_weight(%x: tensor<1x2x!qin>, %w: tensor<2x2xi4>) -> tensor<1x2xf32> {
  %wq = quant.scast %w : tensor<2x2xi4> to tensor<2x2x!q4>
  // expected-error @+1 {{cannot lower quantized op: the int4 weight must be a constant}}
  %0 = qnt.gemm %x, %wq : (tensor<1x2x!qin>, tensor<2x2x!q4>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

!qin = !quant.uniform<i8:f32, 0.5:0>
!q4 = !quant.uniform<i4:f32:{0:2, 1:1}, {{1.0, 1.0}}>
func.func @bias_2d(%x: tensor<1x2x!qin>) -> tensor<1x2xf32> {
  %w = qnt.constant dense<[[1, 2], [3, 0]]> : tensor<2x2xi4>
  %wq = quant.scast %w : tensor<2x2xi4> to tensor<2x2x!q4>
  %b = qnt.constant dense<[[0.5, 1.0]]> : tensor<1x2xf32>
  // expected-error @+1 {{cannot lower quantized op: an int4 layer's bias must be a 1-D f32 tensor}}
  %0 = qnt.gemm %x, %wq, %b : (tensor<1x2x!qin>, tensor<2x2x!q4>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// A depthwise conv (group = channels) has no int4 form; qnt-quantize never
// makes one, and a hand-written one is an error, not group-1 arithmetic.
!qin = !quant.uniform<i8:f32, 0.5:0>
!w4 = !quant.uniform<i4:f32:{0:1, 1:1}, {{{{0.1}}}, {{{0.2}}}}>
func.func @depthwise(%x: tensor<1x2x2x2x!qin>) -> tensor<1x2x2x2xf32> {
  %w = qnt.constant dense<[[[[7]]], [[[-4]]]]> : tensor<2x1x1x1xi4>
  %wq = quant.scast %w : tensor<2x1x1x1xi4> to tensor<2x1x1x1x!w4>
  // expected-error @+1 {{cannot lower quantized op: a depthwise conv has no int4 form}}
  %0 = qnt.conv %x, %wq {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x2x2x!qin>, tensor<2x1x1x1x!w4>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}
