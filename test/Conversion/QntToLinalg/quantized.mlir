// RUN: quant-opt %s --convert-quantized-qnt-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// The reference int8 lowering (docs/Numerics.md, "Integer semantics"):
//  - qcast: x / scale in f32, clamped to [qmin - zp, qmax - zp] =
//    [-131, 124], roundeven, + zero point 3, NaN -> zp;
//  - conv: padded with the input zero point (3), conv_2d_nchw_fchw_q with
//    zero points 3 (input) and 0 (weights) into an i32 accumulator that
//    starts at the bias;
//  - requantize: s_in * s_w[c] / s_out = (2/255 * 0.5) / 0.5 = 2^-7 * 1.0039
//    is multiplier 0x40404040 = 1077952576 with shift 37 (channel 0) and,
//    for s_w = 0.25, shift 38; (acc * m + 2^(s-1)) >> s in i64, + zp -128,
//    clamped to [-128, 127];
//  - max_pool on i8, padded and started at the storage minimum -128;
//  - dcast: f32(q - zp) * scale.
// CHECK-LABEL: func.func @conv
// CHECK:         linalg.generic
// CHECK:           arith.divf %{{.*}} : f32
// CHECK:           arith.constant -1.310000e+02 : f32
// CHECK:           arith.maximumf
// CHECK:           arith.constant 1.240000e+02 : f32
// CHECK:           arith.minimumf
// CHECK:           math.roundeven
// CHECK:           arith.constant 3.000000e+00 : f32
// CHECK:           arith.cmpf uno
// CHECK:           arith.fptosi %{{.*}} : f32 to i8
// CHECK-DAG:     %[[W:.*]] = qnt.constant dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-127]]]]> : tensor<2x1x1x1xi8>
// CHECK-DAG:     %[[B:.*]] = qnt.constant dense<[100, -7]> : tensor<2xi32>
// CHECK:         %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 0] high[0, 0, 0, 1]
// CHECK:           tensor.yield %c3_i8 : i8
// CHECK:         %[[INIT:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<2xi32>)
// CHECK:         %[[ACC:.*]] = linalg.conv_2d_nchw_fchw_q {{.*}} ins(%[[PAD]], %[[W]], %c3_i32, %c0_i32 : tensor<1x1x3x3xi8>, tensor<2x1x1x1xi8>, i32, i32) outs(%[[INIT]] : tensor<1x2x3x3xi32>)
// CHECK-DAG:     arith.constant dense<1077952576> : tensor<2xi32>
// CHECK-DAG:     arith.constant dense<[37, 38]> : tensor<2xi32>
// CHECK:         linalg.generic {{.*}} ins(%[[ACC]]
// CHECK:           arith.muli %{{.*}} : i64
// CHECK:           arith.shrsi
// CHECK:           arith.maxsi
// CHECK:           arith.minsi
// CHECK:           arith.trunci %{{.*}} : i64 to i8
// CHECK:         linalg.fill ins(%c-128_i8 : i8)
// CHECK:         linalg.pooling_nchw_max {{.*}} -> tensor<1x2x2x2xi8>
// CHECK:         arith.subi
// CHECK:         arith.sitofp
// CHECK:         arith.constant 5.000000e-01 : f32
// CHECK-NOT:     quant.
func.func @conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %xq = quant.qcast %x : tensor<1x1x2x2xf32> to tensor<1x1x2x2x!quant.uniform<i8:f32, 0.0078431372549019607:3>>
  %w = qnt.constant dense<[[[[127]]], [[[-127]]]]> : tensor<2x1x1x1xi8>
  %wq = quant.scast %w : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.5,0.25}>>
  %b = qnt.constant dense<[100, -7]> : tensor<2xi32>
  %bq = quant.scast %b : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.0039215686274509803,0.0019607843137254902}>>
  %y = qnt.conv %xq, %wq, %bq {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.0078431372549019607:3>>, tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.5,0.25}>>, tensor<2x!quant.uniform<i32:f32:0, {0.0039215686274509803,0.0019607843137254902}>>) -> tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5:-128>>
  %p = qnt.max_pool %y {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5:-128>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:-128>>
  %f = quant.dcast %p : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:-128>> to tensor<1x2x2x2xf32>
  return %f : tensor<1x2x2x2xf32>
}

// -----

