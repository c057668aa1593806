// RUN: quant-opt %s --pass-pipeline='builtin.module(func.func(qnt-fuse-qdq))' -split-input-file 2>%t.err | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT < %t.err

// An ONNX Runtime-style QDQ conv: uint8 activations (zero points 128 and
// 0), a per-channel int8 weight, an int32 bias at s_in * s_w, and a ReLU
// before the output's QuantizeLinear whose grid starts at real 0.
//  - uint8 becomes int8 with the zero point minus 128: 128 -> 0, 0 -> -128;
//  - the weight keeps its values on [-127, 127] (none is -128);
//  - the bias keeps its integers; its scales become s_in * s_w in double
//    (0.0078125 * 0.5 and 0.0078125 * 0.25: exact here);
//  - the ReLU is the output grid's lower end and disappears.
// Operands are placed as qnt-quantize places them: weight, bias, the
// input's qcast, then the op.
// CHECK-LABEL: func.func @conv_relu_u8
// CHECK:         %[[W:.*]] = qnt.constant dense<{{\[\[\[\[}}2]]], {{\[\[\[}}-3]]]]> : tensor<2x1x1x1xi8>
// CHECK:         %[[WQ:.*]] = quant.scast %[[W]] : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {5.000000e-01,2.500000e-01}>>
// CHECK:         %[[B:.*]] = qnt.constant dense<[10, -20]> : tensor<2xi32>
// CHECK:         %[[BQ:.*]] = quant.scast %[[B]] : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {3.906250e-03,0.001953125}>>
// CHECK:         %[[XQ:.*]] = quant.qcast %arg0 : tensor<1x1x2x2xf32> to tensor<1x1x2x2x!quant.uniform<i8:f32, 7.812500e-03>>
// CHECK:         %[[Y:.*]] = qnt.conv %[[XQ]], %[[WQ]], %[[BQ]]
// CHECK-SAME:      -> tensor<1x2x2x2x!quant.uniform<i8:f32, 6.250000e-02:-128>>
// CHECK-NOT:     qnt.relu
// CHECK:         %[[F:.*]] = quant.dcast %[[Y]]
// CHECK:         return %[[F]]
func.func @conv_relu_u8(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %q = quant.qcast %x : tensor<1x1x2x2xf32> to tensor<1x1x2x2x!quant.uniform<u8:f32, 0.0078125:128>>
  %xd = quant.dcast %q : tensor<1x1x2x2x!quant.uniform<u8:f32, 0.0078125:128>> to tensor<1x1x2x2xf32>
  %wi = qnt.constant dense<[[[[2]]], [[[-3]]]]> : tensor<2x1x1x1xi8>
  %ws = quant.scast %wi : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
  %w = quant.dcast %ws : tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.5, 0.25}>> to tensor<2x1x1x1xf32>
  %bi = qnt.constant dense<[10, -20]> : tensor<2xi32>
  %bs = quant.scast %bi : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.00390625, 0.001953125}>>
  %b = quant.dcast %bs : tensor<2x!quant.uniform<i32:f32:0, {0.00390625, 0.001953125}>> to tensor<2xf32>
  %y = qnt.conv %xd, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %r = qnt.relu %y : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %yq = quant.qcast %r : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<u8:f32, 0.0625:0>>
  %yd = quant.dcast %yq : tensor<1x2x2x2x!quant.uniform<u8:f32, 0.0625:0>> to tensor<1x2x2x2xf32>
  return %yd : tensor<1x2x2x2xf32>
}

// -----

