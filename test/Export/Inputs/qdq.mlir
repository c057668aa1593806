// A small quantized graph for export-qdq.test: qcast, conv (per-channel
// weights, int32 bias), a quantized max_pool and reshape, a gemm whose
// result is returned both quantized-then-dequantized and through a float
// op, and an input returned as it is.
func.func @main(%x: tensor<1x1x2x2xf32> {onnx.name = "image"})
    -> (tensor<1x2xf32> {onnx.name = "logits"},
        tensor<1x2xf32> {onnx.name = "relu"},
        tensor<1x1x2x2xf32> {onnx.name = "same"}) {
  %xq = quant.qcast %x : tensor<1x1x2x2xf32> to tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:3>>
  %w = qnt.constant dense<[[[[1]]], [[[-2]]]]> : tensor<2x1x1x1xi8> loc("w")
  %wq = quant.scast %w : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.5}>>
  %b = qnt.constant dense<[10, -20]> : tensor<2xi32> loc("b")
  %bq = quant.scast %b : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.25}>>
  %y = qnt.conv %xq, %wq, %bq {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:3>>, tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.5}>>, tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.25}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0:-5>> loc("conv")
  %p = qnt.max_pool %y {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0:-5>>) -> tensor<1x2x1x1x!quant.uniform<i8:f32, 1.0:-5>> loc("pool")
  %r = qnt.reshape %p : (tensor<1x2x1x1x!quant.uniform<i8:f32, 1.0:-5>>) -> tensor<1x2x!quant.uniform<i8:f32, 1.0:-5>> loc("flatten")
  %gw = qnt.constant dense<[[2, 0], [-1, 3]]> : tensor<2x2xi8> loc("gw")
  %gwq = quant.scast %gw : tensor<2x2xi8> to tensor<2x2x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>>
  %g = qnt.gemm %r, %gwq {trans_b = true} : (tensor<1x2x!quant.uniform<i8:f32, 1.0:-5>>, tensor<2x2x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>>) -> tensor<1x2x!quant.uniform<i8:f32, 0.25:1>> loc("fc")
  %d = quant.dcast %g : tensor<1x2x!quant.uniform<i8:f32, 0.25:1>> to tensor<1x2xf32>
  %relu = qnt.relu %d : (tensor<1x2xf32>) -> tensor<1x2xf32> loc("act")
  return %d, %relu, %x : tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x1x2x2xf32>
}