// gemm: one contraction acc += (a - zp_a) * b over B transposed, then the
// same requantization; reshape runs on the storage type.
// CHECK-LABEL: func.func @gemm
// CHECK:         qnt.reshape %{{.*}} : (tensor<1x2x1x1xi8>) -> tensor<1x2xi8>
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK:           arith.constant -5 : i32
// CHECK:           arith.subi
// CHECK:           arith.muli %{{.*}} : i32
// CHECK-NOT:     quant.
func.func @gemm(%f: tensor<1x2x1x1xf32>) -> tensor<1x3xf32> {
  %x = quant.qcast %f : tensor<1x2x1x1xf32> to tensor<1x2x1x1x!quant.uniform<i8:f32, 0.5:-5>>
  %r = qnt.reshape %x : (tensor<1x2x1x1x!quant.uniform<i8:f32, 0.5:-5>>) -> tensor<1x2x!quant.uniform<i8:f32, 0.5:-5>>
  %w = qnt.constant dense<[[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi8>
  %wq = quant.scast %w : tensor<3x2xi8> to tensor<3x2x!quant.uniform<i8<-127:127>:f32, 0.125>>
  %y = qnt.gemm %r, %wq {trans_b = true} : (tensor<1x2x!quant.uniform<i8:f32, 0.5:-5>>, tensor<3x2x!quant.uniform<i8<-127:127>:f32, 0.125>>) -> tensor<1x3x!quant.uniform<i8:f32, 0.25:1>>
  %d = quant.dcast %y : tensor<1x3x!quant.uniform<i8:f32, 0.25:1>> to tensor<1x3xf32>
  return %d : tensor<1x3xf32>
}

// -----

// An f16 value is quantized by the same f32 division: extended first.
// CHECK-LABEL: func.func @qcast_f16
// CHECK:         linalg.generic
// CHECK:           arith.extf %{{.*}} : f16 to f32
// CHECK:           arith.divf %{{.*}} : f32
// CHECK:           arith.fptosi %{{.*}} : f32 to i8
func.func @qcast_f16(%f: tensor<2xf16>) -> tensor<2xf16> {
  %x = quant.qcast %f : tensor<2xf16> to tensor<2x!quant.uniform<i8:f16, 0.5>>
  %y = quant.dcast %x : tensor<2x!quant.uniform<i8:f16, 0.5>> to tensor<2xf16>
  return %y : tensor<2xf16>
}

// -----

// A quantized value reaching an op without an int8 lowering is an error
// there, naming the op.
func.func @returned(%f: tensor<2xf32>) -> tensor<2x!quant.uniform<i8:f32, 0.5>> {
  %x = quant.qcast %f : tensor<2xf32> to tensor<2x!quant.uniform<i8:f32, 0.5>>
  // expected-error @+1 {{'func.return' takes or makes a quantized tensor; only qnt ops and quant casts have an int8 lowering (dequantize with quant.dcast first)}}
  return %x : tensor<2x!quant.uniform<i8:f32, 0.5>>
}

// -----

// A depthwise conv (group = C): one generic over (n, c, oh, ow, y, x), the
// input padded with its zero point (4) read at (oh*2 + y*1, ow*2 + x) and
// the weight at (c, 0, y, x); acc += (x - 4) * w from the bias, then the
// per-channel requantization.
// CHECK-DAG:   #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG:   #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, 0, d4, d5)>
// CHECK-LABEL: func.func @depthwise
// CHECK:         tensor.pad {{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:           tensor.yield %c4_i8 : i8
// CHECK:         linalg.generic {indexing_maps = [#[[IN]], #[[W]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME:      ins({{.*}} : tensor<1x2x7x7xi8>, tensor<2x1x3x3xi8>) outs({{.*}} : tensor<1x2x3x3xi32>)
// CHECK:           arith.constant 4 : i32
// CHECK:           arith.subi
// CHECK:           arith.muli
// CHECK:           arith.addi
// CHECK-NOT:     quant.
func.func @depthwise(%f: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %x = quant.qcast %f : tensor<1x2x5x5xf32> to tensor<1x2x5x5x!quant.uniform<i8:f32, 0.5:4>>
  %w8 = qnt.constant dense<1> : tensor<2x1x3x3xi8>
  %w = quant.scast %w8 : tensor<2x1x3x3xi8> to tensor<2x1x3x3x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>>
  %y = qnt.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x5x5x!quant.uniform<i8:f32, 0.5:4>>, tensor<2x1x3x3x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>>) -> tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5>>
  %d = quant.dcast %y : tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5>> to tensor<1x2x3x3xf32>
  return %d : tensor<1x2x3x3xf32>
}

// -----

// Grouped convolutions that are not depthwise (two input channels per
// group) have no int8 lowering: one error at the op.
func.func @grouped(%f: tensor<1x4x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %x = quant.qcast %f : tensor<1x4x2x2xf32> to tensor<1x4x2x2x!quant.uniform<i8:f32, 0.5>>
  %w8 = qnt.constant dense<1> : tensor<2x2x1x1xi8>
  %w = quant.scast %w8 : tensor<2x2x1x1xi8> to tensor<2x2x1x1x!quant.uniform<i8<-127:127>:f32, 0.5>>
  // expected-error @+1 {{cannot lower quantized op: only 2-D convolutions with group 1 or depthwise}}
  %y = qnt.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x2x2x!quant.uniform<i8:f32, 0.5>>, tensor<2x2x1x1x!quant.uniform<i8<-127:127>:f32, 0.5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>>
  %d = quant.dcast %y : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5>> to tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}

// -----

// Requantization scales outside the fixed-point range are an error, not
// a silently wrong kernel: 0.5 * 0.5 / 2^-40 = 2^38.
func.func @huge_scale(%f: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %x = quant.qcast %f : tensor<1x2xf32> to tensor<1x2x!quant.uniform<i8:f32, 0.5>>
  %w8 = qnt.constant dense<1> : tensor<2x2xi8>
  %w = quant.scast %w8 : tensor<2x2xi8> to tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.5>>
  // expected-error @+1 {{cannot lower quantized op: requantization scale 2.748779e+11 of channel 0 is outside the fixed-point range [2^-32, 2^30]}}
  %y = qnt.matmul %x, %w : (tensor<1x2x!quant.uniform<i8:f32, 0.5>>, tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.5>>) -> tensor<1x2x!quant.uniform<i8:f32, 9.094947017729282E-13>>
  %d = quant.dcast %y : tensor<1x2x!quant.uniform<i8:f32, 9.094947017729282E-13>> to tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}

// -----

// uint8 casts (a QDQ model's uint8 that qnt-fuse-qdq left unsigned, such as
// a QuantizeLinear graph output): qcast clamps to [0, 255] - zp and goes
// through i32, whose low 8 bits are the storage; dcast zero-extends.
// CHECK-LABEL: func @uint8_casts
// CHECK: linalg.generic
// CHECK: arith.constant -1.000000e+02 : f32
// CHECK: arith.constant 1.550000e+02 : f32
// CHECK: math.roundeven
// CHECK: %[[W:.*]] = arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.trunci %[[W]] : i32 to i8
// CHECK: linalg.generic
// CHECK: arith.extui %{{.*}} : i8 to i32
func.func @uint8_casts(%x: tensor<4xf32>, %bits: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xf32>) {
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<u8:f32, 0.5:100>>
  %s = quant.scast %q : tensor<4x!quant.uniform<u8:f32, 0.5:100>> to tensor<4xi8>
  %b = quant.scast %bits : tensor<4xi8> to tensor<4x!quant.uniform<u8:f32, 0.5:100>>
  %d = quant.dcast %b : tensor<4x!quant.uniform<u8:f32, 0.5:100>> to tensor<4xf32>
  return %s, %d : tensor<4xi8>, tensor<4xf32>
}

// -----

// A product of two activations (qnt-quantize's static attention form):
// both operands as [B, M, K] and [B, K, N], the i32 sums of
// (a - za) * (b - zb) with za = 3 and zb = -2, then the per-tensor
// requantization by 0.5 * 0.25 / 2 = 2^-4 = 2^30 / 2^34 (multiplier 2^30,
// shift 34), broadcast along N.
// CHECK-LABEL: func.func @activation_product
// CHECK:         %[[A:.*]] = tensor.collapse_shape {{.*}} tensor<1x2x3x4xi8> into tensor<2x3x4xi8>
// CHECK:         %[[B:.*]] = tensor.collapse_shape {{.*}} tensor<1x2x4x5xi8> into tensor<2x4x5xi8>
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}} ins(%[[A]], %[[B]] : tensor<2x3x4xi8>, tensor<2x4x5xi8>) outs({{.*}} : tensor<2x3x5xi32>)
// CHECK:           arith.extsi
// CHECK:           arith.subi {{.*}}, %c3_i32
// CHECK:           arith.extsi
// CHECK:           arith.subi {{.*}}, %c-2_i32
// CHECK:           arith.muli
// CHECK:           arith.addi
// CHECK:         arith.constant dense<1073741824> : tensor<5xi32>
// CHECK:         arith.constant dense<34> : tensor<5xi32>
// CHECK:         linalg.generic
// CHECK:         tensor.expand_shape {{.*}} into tensor<1x2x3x5xi8>
func.func @activation_product(%fa: tensor<1x2x3x4xf32>, %fb: tensor<1x2x4x5xf32>) -> tensor<1x2x3x5xf32> {
  %a = quant.qcast %fa : tensor<1x2x3x4xf32> to tensor<1x2x3x4x!quant.uniform<i8:f32, 0.5:3>>
  %b = quant.qcast %fb : tensor<1x2x4x5xf32> to tensor<1x2x4x5x!quant.uniform<i8:f32, 0.25:-2>>
  %y = qnt.matmul %a, %b : (tensor<1x2x3x4x!quant.uniform<i8:f32, 0.5:3>>, tensor<1x2x4x5x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<1x2x3x5x!quant.uniform<i8:f32, 2.0:1>>
  %d = quant.dcast %y : tensor<1x2x3x5x!quant.uniform<i8:f32, 2.0:1>> to tensor<1x2x3x5xf32>
  return %d : tensor<1x2x3x5xf32>
}

// -----

// A product of activations with broadcast batch dims has no int8 lowering.
func.func @activation_product_broadcast(%fa: tensor<2x3x4xf32>, %fb: tensor<1x4x5xf32>) -> tensor<2x3x5xf32> {
  %a = quant.qcast %fa : tensor<2x3x4xf32> to tensor<2x3x4x!quant.uniform<i8:f32, 0.5>>
  %b = quant.qcast %fb : tensor<1x4x5xf32> to tensor<1x4x5x!quant.uniform<i8:f32, 0.5>>
  // expected-error @+1 {{cannot lower quantized op: a product of activations needs operands of one rank >= 2 with equal batch dims}}
  %y = qnt.matmul %a, %b : (tensor<2x3x4x!quant.uniform<i8:f32, 0.5>>, tensor<1x4x5x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3x5x!quant.uniform<i8:f32, 2.0>>
  %d = quant.dcast %y : tensor<2x3x5x!quant.uniform<i8:f32, 2.0>> to tensor<2x3x5xf32>
  return %d : tensor<2x3x5xf32>
}

// -----

// Its requantization scale must have a fixed-point form: 0.5 * 0.5 / 2^-40.
func.func @activation_product_scale(%fa: tensor<2x3xf32>, %fb: tensor<3x2xf32>) -> tensor<2x2xf32> {
  %a = quant.qcast %fa : tensor<2x3xf32> to tensor<2x3x!quant.uniform<i8:f32, 0.5>>
  %b = quant.qcast %fb : tensor<3x2xf32> to tensor<3x2x!quant.uniform<i8:f32, 0.5>>
  // expected-error @+1 {{cannot lower quantized op: requantization scale 2.748779e+11 is outside the fixed-point range [2^-32, 2^30]}}
  %y = qnt.matmul %a, %b : (tensor<2x3x!quant.uniform<i8:f32, 0.5>>, tensor<3x2x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x2x!quant.uniform<i8:f32, 9.094947017729282E-13>>
  %d = quant.dcast %y : tensor<2x2x!quant.uniform<i8:f32, 9.094947017729282E-13>> to tensor<2x2xf32>
  return %d : tensor<2x2xf32>
}

// -----

// A product over K > 33025 could overflow its int32 sums: an error.
func.func @activation_product_long_k(%fa: tensor<1x33026xf32>, %fb: tensor<33026x1xf32>) -> tensor<1x1xf32> {
  %a = quant.qcast %fa : tensor<1x33026xf32> to tensor<1x33026x!quant.uniform<i8:f32, 0.5>>
  %b = quant.qcast %fb : tensor<33026x1xf32> to tensor<33026x1x!quant.uniform<i8:f32, 0.5>>
  // expected-error @+1 {{cannot lower quantized op: a product of activations over K = 33026 could overflow its int32 sums (K <= 33025)}}
  %y = qnt.matmul %a, %b : (tensor<1x33026x!quant.uniform<i8:f32, 0.5>>, tensor<33026x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x1x!quant.uniform<i8:f32, 2.0>>
  %d = quant.dcast %y : tensor<1x1x!quant.uniform<i8:f32, 2.0>> to tensor<1x1xf32>
  return %d : tensor<1x1xf32>
}