// A per-tensor weight with a float bias: the bias is quantized at
// s_in * s_w = 0.25 * 0.5 = 0.125: 0.3 / 0.125 = 2.4 -> 2. A max pool
// between a dcast and a qcast of one type runs on int8.
// CHECK-LABEL: func.func @gemm_float_bias_pool
// CHECK:         %[[P:.*]] = qnt.max_pool %{{.*}} {{.*}}-> tensor<1x4x1x1x!quant.uniform<i8:f32, 2.500000e-01:-3>>
// CHECK:         %[[R:.*]] = qnt.reshape %[[P]] : (tensor<1x4x1x1x!quant.uniform<i8:f32, 2.500000e-01:-3>>) -> tensor<1x4x!quant.uniform<i8:f32, 2.500000e-01:-3>>
// CHECK:         quant.scast %{{.*}} : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8<-127:127>:f32, 5.000000e-01>>
// CHECK:         qnt.constant dense<2> : tensor<1xi32>
// CHECK:         quant.scast %{{.*}} : tensor<1xi32> to tensor<1x!quant.uniform<i32:f32, 1.250000e-01>>
// CHECK:         qnt.gemm %[[R]], {{.*}} -> tensor<1x1x!quant.uniform<i8:f32, 1.000000e+00:5>>
func.func @gemm_float_bias_pool(%x: tensor<1x4x2x2xf32>) -> tensor<1x1xf32> {
  %q = quant.qcast %x : tensor<1x4x2x2xf32> to tensor<1x4x2x2x!quant.uniform<i8:f32, 0.25:-3>>
  %xd = quant.dcast %q : tensor<1x4x2x2x!quant.uniform<i8:f32, 0.25:-3>> to tensor<1x4x2x2xf32>
  %p = qnt.max_pool %xd {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32>
  %pq = quant.qcast %p : tensor<1x4x1x1xf32> to tensor<1x4x1x1x!quant.uniform<i8:f32, 0.25:-3>>
  %pd = quant.dcast %pq : tensor<1x4x1x1x!quant.uniform<i8:f32, 0.25:-3>> to tensor<1x4x1x1xf32>
  %f = qnt.reshape %pd : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32>
  %fq = quant.qcast %f : tensor<1x4xf32> to tensor<1x4x!quant.uniform<i8:f32, 0.25:-3>>
  %fd = quant.dcast %fq : tensor<1x4x!quant.uniform<i8:f32, 0.25:-3>> to tensor<1x4xf32>
  %wi = qnt.constant dense<[[1, -2, 3, 127]]> : tensor<1x4xi8>
  %ws = quant.scast %wi : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8:f32, 0.5>>
  %w = quant.dcast %ws : tensor<1x4x!quant.uniform<i8:f32, 0.5>> to tensor<1x4xf32>
  %b = qnt.constant dense<0.3> : tensor<1xf32>
  %y = qnt.gemm %fd, %w, %b {trans_b = true} : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %yq = quant.qcast %y : tensor<1x1xf32> to tensor<1x1x!quant.uniform<i8:f32, 1.0:5>>
  %yd = quant.dcast %yq : tensor<1x1x!quant.uniform<i8:f32, 1.0:5>> to tensor<1x1xf32>
  return %yd : tensor<1x1xf32>
}

// -----

// What stays float, correctly: a uint8 weight with zero point 3 (int8
// weights need zero point 0) is dequantized to f32 ((q - 3) * 0.5), and
// the activations' QDQ rounding stays as qnt.fake_quant (a dcast of a qcast
// would fold away).
// CHECK-LABEL: func.func @float_matmul
// CHECK-DAG:     %[[W:.*]] = qnt.constant dense<{{\[}}[-1.000000e+00], [0.000000e+00], [5.000000e-01]]> : tensor<3x1xf32>
// CHECK-DAG:     %[[X:.*]] = qnt.fake_quant %arg0 {qmax = 127 : i64, qmin = -128 : i64, scale = 1.250000e-01 : f32, zero_point = -118 : i64}
// CHECK:         %[[Y:.*]] = qnt.matmul %[[X]], %[[W]]
// CHECK:         %[[YQ:.*]] = qnt.fake_quant %[[Y]] {qmax = 127 : i64, qmin = -128 : i64, scale = 2.500000e-01 : f32, zero_point = 0 : i64}
// CHECK:         return %[[YQ]]
// REPORT: qnt-fuse-qdq: 1 conv/gemm/matmul int8 with the model's scales, 0 float
// REPORT: qnt-fuse-qdq: 1 conv/gemm/matmul int8 with the model's scales, 0 float
// REPORT: qnt-fuse-qdq: mm stays float: its weight is not a constant int8 tensor with zero point 0
// REPORT: qnt-fuse-qdq: 0 conv/gemm/matmul int8 with the model's scales, 1 float
func.func @float_matmul(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  %q = quant.qcast %x : tensor<2x3xf32> to tensor<2x3x!quant.uniform<u8:f32, 0.125:10>>
  %xd = quant.dcast %q : tensor<2x3x!quant.uniform<u8:f32, 0.125:10>> to tensor<2x3xf32>
  %wi = qnt.constant dense<[[1], [3], [4]]> : tensor<3x1xi8>
  %ws = quant.scast %wi : tensor<3x1xi8> to tensor<3x1x!quant.uniform<u8:f32, 0.5:3>>
  %w = quant.dcast %ws : tensor<3x1x!quant.uniform<u8:f32, 0.5:3>> to tensor<3x1xf32>
  %y = qnt.matmul %xd, %w : (tensor<2x3xf32>, tensor<3x1xf32>) -> tensor<2x1xf32> loc("mm")
  %yq = quant.qcast %y : tensor<2x1xf32> to tensor<2x1x!quant.uniform<i8:f32, 0.25>>
  %yd = quant.dcast %yq : tensor<2x1x!quant.uniform<i8:f32, 0.25>> to tensor<2x1xf32>
  return %yd : tensor<2x1xf32>
}

// -----

// No quantize/dequantize casts: nothing changes, nothing is printed.
// CHECK-LABEL: func.func @float_model
// CHECK-NEXT:    qnt.relu
func.func @float_model(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = qnt.relu %x : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

// A ReLU6 before a grid whose top is one f32 ulp above 6: the scale
// f32(6 / 255) = 0.0235294122 that quant itself picks for [0, 6]. 6 / s
// rounds to 255, the grid's top code, so the clamp changes no output and
// is fused.
// CHECK-LABEL: func.func @conv_relu6
// CHECK:         qnt.conv
// CHECK-SAME:      -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.023529412224888802:-128>>
// CHECK-NOT:     qnt.clamp
// REPORT: qnt-fuse-qdq: 1 conv/gemm/matmul int8 with the model's scales, 0 float
func.func @conv_relu6(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %q = quant.qcast %x : tensor<1x1x2x2xf32> to tensor<1x1x2x2x!quant.uniform<i8:f32, 0.0078125>>
  %xd = quant.dcast %q : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.0078125>> to tensor<1x1x2x2xf32>
  %wi = qnt.constant dense<[[[[2]]]]> : tensor<1x1x1x1xi8>
  %ws = quant.scast %wi : tensor<1x1x1x1xi8> to tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %w = quant.dcast %ws : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x1xf32>
  %y = qnt.conv %xd, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %r = qnt.clamp %y {min = 0.0 : f32, max = 6.0 : f32} : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  %yq = quant.qcast %r : tensor<1x1x2x2xf32> to tensor<1x1x2x2x!quant.uniform<u8:f32, 0.023529412224888802>>
  %yd = quant.dcast %yq : tensor<1x1x2x2x!quant.uniform<u8:f32, 0.023529412224888802>> to tensor<1x1x2x2xf32>
  return %yd : tensor<1x1x2x2xf32>
}

// -----

// A clamp at 3 inside a grid up to 6 cuts the grid: not fused.
// CHECK-LABEL: func.func @conv_clamp_inside_grid
// CHECK:         qnt.clamp
// REPORT: qnt-fuse-qdq: clipped stays float: the activation before its output quantization is not a ReLU the output grid computes
// REPORT: qnt-fuse-qdq: 0 conv/gemm/matmul int8 with the model's scales, 1 float
func.func @conv_clamp_inside_grid(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %q = quant.qcast %x : tensor<1x1x2x2xf32> to tensor<1x1x2x2x!quant.uniform<i8:f32, 0.0078125>>
  %xd = quant.dcast %q : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.0078125>> to tensor<1x1x2x2xf32>
  %wi = qnt.constant dense<[[[[2]]]]> : tensor<1x1x1x1xi8>
  %ws = quant.scast %wi : tensor<1x1x1x1xi8> to tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %w = quant.dcast %ws : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x1xf32>
  %y = qnt.conv %xd, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32> loc("clipped")
  %r = qnt.clamp %y {min = 0.0 : f32, max = 3.0 : f32} : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  %yq = quant.qcast %r : tensor<1x1x2x2xf32> to tensor<1x1x2x2x!quant.uniform<u8:f32, 0.023529412224888802>>
  %yd = quant.dcast %yq : tensor<1x1x2x2x!quant.uniform<u8:f32, 0.023529412224888802>> to tensor<1x1x2x2xf32>
  return %yd : tensor<1x1x2x2xf32>
}

// -----

// DequantizeLinear(a) x DequantizeLinear(b) -> MatMul -> QuantizeLinear on
// two activations (attention's Q K^T, uint8 as ONNX Runtime writes it) is
// qnt-quantize's int8 product of activations: both operands and the result
// keep the model's grids (uint8 zero points 128 and 130 become 0 and 2).
// CHECK-LABEL: func.func @activation_product
// CHECK:         %[[A:.*]] = quant.qcast %arg0 : tensor<1x2x3x4xf32> to tensor<1x2x3x4x!quant.uniform<i8:f32, 1.250000e-01>>
// CHECK:         %[[B:.*]] = quant.qcast %arg1 : tensor<1x2x4x3xf32> to tensor<1x2x4x3x!quant.uniform<i8:f32, 2.500000e-01:2>>
// CHECK:         %[[P:.*]] = qnt.matmul %[[A]], %[[B]] : {{.*}} -> tensor<1x2x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>
// CHECK:         quant.dcast %[[P]]
// REPORT: qnt-fuse-qdq: 1 conv/gemm/matmul int8 with the model's scales, 0 float
func.func @activation_product(%a: tensor<1x2x3x4xf32>, %b: tensor<1x2x4x3xf32>) -> tensor<1x2x3x3xf32> {
  %qa = quant.qcast %a : tensor<1x2x3x4xf32> to tensor<1x2x3x4x!quant.uniform<u8:f32, 0.125:128>>
  %da = quant.dcast %qa : tensor<1x2x3x4x!quant.uniform<u8:f32, 0.125:128>> to tensor<1x2x3x4xf32>
  %qb = quant.qcast %b : tensor<1x2x4x3xf32> to tensor<1x2x4x3x!quant.uniform<u8:f32, 0.25:130>>
  %db = quant.dcast %qb : tensor<1x2x4x3x!quant.uniform<u8:f32, 0.25:130>> to tensor<1x2x4x3xf32>
  %p = qnt.matmul %da, %db : (tensor<1x2x3x4xf32>, tensor<1x2x4x3xf32>) -> tensor<1x2x3x3xf32>
  %qp = quant.qcast %p : tensor<1x2x3x3xf32> to tensor<1x2x3x3x!quant.uniform<u8:f32, 0.5:125>>
  %dp = quant.dcast %qp : tensor<1x2x3x3x!quant.uniform<u8:f32, 0.5:125>> to tensor<1x2x3x3xf32>
  return %dp : tensor<1x2x3x3xf32>
}

// -----

// A product whose batch dims broadcast stays float, and says why.
// CHECK-LABEL: func.func @activation_product_broadcast
// CHECK:         qnt.matmul {{.*}} : (tensor<2x3x4xf32>, tensor<1x4x3xf32>) -> tensor<2x3x3xf32>
// REPORT: qnt-fuse-qdq: {{.*}} stays float: a product of activations needs one rank >= 2, equal batch dims and K <= 33025
func.func @activation_product_broadcast(%a: tensor<2x3x4xf32>, %b: tensor<1x4x3xf32>) -> tensor<2x3x3xf32> {
  %qa = quant.qcast %a : tensor<2x3x4xf32> to tensor<2x3x4x!quant.uniform<i8:f32, 0.125>>
  %da = quant.dcast %qa : tensor<2x3x4x!quant.uniform<i8:f32, 0.125>> to tensor<2x3x4xf32>
  %qb = quant.qcast %b : tensor<1x4x3xf32> to tensor<1x4x3x!quant.uniform<i8:f32, 0.25>>
  %db = quant.dcast %qb : tensor<1x4x3x!quant.uniform<i8:f32, 0.25>> to tensor<1x4x3xf32>
  %p = qnt.matmul %da, %db : (tensor<2x3x4xf32>, tensor<1x4x3xf32>) -> tensor<2x3x3xf32>
  %qp = quant.qcast %p : tensor<2x3x3xf32> to tensor<2x3x3x!quant.uniform<i8:f32, 0.5>>
  %dp = quant.dcast %qp : tensor<2x3x3x!quant.uniform<i8:f32, 0.5>> to tensor<2x3x3xf32>
  return %dp : tensor<2x3x3xf32>
}

// -----

// Element-wise ops between QDQ pairs (ONNX Runtime's QLinearAdd,
// QLinearMul and QLinearGlobalAveragePool import as these, and quant's
// own export writes them): int8 on the model's grids. The uint8 gate
// becomes int8 first (zero point 128 - 128 = 0). A concat operand on
// another grid than the output's is requantized to it; the one on the
// output's grid is read as it is. A nearest resize keeps its grid.
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME:    (%[[A:.*]]: tensor<1x2x2x2xf32>, %[[B:.*]]: tensor<1x2x2x2xf32>, %[[G:.*]]: tensor<1x2x1x1xf32>)
// CHECK:         %[[QA:.*]] = quant.qcast %[[A]] : {{.*}} to tensor<1x2x2x2x!quant.uniform<i8:f32, 1.250000e-01>>
// CHECK:         %[[QB:.*]] = quant.qcast %[[B]] : {{.*}} to tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:3>>
// CHECK:         %[[S:.*]] = qnt.add %[[QA]], %[[QB]] : ({{.*}}) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-01:-1>>
// CHECK:         %[[QG:.*]] = quant.qcast %[[G]] : {{.*}} to tensor<1x2x1x1x!quant.uniform<i8:f32, 3.906250e-03>>
// CHECK:         %[[P:.*]] = qnt.mul %[[S]], %[[QG]] : ({{.*}}) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01>>
// CHECK:         %[[PD:.*]] = quant.dcast %[[P]]
// CHECK:         %[[M:.*]] = qnt.global_average_pool %[[P]] : ({{.*}}) -> tensor<1x2x1x1x!quant.uniform<i8:f32, 2.500000e-01>>
// CHECK:         %[[R:.*]] = qnt.resize %[[S]] {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 5.000000e-01:-1>>
// CHECK:         %[[PQ:.*]] = quant.qcast %[[PD]] : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-01:-1>>
// CHECK:         %[[C:.*]] = qnt.concat %[[S]], %[[PQ]] {axis = 1 : i64} : ({{.*}}) -> tensor<1x4x2x2x!quant.uniform<i8:f32, 5.000000e-01:-1>>
// CHECK-NOT:     qnt.fake_quant
// REPORT: qnt-fuse-qdq: 4 add/sub/mul/concat/global_average_pool int8
func.func @elementwise(%a: tensor<1x2x2x2xf32>, %b: tensor<1x2x2x2xf32>, %g: tensor<1x2x1x1xf32>) -> (tensor<1x2x1x1xf32>, tensor<1x2x4x4xf32>, tensor<1x4x2x2xf32>) {
  %qa = quant.qcast %a : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 0.125>>
  %da = quant.dcast %qa : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.125>> to tensor<1x2x2x2xf32>
  %qb = quant.qcast %b : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 0.25:3>>
  %db = quant.dcast %qb : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.25:3>> to tensor<1x2x2x2xf32>
  %s = qnt.add %da, %db : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %qs = quant.qcast %s : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:-1>>
  %ds = quant.dcast %qs : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:-1>> to tensor<1x2x2x2xf32>
  %qg = quant.qcast %g : tensor<1x2x1x1xf32> to tensor<1x2x1x1x!quant.uniform<u8:f32, 0.00390625:128>>
  %dg = quant.dcast %qg : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.00390625:128>> to tensor<1x2x1x1xf32>
  %p = qnt.mul %ds, %dg : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %qp = quant.qcast %p : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 0.25>>
  %dp = quant.dcast %qp : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.25>> to tensor<1x2x2x2xf32>
  %m = qnt.global_average_pool %dp : (tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32>
  %qm = quant.qcast %m : tensor<1x2x1x1xf32> to tensor<1x2x1x1x!quant.uniform<i8:f32, 0.25>>
  %dm = quant.dcast %qm : tensor<1x2x1x1x!quant.uniform<i8:f32, 0.25>> to tensor<1x2x1x1xf32>
  %r = qnt.resize %ds {coordinate_transform = #qnt.coordinate_transform<asymmetric>, mode = #qnt.resize_mode<nearest>, nearest_mode = #qnt.nearest_mode<floor>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x4x4xf32>
  %qr = quant.qcast %r : tensor<1x2x4x4xf32> to tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:-1>>
  %dr = quant.dcast %qr : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:-1>> to tensor<1x2x4x4xf32>
  %c = qnt.concat %ds, %dp {axis = 1 : i64} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x4x2x2xf32>
  %qc = quant.qcast %c : tensor<1x4x2x2xf32> to tensor<1x4x2x2x!quant.uniform<i8:f32, 0.5:-1>>
  %dc = quant.dcast %qc : tensor<1x4x2x2x!quant.uniform<i8:f32, 0.5:-1>> to tensor<1x4x2x2xf32>
  return %dm, %dr, %dc : tensor<1x2x1x1xf32>, tensor<1x2x4x4xf32>, tensor<1x4x2x2xf32>
}

// -----

// An add of a constant (a bias between QDQ pairs) stays float, its
// activations' rounding kept.
// CHECK-LABEL: func.func @elementwise_constant
// CHECK:         qnt.add %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK:         qnt.fake_quant
func.func @elementwise_constant(%a: tensor<4xf32>) -> tensor<4xf32> {
  %qa = quant.qcast %a : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.125>>
  %da = quant.dcast %qa : tensor<4x!quant.uniform<i8:f32, 0.125>> to tensor<4xf32>
  %k = qnt.constant dense<[1, 2, 3, 4]> : tensor<4xi8>
  %qk = quant.scast %k : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %dk = quant.dcast %qk : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  %s = qnt.add %da, %dk : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %qs = quant.qcast %s : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %ds = quant.dcast %qs : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  return %ds : tensor<4xf32>
}

// -----

// An add whose grids the integer sum cannot represent (operand steps 10^6
// times finer than the result's) stays float, its rounding kept.
// CHECK-LABEL: func.func @elementwise_far_apart
// CHECK:         qnt.add %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK:         qnt.fake_quant
func.func @elementwise_far_apart(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %qa = quant.qcast %a : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 1.0e-6>>
  %da = quant.dcast %qa : tensor<4x!quant.uniform<i8:f32, 1.0e-6>> to tensor<4xf32>
  %qb = quant.qcast %b : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 1.0e-6>>
  %db = quant.dcast %qb : tensor<4x!quant.uniform<i8:f32, 1.0e-6>> to tensor<4xf32>
  %s = qnt.add %da, %db : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %qs = quant.qcast %s : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 1.0>>
  %ds = quant.dcast %qs : tensor<4x!quant.uniform<i8:f32, 1.0>> to tensor<4xf32>
  return %ds : tensor<4xf32>
}
