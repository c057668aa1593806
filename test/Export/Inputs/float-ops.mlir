// One of every qnt op, float, for export-float.test. The ops chain so that
// every result reaches an output.
func.func @main(%x: tensor<1x2x4x4xf32> {onnx.name = "x"},
                %ids: tensor<3xi64> {onnx.name = "ids"})
    -> (tensor<1x2x4x4xf32> {onnx.name = "pointwise"},
        tensor<1x2x8x8xf32> {onnx.name = "spatial"},
        tensor<1x2x2xf32> {onnx.name = "shapes"},
        tensor<1x2x4x4xf32> {onnx.name = "select"},
        tensor<1x3x4x4xf32> {onnx.name = "gathered"},
        tensor<1x2x5x5xf32> {onnx.name = "resized"}) {
  %w = qnt.constant dense<[[[[0.5]]], [[[-1.0]]]]> : tensor<2x1x1x1xf32> loc("w")
  %b = qnt.constant dense<[0.25, -0.5]> : tensor<2xf32> loc("b")
  %conv = qnt.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv")
  %g = qnt.constant dense<[1.5, 0.5]> : tensor<2xf32> loc("g")
  %bn = qnt.batch_norm %conv, %g, %b, %b, %g {epsilon = 1.0e-03 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("bn")
  %hs = qnt.hard_swish %bn : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("hs")
  %lr = qnt.leaky_relu %hs {alpha = 1.000000e-01 : f32} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("lrelu")
  %hsig = qnt.hard_sigmoid %lr {alpha = 0.2 : f32, beta = 0.5 : f32} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("hsig")
  %cl = qnt.clamp %hsig {max = 0.75 : f32} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("clip")
  %sq = qnt.sqrt %cl : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("sqrt")
  %ex = qnt.exp %sq : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("exp")
  %lg = qnt.log %ex : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("log")
  %er = qnt.erf %lg : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("erf")
  %th = qnt.tanh %er : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("tanh")
  %sg = qnt.sigmoid %th : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("sigmoid")
  %ge = qnt.gelu %x : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("gelu")
  %gt = qnt.gelu %x {approximate = #qnt.gelu_approximation<tanh>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("gelu_tanh")
  %a1 = qnt.add %sg, %ge : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("add")
  %a2 = qnt.sub %a1, %gt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("sub")
  %two = qnt.constant dense<2.0> : tensor<f32> loc("two")
  %a3 = qnt.mul %a2, %two : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32> loc("mul")
  %a4 = qnt.div %a3, %two : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32> loc("div")
  %a5 = qnt.pow %a4, %two : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32> loc("pow")
  %a6 = qnt.max %a5, %x : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("max")
  %a7 = qnt.min %a6, %two : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32> loc("min")
  %sm = qnt.softmax %a7 {axis = 3 : i64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("softmax")
  %rl = qnt.relu %sm : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("relu")

  %ct_w = qnt.constant dense<0.25> : tensor<2x2x2x2xf32> loc("ct_w")
  %ct = qnt.conv_transpose %x, %ct_w {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>, tensor<2x2x2x2xf32>) -> tensor<1x2x8x8xf32> loc("convT")
  %mp = qnt.max_pool %ct {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x5x5xf32> loc("maxpool")
  %ap = qnt.average_pool %mp {count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x5x5xf32>) -> tensor<1x2x4x4xf32> loc("avgpool")
  %rs = qnt.resize %ap {mode = #qnt.resize_mode<linear>, coordinate_transform = #qnt.coordinate_transform<half_pixel>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x8x8xf32> loc("resize")
  %pd = qnt.pad %rs {mode = #qnt.pad_mode<reflect>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x10x10xf32> loc("pad")
  %pc = qnt.pad %pd {pads = array<i64: 0, 0, -1, -1, 0, 0, -1, -1>, value = 3.0 : f32} : (tensor<1x2x10x10xf32>) -> tensor<1x2x8x8xf32> loc("crop")

  %gap = qnt.global_average_pool %x : (tensor<1x2x4x4xf32>) -> tensor<1x2x1x1xf32> loc("gap")
  %r2 = qnt.reshape %gap : (tensor<1x2x1x1xf32>) -> tensor<1x2xf32> loc("flatten")
  %mw = qnt.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32> loc("mw")
  %mm = qnt.matmul %r2, %mw : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32> loc("matmul")
  %gm = qnt.gemm %mm, %mw, %b {alpha = 0.5 : f32, beta = 2.0 : f32, trans_b = true} : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32> loc("gemm")
  %cc = qnt.concat %gm, %mm {axis = 0 : i64} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<2x2xf32> loc("concat")
  %tr = qnt.transpose %cc {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32> loc("transpose")
  %sl = qnt.slice %tr {starts = array<i64: 1, 1>, ends = array<i64: -1, 2>, steps = array<i64: -1, 1>} : (tensor<2x2xf32>) -> tensor<2x1xf32> loc("slice")
  %ln = qnt.layer_norm %tr, %g, %b {axis = 1 : i64, epsilon = 1.0e-05 : f32} : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32> loc("layernorm")
  %rm = qnt.reduce_mean %ln {axes = array<i64: 1>, keepdims = true} : (tensor<2x2xf32>) -> tensor<2x1xf32> loc("mean")
  %rx = qnt.reduce_max %rm {axes = array<i64: 0>, keepdims = false} : (tensor<2x1xf32>) -> tensor<1xf32> loc("rmax")
  %rsum = qnt.reduce_sum %sl {axes = array<i64: 1>, keepdims = true} : (tensor<2x1xf32>) -> tensor<2x1xf32> loc("rsum")
  %h = qnt.cast %rsum : (tensor<2x1xf32>) -> tensor<2x1xf16> loc("to_f16")
  %f = qnt.cast %h : (tensor<2x1xf16>) -> tensor<2x1xf32> loc("to_f32")
  %ab = qnt.abs %rx : (tensor<1xf32>) -> tensor<1xf32> loc("abs")
  %rn = qnt.reduce_min %rm {axes = array<i64: 0>, keepdims = false} : (tensor<2x1xf32>) -> tensor<1xf32> loc("rmin")
  %rp = qnt.reduce_prod %rm {axes = array<i64: 0>, keepdims = false} : (tensor<2x1xf32>) -> tensor<1xf32> loc("rprod")
  %mnp = qnt.add %rn, %rp : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32> loc("minprod")
  %sc = qnt.add %ab, %mnp : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32> loc("scalar")
  %shp = qnt.mul %f, %sc : (tensor<2x1xf32>, tensor<1xf32>) -> tensor<2x1xf32> loc("scale")
  %shp3 = qnt.reshape %shp : (tensor<2x1xf32>) -> tensor<1x2x1xf32> loc("unsqueeze")
  %shp4 = qnt.add %shp3, %r2 : (tensor<1x2x1xf32>, tensor<1x2xf32>) -> tensor<1x2x2xf32> loc("broadcast")

  %c = qnt.compare %x, %rl {predicate = #qnt.compare_predicate<ge>} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xi1> loc("ge")
  %sel = qnt.select %c, %x, %rl : (tensor<1x2x4x4xi1>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("where")
  %gat = qnt.gather %x, %ids {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3xi64>) -> tensor<1x3x4x4xf32> loc("gather")
  // Scales from ONNX `sizes` (5 / 3): 3 * f32(5/3) is just below 5.
  %x3 = qnt.slice %x {starts = array<i64: 0, 0, 0, 0>, ends = array<i64: 1, 2, 3, 3>, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x3x3xf32> loc("x3")
  %rz = qnt.resize %x3 {mode = #qnt.resize_mode<nearest>, coordinate_transform = #qnt.coordinate_transform<asymmetric>, nearest_mode = #qnt.nearest_mode<floor>, scales = array<f32: 1.0, 1.0, 1.66666663, 1.66666663>} : (tensor<1x2x3x3xf32>) -> tensor<1x2x5x5xf32> loc("resize_sizes")
  return %rl, %pc, %shp4, %sel, %gat, %rz : tensor<1x2x4x4xf32>, tensor<1x2x8x8xf32>, tensor<1x2x2xf32>, tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x2x5x5xf32>
}
