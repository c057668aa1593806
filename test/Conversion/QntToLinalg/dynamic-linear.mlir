// RUN: quant-opt %s --convert-quantized-qnt-to-linalg | FileCheck %s

// The reference lowering of qnt.dynamic_linear and qnt.dynamic_matmul
// (docs/Numerics.md, "Dynamic activations"); test/e2e/dynamic-linear.test
// runs them against numpy. An operand is viewed as [B, R, C] with K on one
// axis; its slots are [B, the other axis] per token, [1] per tensor.

// CHECK-DAG:   #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[ONE:.*]] = affine_map<(d0, d1, d2) -> (0)>
// CHECK-DAG:   #[[ROWS:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG:   #[[COLS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG:   #[[BNK:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>

// Per tensor, min/max: both reductions start at 0 (the range contains 0)
// and write the one slot; the scale divides the width by 255, 0 becomes 1;
// the zero point is clamp(roundeven(-128 - min / s)); the int8 input
// saturates to [-128, 127] and NaN takes the zero point; the i32 sums
// subtract it; the result is f32(acc) * (s_x * s_w[n]) + b.
// CHECK-LABEL: func.func @per_tensor_minmax
// CHECK:         %[[X:.*]] = tensor.expand_shape {{.*}} output_shape [1, 6, 8] : tensor<48xf32> into tensor<1x6x8xf32>
// CHECK:         %[[HI:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ONE]]], iterator_types = ["reduction", "reduction", "reduction"]} ins(%[[X]] : tensor<1x6x8xf32>)
// CHECK:           arith.maxnumf
// CHECK:         %[[LO:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ONE]]], iterator_types = ["reduction", "reduction", "reduction"]} ins(%[[X]] : tensor<1x6x8xf32>)
// CHECK:           arith.minnumf
// CHECK:         %[[S:.*]] = linalg.generic {{.*}} ins(%[[HI]], %[[LO]] : tensor<1xf32>, tensor<1xf32>)
// CHECK:           arith.subf
// CHECK:           arith.constant 2.550000e+02 : f32
// CHECK:           arith.divf
// CHECK:           arith.cmpf oeq
// CHECK:           arith.select
// CHECK:         %[[ZP:.*]] = linalg.generic {{.*}} ins(%[[LO]], %[[S]] : tensor<1xf32>, tensor<1xf32>) outs(%{{.*}} : tensor<1xi32>)
// CHECK:           arith.constant -1.280000e+02 : f32
// CHECK:           arith.subf
// CHECK:           math.roundeven
// CHECK:         %[[Q:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[S]], %[[ZP]] : tensor<1x6x8xf32>, tensor<1xf32>, tensor<1xi32>) outs(%{{.*}} : tensor<1x6x8xi8>)
// CHECK:           arith.constant -1.280000e+02 : f32
// CHECK:           arith.cmpf uno
// CHECK:         %[[Q2:.*]] = tensor.collapse_shape %[[Q]] {{\[\[}}0, 1], [2]] : tensor<1x6x8xi8> into tensor<6x8xi8>
// CHECK:         %[[ACC:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[Q2]], %{{.*}}, %[[ZP]] : tensor<6x8xi8>, tensor<4x8xi8>, tensor<1xi32>) outs(%{{.*}} : tensor<6x4xi32>)
// CHECK:           arith.subi
// CHECK:           arith.muli
// CHECK:         arith.constant dense<[5.000000e-01, 2.500000e-01, 1.250000e-01, 1.000000e+00]> : tensor<4xf32>
// CHECK:         %[[Y:.*]] = linalg.generic {{.*}} ins(%[[ACC]], %[[S]], %{{.*}}, %arg1 : tensor<6x4xi32>, tensor<1xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK:           arith.sitofp
// CHECK:           arith.mulf
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:         tensor.expand_shape %[[Y]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 4] : tensor<6x4xf32> into tensor<2x3x4xf32>
func.func @per_tensor_minmax(%x: tensor<2x3x8xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %wq = qnt.constant dense<1> : tensor<4x8xi8>
  %w = quant.scast %wq : tensor<4x8xi8> to tensor<4x8x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25, 0.125, 1.0}>>
  %0 = qnt.dynamic_linear %x, %w, %b {scaling = #qnt.dynamic_scaling<per_tensor_minmax>} : (tensor<2x3x8xf32>, tensor<4x8x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25, 0.125, 1.0}>>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// Per token, absmax: one slot per row (parallel over tokens), |x|
// reduced, the width divided by 127, zero points 0, the grid [-127, 127];
// a per-tensor weight scale is repeated.
// CHECK-LABEL: func.func @per_token_absmax
// CHECK:         linalg.generic {indexing_maps = [#[[ID3]], #[[ROWS]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}} : tensor<1x5x8xf32>) outs(%{{.*}} : tensor<1x5xf32>)
// CHECK:           math.absf
// CHECK:           arith.maxnumf
// CHECK:           arith.constant 1.270000e+02 : f32
// CHECK:         linalg.fill ins(%{{.*}} : i32) outs(%{{.*}} : tensor<1x5xi32>)
// CHECK:           arith.constant -1.270000e+02 : f32
// The sums of an absmax input have no zero point to subtract.
// CHECK:         linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<5x8xi8>, tensor<3x8xi8>) outs(%{{.*}} : tensor<5x3xi32>)
// CHECK-NOT:       arith.subi
// CHECK:           arith.muli
// CHECK:         arith.constant dense<2.500000e-01> : tensor<3xf32>
func.func @per_token_absmax(%x: tensor<5x8xf32>) -> tensor<5x3xf32> {
  %wq = qnt.constant dense<1> : tensor<3x8xi8>
  %w = quant.scast %wq : tensor<3x8xi8> to tensor<3x8x!quant.uniform<i8<-127:127>:f32, 0.25>>
  %0 = qnt.dynamic_linear %x, %w : (tensor<5x8xf32>, tensor<3x8x!quant.uniform<i8<-127:127>:f32, 0.25>>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// Two activations: lhs scales per row (K on axis 2), rhs per column (K on
// axis 1); the sums subtract both zero points; y = f32(acc) * (sa[m] *
// sb[n]).
// CHECK-LABEL: func.func @matmul
// CHECK:         linalg.generic {indexing_maps = [#[[ID3]], #[[ROWS]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0 : tensor<2x3x8xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK:         %[[QA:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x3x8xi8>)
// CHECK:         linalg.generic {indexing_maps = [#[[ID3]], #[[COLS]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%arg1 : tensor<2x8x5xf32>) outs(%{{.*}} : tensor<2x5xf32>)
// CHECK:         %[[QB:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x8x5xi8>)
// CHECK:         %[[ACC:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[QA]], %{{.*}}, %[[QB]], %{{.*}} : tensor<2x3x8xi8>, tensor<2x3xi32>, tensor<2x8x5xi8>, tensor<2x5xi32>) outs(%{{.*}} : tensor<2x3x5xi32>)
// CHECK:           arith.subi
// CHECK:           arith.subi
// CHECK:           arith.muli
// CHECK:         linalg.generic {indexing_maps = [#[[ID3]], #[[ROWS]], #[[COLS]], #[[ID3]]], {{.*}} ins(%[[ACC]], %{{.*}}, %{{.*}} : tensor<2x3x5xi32>, tensor<2x3xf32>, tensor<2x5xf32>) outs(%{{.*}} : tensor<2x3x5xf32>)
func.func @matmul(%a: tensor<2x3x8xf32>, %b: tensor<2x8x5xf32>) -> tensor<2x3x5xf32> {
  %0 = qnt.dynamic_matmul %a, %b : (tensor<2x3x8xf32>, tensor<2x8x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// An rhs that is a transpose of its last two dims (attention's Kᵀ) is read
// untransposed: the rhs range reduces [2, 5, 8] along K = axis 2 into the
// same [2, 5] slots, the int8 rhs is [2, 5, 8], and the sums read it as
// (b, n, k); the transpose is left unused.
// CHECK-LABEL: func.func @matmul_transposed_rhs
// CHECK-SAME:    (%[[A:.*]]: tensor<2x3x8xf32>, %[[BT:.*]]: tensor<2x5x8xf32>)
// CHECK:         linalg.generic {indexing_maps = [#[[ID3]], #[[ROWS]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[BT]] : tensor<2x5x8xf32>) outs(%{{.*}} : tensor<2x5xf32>)
// CHECK:         %[[QB:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x5x8xi8>)
// CHECK:         %[[ACC:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[BNK]], #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}}, %[[QB]], %{{.*}} : tensor<2x3x8xi8>, tensor<2x3xi32>, tensor<2x5x8xi8>, tensor<2x5xi32>) outs(%{{.*}} : tensor<2x3x5xi32>)
// CHECK-NOT:     linalg.transpose
func.func @matmul_transposed_rhs(%a: tensor<2x3x8xf32>, %bt: tensor<2x5x8xf32>) -> tensor<2x3x5xf32> {
  %b = qnt.transpose %bt {perm = array<i64: 0, 2, 1>} : (tensor<2x5x8xf32>) -> tensor<2x8x5xf32>
  %0 = qnt.dynamic_matmul %a, %b : (tensor<2x3x8xf32>, tensor<2x8x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}
