// RUN: quant-opt %s --convert-quantized-qnt-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// The int8 ops between layers (docs/Numerics.md, "Int8 element-wise ops").
// Values: test/e2e/int8-elementwise.test against numpy.

// add: ra = 0.5 / 1 and rb = 0.25 / 1 share shift 21 (the larger, 2^20, in
// [2^20, 2^21)): out = ((da * 2^20 + db * 2^19 + 2^20) >> 21) + 1 in i32,
// clamped; the [4] operand broadcasts.
// CHECK-LABEL: func.func @add
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %{{.*}} : tensor<2x4xi8>, tensor<4xi8>) outs(%{{.*}} : tensor<2x4xi8>)
// CHECK:           %[[A:.*]] = arith.extsi %{{.*}} : i8 to i32
// CHECK:           %[[DA:.*]] = arith.subi %[[A]], %c3_i32
// CHECK:           %[[B:.*]] = arith.extsi %{{.*}} : i8 to i32
// CHECK:           %[[DB:.*]] = arith.subi %[[B]], %c-2_i32
// CHECK:           %[[MA:.*]] = arith.muli %[[DA]], %c1048576_i32
// CHECK:           %[[MB:.*]] = arith.muli %[[DB]], %c524288_i32
// CHECK:           %[[S:.*]] = arith.addi %[[MA]], %[[MB]]
// CHECK:           %[[R:.*]] = arith.addi %[[S]], %c1048576_i32
// CHECK:           %[[SH:.*]] = arith.shrsi %[[R]], %c21_i32
// CHECK:           %[[Z:.*]] = arith.addi %[[SH]], %c1_i32
// CHECK:           arith.maxsi %[[Z]], %c-128_i32
// CHECK:           arith.minsi %{{.*}}, %c127_i32
// CHECK:           arith.trunci %{{.*}} : i32 to i8
func.func @add(%a: tensor<2x4x!quant.uniform<i8:f32, 0.5:3>>, %b: tensor<4x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<2x4xf32> {
  %0 = qnt.add %a, %b : (tensor<2x4x!quant.uniform<i8:f32, 0.5:3>>, tensor<4x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<2x4x!quant.uniform<i8:f32, 1.0:1>>
  %r = quant.dcast %0 : tensor<2x4x!quant.uniform<i8:f32, 1.0:1>> to tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// -----

// sub: the same with b's multiplier negated.
// CHECK-LABEL: func.func @sub
// CHECK:         arith.muli %{{.*}}, %c1048576_i32
// CHECK:         arith.muli %{{.*}}, %c-524288_i32
func.func @sub(%a: tensor<4x!quant.uniform<i8:f32, 0.5:3>>, %b: tensor<4x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<4xf32> {
  %0 = qnt.sub %a, %b : (tensor<4x!quant.uniform<i8:f32, 0.5:3>>, tensor<4x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<4x!quant.uniform<i8:f32, 1.0:1>>
  %r = quant.dcast %0 : tensor<4x!quant.uniform<i8:f32, 1.0:1>> to tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// mul: (a - 3) * (b + 2) requantized with 0.5 * 0.25 / 0.0625 = 2 =
// 2^30 * 2^-29 (i64: product, + 2^28, >> 29), + zero point 1, clamped; the
// [1, 2, 1, 1] gate broadcasts.
// CHECK-LABEL: func.func @mul
// CHECK:         linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x3x3xi8>, tensor<1x2x1x1xi8>)
// CHECK:           %[[P:.*]] = arith.muli %{{.*}}, %{{.*}} : i32
// CHECK:           %[[W:.*]] = arith.extsi %[[P]] : i32 to i64
// CHECK:           %[[M:.*]] = arith.muli %[[W]], %c1073741824_i64
// CHECK:           %[[R:.*]] = arith.addi %[[M]], %c268435456_i64
// CHECK:           %[[S:.*]] = arith.shrsi %[[R]], %c29_i64
// CHECK:           arith.addi %[[S]], %c1_i64
func.func @mul(%a: tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5:3>>, %b: tensor<1x2x1x1x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<1x2x3x3xf32> {
  %0 = qnt.mul %a, %b : (tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5:3>>, tensor<1x2x1x1x!quant.uniform<i8:f32, 0.25:-2>>) -> tensor<1x2x3x3x!quant.uniform<i8:f32, 0.0625:1>>
  %r = quant.dcast %0 : tensor<1x2x3x3x!quant.uniform<i8:f32, 0.0625:1>> to tensor<1x2x3x3xf32>
  return %r : tensor<1x2x3x3xf32>
}

// -----

// global_average_pool of 4x4: the i32 sum over the spatial dims, minus
// 16 * 3, requantized with 0.5 / (0.5 * 16) = 2^30 * 2^-34, + 3; then
// [1, 2] is reshaped to [1, 2, 1, 1].
// CHECK-LABEL: func.func @mean
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<1x2x4x4xi8>) outs(%{{.*}} : tensor<1x2xi32>)
// CHECK:         linalg.generic {{.*}} ins(%[[SUM]] : tensor<1x2xi32>) outs(%{{.*}} : tensor<1x2xi8>)
// CHECK:           arith.subi %{{.*}}, %c48_i32
// CHECK:           arith.muli %{{.*}}, %c1073741824_i64
// CHECK:           arith.shrsi %{{.*}}, %c34_i64
// CHECK:         tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] output_shape [1, 2, 1, 1] : tensor<1x2xi8> into tensor<1x2x1x1xi8>
func.func @mean(%a: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x2x1x1xf32> {
  %0 = qnt.global_average_pool %a : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x2x1x1x!quant.uniform<i8:f32, 0.5:3>>
  %r = quant.dcast %0 : tensor<1x2x1x1x!quant.uniform<i8:f32, 0.5:3>> to tensor<1x2x1x1xf32>
  return %r : tensor<1x2x1x1xf32>
}

// -----

// A nearest resize that repeats elements: a broadcast and a collapse of
// the i8 storage; a concat on one grid: the concat of the storage.
// CHECK-LABEL: func.func @resize_concat
// CHECK:         linalg.broadcast ins(%{{.*}} : tensor<1x2x2x2xi8>) outs(%{{.*}} : tensor<1x2x2x2x2x2xi8>)
// CHECK:         tensor.collapse_shape {{.*}} into tensor<1x2x4x4xi8>
// CHECK:         qnt.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<1x2x4x4xi8>, tensor<1x1x4x4xi8>) -> tensor<1x3x4x4xi8>
func.func @resize_concat(%a: tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:3>>, %b: tensor<1x1x4x4x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x3x4x4xf32> {
  %0 = qnt.resize %a {coordinate_transform = #qnt.coordinate_transform<asymmetric>, mode = #qnt.resize_mode<nearest>, nearest_mode = #qnt.nearest_mode<floor>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>>
  %1 = qnt.concat %0, %b {axis = 1 : i64} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>>, tensor<1x1x4x4x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x3x4x4x!quant.uniform<i8:f32, 0.5:3>>
  %r = quant.dcast %1 : tensor<1x3x4x4x!quant.uniform<i8:f32, 0.5:3>> to tensor<1x3x4x4xf32>
  return %r : tensor<1x3x4x4xf32>
}

// -----

func.func @linear_resize(%a: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{cannot lower quantized op: qnt.resize: only nearest resizes keep the int8 grid}}
  %0 = qnt.resize %a {coordinate_transform = #qnt.coordinate_transform<asymmetric>, mode = #qnt.resize_mode<linear>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x1x4x4x!quant.uniform<i8:f32, 0.5:3>>
  %r = quant.dcast %0 : tensor<1x1x4x4x!quant.uniform<i8:f32, 0.5:3>> to tensor<1x1x4x4xf32>
  return %r : tensor<1x1x4x4xf32>
}

// -----

func.func @resize_new_grid(%a: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{cannot lower quantized op: qnt.resize: a nearest resize keeps its input's grid}}
  %0 = qnt.resize %a {coordinate_transform = #qnt.coordinate_transform<asymmetric>, mode = #qnt.resize_mode<nearest>, nearest_mode = #qnt.nearest_mode<floor>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x1x4x4x!quant.uniform<i8:f32, 0.25:3>>
  %r = quant.dcast %0 : tensor<1x1x4x4x!quant.uniform<i8:f32, 0.25:3>> to tensor<1x1x4x4xf32>
  return %r : tensor<1x1x4x4xf32>
}

// -----

func.func @add_far_apart(%a: tensor<4x!quant.uniform<i8:f32, 1.0e-6>>, %b: tensor<4x!quant.uniform<i8:f32, 1.0e-6>>) -> tensor<4xf32> {
  // expected-error @+1 {{cannot lower quantized op: qnt.add: the operand and result scales are too far apart (operand scale / result scale outside [2^-11, 2^20])}}
  %0 = qnt.add %a, %b : (tensor<4x!quant.uniform<i8:f32, 1.0e-6>>, tensor<4x!quant.uniform<i8:f32, 1.0e-6>>) -> tensor<4x!quant.uniform<i8:f32, 1.0>>
  %r = quant.dcast %0 : tensor<4x!quant.uniform<i8:f32, 1.0>> to tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @add_mixed(%a: tensor<4x!quant.uniform<i8:f32, 0.5>>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{cannot lower quantized op: qnt.add needs signed per-tensor int8 operands and result}}
  %0 = qnt.add %a, %b : (tensor<4x!quant.uniform<i8:f32, 0.5>>, tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 1.0>>
  %r = quant.dcast %0 : tensor<4x!quant.uniform<i8:f32, 1.0>> to tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @mul_no_multiplier(%a: tensor<4x!quant.uniform<i8:f32, 1.0e5>>, %b: tensor<4x!quant.uniform<i8:f32, 1.0e5>>) -> tensor<4xf32> {
  // expected-error @+1 {{cannot lower quantized op: qnt.mul: sa * sb / so has no fixed-point form}}
  %0 = qnt.mul %a, %b : (tensor<4x!quant.uniform<i8:f32, 1.0e5>>, tensor<4x!quant.uniform<i8:f32, 1.0e5>>) -> tensor<4x!quant.uniform<i8:f32, 1.0e-3>>
  %r = quant.dcast %0 : tensor<4x!quant.uniform<i8:f32, 1.0e-3>> to tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @mean_too_long(%a: tensor<1x1x3000x3000x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x1x1x1xf32> {
  // expected-error @+1 {{cannot lower quantized op: qnt.global_average_pool: the mean of 9000000 int8 values could overflow its int32 sum}}
  %0 = qnt.global_average_pool %a : (tensor<1x1x3000x3000x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %r = quant.dcast %0 : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x1xf32>
  return %r : tensor<1x1x1x1xf32>
}
