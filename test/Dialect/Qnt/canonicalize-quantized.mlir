// RUN: quant-opt %s --canonicalize | FileCheck %s

// Folders keep quantized element types exactly (scale, zero point, axis).

!q = !quant.uniform<i8:f32, 0.125:-4>
!qa = !quant.uniform<i8:f32:1, {0.5, 0.25}>

// CHECK-LABEL: func.func @quantized_folds
// CHECK-NEXT:    %[[R:.*]] = qnt.reshape %arg0 : (tensor<2x3x4x!quant.uniform<i8:f32, 1.250000e-01:-4>>) -> tensor<24x!quant.uniform<i8:f32, 1.250000e-01:-4>>
// CHECK-NEXT:    %[[T:.*]] = qnt.transpose %arg1 {perm = array<i64: 1, 0>} : (tensor<3x2x!quant.uniform<i8:f32:1, {5.000000e-01,2.500000e-01}>>) -> tensor<2x3x!quant.uniform<i8:f32:1, {5.000000e-01,2.500000e-01}>>
// CHECK-NEXT:    return %[[R]], %[[T]]
func.func @quantized_folds(%x: tensor<2x3x4x!q>, %y: tensor<3x2x!qa>)
    -> (tensor<24x!q>, tensor<2x3x!qa>) {
  %0 = qnt.reshape %x : (tensor<2x3x4x!q>) -> tensor<6x4x!q>
  %1 = qnt.reshape %0 : (tensor<6x4x!q>) -> tensor<24x!q>
  %2 = qnt.transpose %y {perm = array<i64: 0, 1>} : (tensor<3x2x!qa>) -> tensor<3x2x!qa>
  %3 = qnt.transpose %2 {perm = array<i64: 1, 0>} : (tensor<3x2x!qa>) -> tensor<2x3x!qa>
  return %1, %3 : tensor<24x!q>, tensor<2x3x!qa>
}
