// RUN: quant-opt %s --convert-qnt-to-linalg --split-input-file --verify-diagnostics

func.func @cubic(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{cannot lower to linalg: cubic resize is not supported}}
  %0 = qnt.resize %x {mode = #qnt.resize_mode<cubic>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @conv3d(%x: tensor<1x1x4x4x4xf32>, %w: tensor<1x1x2x2x2xf32>) -> tensor<1x1x3x3x3xf32> {
  // expected-error @+1 {{cannot lower to linalg: only 1-D and 2-D convolutions are supported, not 3-D}}
  %0 = qnt.conv %x, %w {dilations = array<i64: 1, 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>} : (tensor<1x1x4x4x4xf32>, tensor<1x1x2x2x2xf32>) -> tensor<1x1x3x3x3xf32>
  return %0 : tensor<1x1x3x3x3xf32>
}

// -----

func.func @quantized(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{cannot lower to linalg: quantized tensors are lowered by the int8 path, not the float one}}
  %0 = qnt.relu %x : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.1>>
}


// -----

func.func @resize_linear_4d(%x: tensor<2x2x2x2xf32>) -> tensor<4x4x4x4xf32> {
  // expected-error @+1 {{cannot lower to linalg: linear resize of more than 3 dims is not supported}}
  %0 = qnt.resize %x {mode = #qnt.resize_mode<linear>, scales = array<f32: 2.0, 2.0, 2.0, 2.0>} : (tensor<2x2x2x2xf32>) -> tensor<4x4x4x4xf32>
  return %0 : tensor<4x4x4x4xf32>
}

// -----

func.func @pool3d(%x: tensor<1x1x4x4x4xf32>) -> tensor<1x1x2x2x2xf32> {
  // expected-error @+1 {{cannot lower to linalg: only 1-D and 2-D pooling is supported}}
  %0 = qnt.max_pool %x {dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x1x4x4x4xf32>) -> tensor<1x1x2x2x2xf32>
  return %0 : tensor<1x1x2x2x2xf32>
}

// -----

func.func @conv_transpose3d(%x: tensor<1x1x2x2x2xf32>, %w: tensor<1x1x2x2x2xf32>) -> tensor<1x1x3x3x3xf32> {
  // expected-error @+1 {{cannot lower to linalg: only 1-D and 2-D transposed convolutions are supported}}
  %0 = qnt.conv_transpose %x, %w {dilations = array<i64: 1, 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0, 0>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>} : (tensor<1x1x2x2x2xf32>, tensor<1x1x2x2x2xf32>) -> tensor<1x1x3x3x3xf32>
  return %0 : tensor<1x1x3x3x3xf32>
}

// -----

func.func @edge_pad_empty(%x: tensor<0x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{cannot lower to linalg: edge/reflect padding of an empty tensor}}
  %0 = qnt.pad %x {mode = #qnt.pad_mode<edge>, pads = array<i64: 1, 0, 1, 0>} : (tensor<0x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Every unsupported op is reported, and nothing is rewritten.
func.func @two_errors(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {
  // expected-error @+1 {{cubic resize is not supported}}
  %0 = qnt.resize %x {mode = #qnt.resize_mode<cubic>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  // expected-error @+1 {{cubic resize is not supported}}
  %1 = qnt.resize %x {mode = #qnt.resize_mode<cubic>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0, %1 : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}
