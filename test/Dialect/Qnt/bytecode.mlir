// RUN: quant-opt %s --emit-bytecode | quant-opt | FileCheck %s

// qnt IR survives MLIR bytecode: enums, ranges, quantized types and blobs.

// CHECK-LABEL: func.func @roundtrip
// CHECK-SAME:    {qnt.range = #qnt.range<-2.500000e+00, 4.000000e+00>}
// CHECK:         qnt.constant dense_resource<w> : tensor<2xf32>
// CHECK:         qnt.resize {{.*}}#qnt.coordinate_transform<asymmetric>{{.*}}#qnt.resize_mode<linear>
// CHECK:         qnt.relu {{.*}} -> tensor<1x1x4x4x!quant.uniform<i8:f32, 5.000000e-01:3>>
// CHECK:         w: "0x040000000000803F00000040"
func.func @roundtrip(%x: tensor<1x1x2x2xf32> {qnt.range = #qnt.range<-2.5, 4.0>},
                     %q: tensor<1x1x4x4x!quant.uniform<i8:f32, 0.5:3>>)
    -> (tensor<2xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4x!quant.uniform<i8:f32, 0.5:3>>) {
  %w = qnt.constant dense_resource<w> : tensor<2xf32>
  %r = qnt.resize %x {scales = array<f32: 1.0, 1.0, 2.0, 2.0>, mode = #qnt.resize_mode<linear>,
                      coordinate_transform = #qnt.coordinate_transform<asymmetric>}
      : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  %a = qnt.relu %q : (tensor<1x1x4x4x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x1x4x4x!quant.uniform<i8:f32, 0.5:3>>
  return %w, %r, %a : tensor<2xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4x!quant.uniform<i8:f32, 0.5:3>>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F00000040"
    }
  }
#-}
