// Invalid qnt.fake_quant grids (test/Dialect/Qnt/fake-quant.mlir).
func.func @zero_point_outside(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qnt.fake_quant %x {scale = 0.5 : f32, zero_point = -129 : i64, qmin = -128 : i64, qmax = 127 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @zero_scale(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qnt.fake_quant %x {scale = 0.0 : f32, zero_point = 0 : i64, qmin = -128 : i64, qmax = 127 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
