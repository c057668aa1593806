// RUN: quant-opt %s -split-input-file | FileCheck %s --check-prefix=PRINT
// RUN: quant-opt %s -split-input-file --convert-qnt-to-linalg | FileCheck %s
// RUN: not quant-opt %S/Inputs/fake-quant-invalid.mlir -split-input-file 2>&1 | FileCheck %s --check-prefix=ERR

// qnt.fake_quant: scale 0.5, zero point 3 on [-128, 127]:
// (clamp(roundeven(x / 0.5) + 3, -128, 127) - 3) * 0.5, NaN to 0.
// PRINT: qnt.fake_quant %arg0 {qmax = 127 : i64, qmin = -128 : i64, scale = 5.000000e-01 : f32, zero_point = 3 : i64}
// CHECK-LABEL: func @fake_quant
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[S:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[ZP:.*]] = arith.constant 3.000000e+00 : f32
// CHECK: %[[D:.*]] = arith.divf %[[X]], %[[S]] : f32
// CHECK: %[[R:.*]] = math.roundeven %[[D]] : f32
// CHECK: %[[Q:.*]] = arith.addf %[[R]], %[[ZP]] : f32
// CHECK: %[[LO:.*]] = arith.constant -1.280000e+02 : f32
// CHECK: %[[MAX:.*]] = arith.maximumf %[[Q]], %[[LO]] : f32
// CHECK: %[[HI:.*]] = arith.constant 1.270000e+02 : f32
// CHECK: %[[MIN:.*]] = arith.minimumf %[[MAX]], %[[HI]] : f32
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK: %[[SEL:.*]] = arith.select %[[NAN]], %[[ZP]], %[[MIN]] : f32
// CHECK: %[[C:.*]] = arith.subf %[[SEL]], %[[ZP]] : f32
// CHECK: arith.mulf %[[C]], %[[S]] : f32
func.func @fake_quant(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qnt.fake_quant %x {scale = 0.5 : f32, zero_point = 3 : i64, qmin = -128 : i64, qmax = 127 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// ERR: error: 'qnt.fake_quant' op needs qmin <= zero_point <= qmax, got -128 <= -129 <= 127
// ERR: error: 'qnt.fake_quant' op scale must be positive and finite, got 0
