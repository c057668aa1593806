// RUN: quant-opt %s -split-input-file -verify-diagnostics

// Every verifier branch of the qnt dialect, one case each, in user words.

//===----------------------------------------------------------------------===//
// #qnt.range and the qnt.range attribute
//===----------------------------------------------------------------------===//

// A range must be ordered.
// expected-error @+1 {{range min 2 is greater than max 1}}
func.func @range_unordered() attributes {r = #qnt.range<2.0, 1.0>} { return }

// -----

// A range must be finite (1e400 overflows to infinity).
// expected-error @+1 {{range bounds must be finite}}
func.func @range_infinite() attributes {r = #qnt.range<0.0, 1.0e400>} { return }

// -----

// Every tensor of a qnt op fits 2^63 - 1 bytes (2^62 x 4 f32 is 2^66).
func.func @tensor_too_large(%x: tensor<4611686018427387904x4xf32>) -> tensor<4611686018427387904x4xf32> {
  // expected-error @+1 {{'qnt.relu' op operand #0 of type 'tensor<4611686018427387904x4xf32>' holds more than 2^63 - 1 bytes}}
  %0 = qnt.relu %x : (tensor<4611686018427387904x4xf32>) -> tensor<4611686018427387904x4xf32>
  return %0 : tensor<4611686018427387904x4xf32>
}

// -----

func.func @range_wrong_kind(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'qnt.range' must be a #qnt.range attribute, got 1.000000e+00 : f32}}
  %0 = qnt.relu %x {qnt.range = 1.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @range_on_integer() -> tensor<2xi64> {
  // expected-error @+1 {{'qnt.range' needs a float or quantized value, got 'tensor<2xi64>'}}
  %0 = qnt.constant {qnt.range = #qnt.range<0.0, 1.0>} dense<[1, 2]> : tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @range_on_no_result() {
  // expected-error @+1 {{'qnt.range' needs an op with exactly one result, this one has 0}}
  return {qnt.range = #qnt.range<0.0, 1.0>}
}

// -----

func.func @unknown_attr(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{unknown qnt attribute 'qnt.scale'}}
  %0 = qnt.relu %x {qnt.scale = 1.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{'qnt.range' needs a float or quantized value, got 'tensor<4xi32>'}}
func.func @range_on_integer_arg(%x: tensor<4xi32> {qnt.range = #qnt.range<0.0, 1.0>}) {
  return
}

// -----

// expected-error @+1 {{unknown qnt argument attribute 'qnt.zero_point'}}
func.func @unknown_arg_attr(%x: tensor<4xf32> {qnt.zero_point = 0 : i32}) {
  return
}

// -----

// Per-channel ranges: as many minimums as maximums.
// expected-error @+1 {{channel_range has 2 minimums but 1 maximums}}
func.func @channel_range_sizes() attributes {r = #qnt.channel_range<axis = 1, min = [0.0, 1.0], max = [2.0]>} { return }

// -----

// Per-channel ranges: a real axis.
// expected-error @+1 {{channel_range has 2 channels but 1 means}}
func.func @channel_range_means() attributes {r = #qnt.channel_range<axis = 1, min = [0.0, 1.0], max = [2.0, 2.0], mean = [1.0]>} { return }

// -----

// expected-error @+1 {{channel_range mean 3 of channel 0 is outside [0, 2]}}
func.func @channel_range_mean_outside() attributes {r = #qnt.channel_range<axis = 1, min = [0.0], max = [2.0], mean = [3.0]>} { return }

// -----

// expected-error @+1 {{channel_range axis must be non-negative, got -1}}
func.func @channel_range_axis() attributes {r = #qnt.channel_range<axis = -1, min = [0.0], max = [1.0]>} { return }

// -----

// Per-channel ranges: each one ordered.
// expected-error @+1 {{channel_range of channel 1 is [3, 2]; bounds must be finite with min <= max}}
func.func @channel_range_unordered() attributes {r = #qnt.channel_range<axis = 0, min = [0.0, 3.0], max = [1.0, 2.0]>} { return }

// -----

// Per-channel ranges: one per index of the axis.
func.func @channel_range_mismatch(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'qnt.channel_range' with axis 1 and 2 channels does not fit 'tensor<1x3xf32>'}}
  %0 = qnt.relu %x {qnt.channel_range = #qnt.channel_range<axis = 1, min = [0.0, 0.0], max = [1.0, 1.0]>} : (tensor<1x3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @stats_not_dict(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'qnt.stats' must be a dictionary, got 1 : i64}}
  %0 = qnt.relu %x {qnt.stats = 1} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// qnt.calibration describes a whole module.
func.func @calibration_on_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'qnt.calibration' must be a dictionary on a module}}
  %0 = qnt.relu %x {qnt.calibration = {method = "minmax"}} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// Types and shared traits
//===----------------------------------------------------------------------===//

// -----

func.func @dynamic_shape(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of floating-point or quantized type values}}
  %0 = qnt.relu %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @expressed_mismatch(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf16>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{expects float and quantized values of one expressed type, but operand #0 is 'f32' and operand #1 is 'f16'}}
  %0 = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf16>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @expressed_mismatch_quantized(%a: tensor<4x!quant.uniform<i8:f16, 0.5>>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operand #0 is 'f16' and operand #1 is 'f32'}}
  %0 = qnt.add %a, %b : (tensor<4x!quant.uniform<i8:f16, 0.5>>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @no_broadcast(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{operands of shapes 2x3 and 4x3 do not broadcast}}
  %0 = qnt.add %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @broadcast_result(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{result shape 3 is not the broadcast shape 2x3}}
  %0 = qnt.mul %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @unary_shape(%x: tensor<4xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = qnt.exp %x : (tensor<4xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @constant_type() -> tensor<3xf32> {
  // expected-error @+1 {{failed to verify that all of {value, output} have same type}}
  %0 = "qnt.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

//===----------------------------------------------------------------------===//
// conv
//===----------------------------------------------------------------------===//

// -----

func.func @conv_rank(%x: tensor<2x4xf32>, %w: tensor<2x4xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{expects input of rank >= 3 (N x C x spatial...), got rank 2}}
  %0 = qnt.conv %x, %w {strides = array<i64>, pads = array<i64>, dilations = array<i64>, group = 1 : i64}
      : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @conv_weight_rank(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{expects weight of rank 4 to match the input, got rank 3}}
  %0 = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x4x4xf32>, tensor<2x2x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @conv_strides_count(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{expects 'strides' to have 2 entries, got 1}}
  %0 = qnt.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @conv_zero_stride(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{expects every 'strides' entry to be >= 1, got 0}}
  %0 = qnt.conv %x, %w {strides = array<i64: 1, 0>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @conv_zero_dilation(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{expects every 'dilations' entry to be >= 1, got 0}}
  %0 = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 0, 1>, group = 1 : i64}
      : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @conv_pads_count(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{expects 'pads' to have 4 entries, got 2}}
  %0 = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @conv_negative_pad(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{expects every 'pads' entry to be >= 0, got -1}}
  %0 = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, -1, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @conv_group(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{expects group >= 1, got 0}}
  %0 = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 0 : i64}
      : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x3x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{input has 3 channels but the weight expects 2 per group x 1 groups = 2}}
  %0 = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x3x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @conv_group_split(%x: tensor<1x4x4x4xf32>, %w: tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{expects the 3 output channels to split into 2 groups}}
  %0 = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x4x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %b: tensor<3xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{expects bias of shape 2 (one per output channel), got 3}}
  %0 = qnt.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                            dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<3xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @conv_window(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x3x3xf32>) -> tensor<1x2x1x1xf32> {
  // expected-error @+1 {{window of extent 5 (kernel 3, dilation 2) does not fit the padded input of size 4 in spatial dim 0}}
  %0 = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 2, 1>, group = 1 : i64}
      : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}

// -----

func.func @conv_result(%x: tensor<1x2x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{result shape 1x4x8x8 does not match the computed shape 1x4x4x4}}
  %0 = qnt.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

//===----------------------------------------------------------------------===//
// conv_transpose
//===----------------------------------------------------------------------===//

// -----

func.func @convt_rank(%x: tensor<2x4xf32>, %w: tensor<4x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{expects input of rank >= 3}}
  %0 = qnt.conv_transpose %x, %w {strides = array<i64>, pads = array<i64>, dilations = array<i64>,
                                  output_padding = array<i64>, group = 1 : i64}
      : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @convt_weight_rank(%x: tensor<1x4x4x4xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{expects weight of rank 4 to match the input, got rank 3}}
  %0 = qnt.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                                  dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                  group = 1 : i64}
      : (tensor<1x4x4x4xf32>, tensor<4x2x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @convt_output_padding_count(%x: tensor<1x4x4x4xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{expects 'output_padding' to have 2 entries, got 1}}
  %0 = qnt.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                                  dilations = array<i64: 1, 1>, output_padding = array<i64: 0>,
                                  group = 1 : i64}
      : (tensor<1x4x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @convt_group(%x: tensor<1x4x4x4xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{expects group >= 1, got -1}}
  %0 = qnt.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                                  dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                  group = -1 : i64}
      : (tensor<1x4x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @convt_channels(%x: tensor<1x3x4x4xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{input has 3 channels but the weight expects 4}}
  %0 = qnt.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                                  dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                  group = 1 : i64}
      : (tensor<1x3x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @convt_group_split(%x: tensor<1x3x4x4xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{expects the 3 input channels to split into 2 groups}}
  %0 = qnt.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                                  dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                  group = 2 : i64}
      : (tensor<1x3x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @convt_bias(%x: tensor<1x4x4x4xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{expects bias of shape 2 (one per output channel), got 4}}
  %0 = qnt.conv_transpose %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                                      dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                      group = 1 : i64}
      : (tensor<1x4x4x4xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @convt_output_padding(%x: tensor<1x4x4x4xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32> {
  // expected-error @+1 {{expects output_padding 1 in spatial dim 0 to be smaller than the stride or dilation}}
  %0 = qnt.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                                  dilations = array<i64: 1, 1>, output_padding = array<i64: 1, 1>,
                                  group = 1 : i64}
      : (tensor<1x4x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  return %0 : tensor<1x2x7x7xf32>
}

// -----

func.func @convt_no_output(%x: tensor<1x4x1x1xf32>, %w: tensor<4x2x1x1xf32>) -> tensor<1x2x1x1xf32> {
  // expected-error @+1 {{pads leave no output in spatial dim 0}}
  %0 = qnt.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 0, 0, 0>,
                                  dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                  group = 1 : i64}
      : (tensor<1x4x1x1xf32>, tensor<4x2x1x1xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}

// -----

func.func @convt_result(%x: tensor<1x4x4x4xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x8x8xf32> {
  // expected-error @+1 {{result shape 1x2x8x8 does not match the computed shape 1x2x9x9}}
  %0 = qnt.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
                                  dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                  group = 1 : i64}
      : (tensor<1x4x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x8x8xf32>
  return %0 : tensor<1x2x8x8xf32>
}

//===----------------------------------------------------------------------===//
// matmul, gemm
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expects operands of rank >= 1}}
  %0 = qnt.matmul %a, %b : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @matmul_k(%a: tensor<4x64xf32>, %b: tensor<32x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{contracting dims differ: lhs has K = 64, rhs has K = 32}}
  %0 = qnt.matmul %a, %b : (tensor<4x64xf32>, tensor<32x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x4x8xf32>, %b: tensor<3x8x4xf32>) -> tensor<2x4x4xf32> {
  // expected-error @+1 {{batch dims of 2x4x8 and 3x8x4 do not broadcast}}
  %0 = qnt.matmul %a, %b : (tensor<2x4x8xf32>, tensor<3x8x4xf32>) -> tensor<2x4x4xf32>
  return %0 : tensor<2x4x4xf32>
}

// -----

func.func @matmul_result(%a: tensor<8xf32>, %b: tensor<8x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{result shape 1x4 does not match the computed shape 4}}
  %0 = qnt.matmul %a, %b : (tensor<8xf32>, tensor<8x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @gemm_rank(%a: tensor<4xf32>, %b: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{expects A and B of rank 2, got 4 and 4x2}}
  %0 = qnt.gemm %a, %b : (tensor<4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @gemm_k(%a: tensor<3x4xf32>, %b: tensor<10x5xf32>) -> tensor<3x10xf32> {
  // expected-error @+1 {{contracting dims differ: A has K = 4, B has K = 5}}
  %0 = qnt.gemm %a, %b {trans_b = true} : (tensor<3x4xf32>, tensor<10x5xf32>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}

// -----

func.func @gemm_c(%a: tensor<3x4xf32>, %b: tensor<4x10xf32>, %c: tensor<3x1x10xf32>) -> tensor<3x10xf32> {
  // expected-error @+1 {{expects C of shape 3x1x10 to broadcast to 3x10}}
  %0 = qnt.gemm %a, %b, %c : (tensor<3x4xf32>, tensor<4x10xf32>, tensor<3x1x10xf32>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}

// -----

func.func @gemm_result(%a: tensor<4x3xf32>, %b: tensor<4x10xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{result shape 4x10 does not match the computed shape 3x10}}
  %0 = qnt.gemm %a, %b {trans_a = true} : (tensor<4x3xf32>, tensor<4x10xf32>) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

//===----------------------------------------------------------------------===//
// batch_norm, layer_norm
//===----------------------------------------------------------------------===//

// -----

func.func @bn_rank(%x: tensor<8xf32>, %p: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{expects input of rank >= 2 (N x C x ...), got rank 1}}
  %0 = qnt.batch_norm %x, %p, %p, %p, %p
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @bn_param(%x: tensor<1x8x2x2xf32>, %p: tensor<8xf32>, %m: tensor<4xf32>) -> tensor<1x8x2x2xf32> {
  // expected-error @+1 {{expects mean of shape 8 (one per channel), got 4}}
  %0 = qnt.batch_norm %x, %p, %p, %m, %p
      : (tensor<1x8x2x2xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<1x8x2x2xf32>
  return %0 : tensor<1x8x2x2xf32>
}

// -----

func.func @bn_epsilon(%x: tensor<1x8x2x2xf32>, %p: tensor<8xf32>) -> tensor<1x8x2x2xf32> {
  // expected-error @+1 {{expects a non-negative epsilon}}
  %0 = qnt.batch_norm %x, %p, %p, %p, %p {epsilon = -1.0 : f32}
      : (tensor<1x8x2x2xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x2x2xf32>
  return %0 : tensor<1x8x2x2xf32>
}

// -----

func.func @bn_result(%x: tensor<1x8x2x2xf32>, %p: tensor<8xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{result shape 1x8x4 does not match the computed shape 1x8x2x2}}
  %0 = qnt.batch_norm %x, %p, %p, %p, %p
      : (tensor<1x8x2x2xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4xf32>
  return %0 : tensor<1x8x4xf32>
}

// -----

func.func @ln_axis(%x: tensor<1x16x64xf32>, %g: tensor<64xf32>) -> tensor<1x16x64xf32> {
  // expected-error @+1 {{expects 'axis' in [0, 3), got 3}}
  %0 = qnt.layer_norm %x, %g {axis = 3 : i64} : (tensor<1x16x64xf32>, tensor<64xf32>) -> tensor<1x16x64xf32>
  return %0 : tensor<1x16x64xf32>
}

// -----

func.func @ln_scale(%x: tensor<1x16x64xf32>, %g: tensor<32xf32>) -> tensor<1x16x64xf32> {
  // expected-error @+1 {{expects scale of shape 32 to broadcast to the normalized shape 64}}
  %0 = qnt.layer_norm %x, %g {axis = 2 : i64} : (tensor<1x16x64xf32>, tensor<32xf32>) -> tensor<1x16x64xf32>
  return %0 : tensor<1x16x64xf32>
}

// -----

func.func @ln_bias(%x: tensor<1x16x64xf32>, %g: tensor<64xf32>, %b: tensor<16x64xf32>) -> tensor<1x16x64xf32> {
  // expected-error @+1 {{expects bias of shape 16x64 to broadcast to the normalized shape 64}}
  %0 = qnt.layer_norm %x, %g, %b {axis = 2 : i64}
      : (tensor<1x16x64xf32>, tensor<64xf32>, tensor<16x64xf32>) -> tensor<1x16x64xf32>
  return %0 : tensor<1x16x64xf32>
}

// -----

func.func @ln_epsilon(%x: tensor<1x16x64xf32>, %g: tensor<64xf32>) -> tensor<1x16x64xf32> {
  // expected-error @+1 {{expects a non-negative epsilon}}
  %0 = qnt.layer_norm %x, %g {axis = 2 : i64, epsilon = -1.0 : f32} : (tensor<1x16x64xf32>, tensor<64xf32>) -> tensor<1x16x64xf32>
  return %0 : tensor<1x16x64xf32>
}

// -----

func.func @ln_result(%x: tensor<1x16x64xf32>, %g: tensor<64xf32>) -> tensor<16x64xf32> {
  // expected-error @+1 {{result shape 16x64 does not match the computed shape 1x16x64}}
  %0 = qnt.layer_norm %x, %g {axis = 2 : i64} : (tensor<1x16x64xf32>, tensor<64xf32>) -> tensor<16x64xf32>
  return %0 : tensor<16x64xf32>
}

//===----------------------------------------------------------------------===//
// compare, select
//===----------------------------------------------------------------------===//

// -----

func.func @compare_result_type(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = qnt.compare %a, %a {predicate = #qnt.compare_predicate<eq>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @compare_broadcast(%a: tensor<4xf32>, %b: tensor<3xf32>) -> tensor<4xi1> {
  // expected-error @+1 {{operands of shapes 4 and 3 do not broadcast}}
  %0 = qnt.compare %a, %b {predicate = #qnt.compare_predicate<lt>} : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @select_broadcast(%c: tensor<2xi1>, %a: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{operands of shapes 2, 3 and 3 do not broadcast}}
  %0 = qnt.select %c, %a, %a : (tensor<2xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @select_result(%c: tensor<2x1xi1>, %a: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{result shape 3 does not match the computed shape 2x3}}
  %0 = qnt.select %c, %a, %a : (tensor<2x1xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @select_types(%c: tensor<3xi1>, %a: tensor<3xf32>, %b: tensor<3xf16>) -> tensor<3xf32> {
  // expected-error @+1 {{operand #1 is 'f32' and operand #2 is 'f16'}}
  %0 = qnt.select %c, %a, %b : (tensor<3xi1>, tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

//===----------------------------------------------------------------------===//
// clamp, softmax
//===----------------------------------------------------------------------===//

// -----

func.func @clamp_bounds(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expects min <= max, got min 6 and max 0}}
  %0 = qnt.clamp %x {min = 6.0 : f32, max = 0.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @softmax_axis(%x: tensor<2x10xf32>) -> tensor<2x10xf32> {
  // expected-error @+1 {{expects 'axis' in [0, 2), got -1}}
  %0 = qnt.softmax %x {axis = -1 : i64} : (tensor<2x10xf32>) -> tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// -----

func.func @pool_rank(%x: tensor<8x16xf32>) -> tensor<8x8xf32> {
  // expected-error @+1 {{expects input of rank >= 3 (N x C x spatial...), got rank 2}}
  %0 = qnt.max_pool %x {kernel_shape = array<i64>, strides = array<i64>, pads = array<i64>,
                        dilations = array<i64>} : (tensor<8x16xf32>) -> tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}

// -----

func.func @pool_kernel_count(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{expects 'kernel_shape' to have 2 entries, got 3}}
  %0 = qnt.max_pool %x {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 2, 2>,
                        pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @pool_kernel_zero(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{expects every 'kernel_shape' entry to be >= 1, got 0}}
  %0 = qnt.average_pool %x {kernel_shape = array<i64: 0, 2>, strides = array<i64: 2, 2>,
                            pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @pool_pad_too_large(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x10x10xf32> {
  // expected-error @+1 {{expects pads smaller than the kernel (2) in spatial dim 0}}
  %0 = qnt.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                        pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 1, 1>}
      : (tensor<1x8x16x16xf32>) -> tensor<1x8x10x10xf32>
  return %0 : tensor<1x8x10x10xf32>
}

// -----

func.func @pool_window(%x: tensor<1x8x2x2xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error @+1 {{window of extent 3 (kernel 3, dilation 1) does not fit the padded input of size 2 in spatial dim 0}}
  %0 = qnt.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>,
                        pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x8x2x2xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// -----

func.func @pool_result(%x: tensor<1x8x5x5xf32>) -> tensor<1x8x3x3xf32> {
  // expected-error @+1 {{result shape 1x8x3x3 does not match the computed shape 1x8x2x2}}
  %0 = qnt.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                        pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x8x5x5xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

func.func @gap_rank(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{expects input of rank >= 3 (N x C x spatial...), got rank 2}}
  %0 = qnt.global_average_pool %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

func.func @gap_result(%x: tensor<1x8x7x7xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{result shape 1x8 does not match the computed shape 1x8x1x1}}
  %0 = qnt.global_average_pool %x : (tensor<1x8x7x7xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

//===----------------------------------------------------------------------===//
// resize
//===----------------------------------------------------------------------===//

// -----

func.func @resize_scales_count(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{expects one scale per dim (4), got 2}}
  %0 = qnt.resize %x {scales = array<f32: 2.0, 2.0>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @resize_rank(%x: tensor<1x8x4x4xf32>) -> tensor<8x8x8xf32> {
  // expected-error @+1 {{expects a result of rank 4, got rank 3}}
  %0 = qnt.resize %x {scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x8x4x4xf32>) -> tensor<8x8x8xf32>
  return %0 : tensor<8x8x8xf32>
}

// -----

func.func @resize_scale_sign(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{expects positive finite scales, got 0 for dim 1}}
  %0 = qnt.resize %x {scales = array<f32: 1.0, 0.0, 2.0, 2.0>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @resize_result(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x8x9xf32> {
  // expected-error @+1 {{result dim 3 is 9 but input 4 x scale 2 = 8}}
  %0 = qnt.resize %x {scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x8x9xf32>
  return %0 : tensor<1x8x8x9xf32>
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// -----

func.func @concat_empty() -> tensor<1xf32> {
  // expected-error @+1 {{expected 1 or more operands, but found 0}}
  %0 = qnt.concat {axis = 0 : i64} : () -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{expects 'axis' in [0, 2), got 2}}
  %0 = qnt.concat %a {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{expects inputs of one rank, but input #1 has rank 1 and input #0 2}}
  %0 = qnt.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{input #1 of shape 4x3 differs from input #0 of shape 2x3 in dim 0, which is not the concat axis}}
  %0 = qnt.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_result(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{result shape 2x6 does not match the computed shape 2x7}}
  %0 = qnt.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_types(%a: tensor<2x3x!quant.uniform<i8:f32, 0.5>>, %b: tensor<2x3x!quant.uniform<i8:f32, 0.25>>)
    -> tensor<2x6x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{requires the same element type for all operands and results}}
  %0 = qnt.concat %a, %b {axis = 1 : i64}
      : (tensor<2x3x!quant.uniform<i8:f32, 0.5>>, tensor<2x3x!quant.uniform<i8:f32, 0.25>>)
      -> tensor<2x6x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<2x6x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @+1 {{cannot reshape 2x3 to 7: the element counts differ}}
  %0 = qnt.reshape %x : (tensor<2x3xf32>) -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

func.func @transpose_count(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{expects 'perm' to have 2 entries, got 3}}
  %0 = qnt.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{expects 'perm' to be a permutation of [0, 2), got [1, 1]}}
  %0 = qnt.transpose %x {perm = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @transpose_result(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{result shape 2x3 does not match the computed shape 3x2}}
  %0 = qnt.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @slice_count(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{expects 'starts', 'ends' and 'steps' to have 2 entries each}}
  %0 = qnt.slice %x {starts = array<i64: 0>, ends = array<i64: 4>, steps = array<i64: 1>}
      : (tensor<2x8xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @slice_step(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{expects non-zero steps, dim 1 has step 0}}
  %0 = qnt.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 2, 4>, steps = array<i64: 1, 0>}
      : (tensor<2x8xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @slice_clamp(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{slice [4, 9) step 1 is not clamped to dim 1 of size 8}}
  %0 = qnt.slice %x {starts = array<i64: 0, 4>, ends = array<i64: 2, 9>, steps = array<i64: 1, 1>}
      : (tensor<2x8xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @slice_clamp_reverse(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{slice [8, -1) step -1 is not clamped to dim 1 of size 8}}
  %0 = qnt.slice %x {starts = array<i64: 0, 8>, ends = array<i64: 2, -1>, steps = array<i64: 1, -1>}
      : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @slice_result(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{result shape 2x4 does not match the computed shape 2x3}}
  %0 = qnt.slice %x {starts = array<i64: 0, 1>, ends = array<i64: 2, 8>, steps = array<i64: 1, 3>}
      : (tensor<2x8xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gather_axis(%t: tensor<100x16xf32>, %i: tensor<5xi64>) -> tensor<5x16xf32> {
  // expected-error @+1 {{expects 'axis' in [0, 2), got 2}}
  %0 = qnt.gather %t, %i {axis = 2 : i64} : (tensor<100x16xf32>, tensor<5xi64>) -> tensor<5x16xf32>
  return %0 : tensor<5x16xf32>
}

// -----

func.func @gather_type(%t: tensor<100x16xf32>, %i: tensor<5xi64>) -> tensor<5x16xf16> {
  // expected-error @+1 {{expects the result element type 'f16' to match the data's 'f32'}}
  %0 = qnt.gather %t, %i {axis = 0 : i64} : (tensor<100x16xf32>, tensor<5xi64>) -> tensor<5x16xf16>
  return %0 : tensor<5x16xf16>
}

// -----

func.func @gather_result(%t: tensor<100x16xf32>, %i: tensor<5xi64>) -> tensor<100x5xf32> {
  // expected-error @+1 {{result shape 100x5 does not match the computed shape 5x16}}
  %0 = qnt.gather %t, %i {axis = 0 : i64} : (tensor<100x16xf32>, tensor<5xi64>) -> tensor<100x5xf32>
  return %0 : tensor<100x5xf32>
}

// -----

func.func @gather_float_indices(%t: tensor<100x16xf32>, %i: tensor<5xf32>) -> tensor<5x16xf32> {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = qnt.gather %t, %i {axis = 0 : i64} : (tensor<100x16xf32>, tensor<5xf32>) -> tensor<5x16xf32>
  return %0 : tensor<5x16xf32>
}

// -----

func.func @pad_count(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{expects 'pads' to have 4 entries (begin and end per dim), got 2}}
  %0 = qnt.pad %x {pads = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @pad_crop(%x: tensor<2x3xf32>) -> tensor<2x0xf32> {
  // expected-error @+1 {{pads crop dim 1 of size 3 below zero}}
  %0 = qnt.pad %x {pads = array<i64: 0, -2, 0, -2>} : (tensor<2x3xf32>) -> tensor<2x0xf32>
  return %0 : tensor<2x0xf32>
}

// -----

func.func @pad_reflect(%x: tensor<2x3xf32>) -> tensor<2x9xf32> {
  // expected-error @+1 {{reflect pad of dim 1 (size 3) must be smaller than the dim}}
  %0 = qnt.pad %x {pads = array<i64: 0, 3, 0, 3>, mode = #qnt.pad_mode<reflect>} : (tensor<2x3xf32>) -> tensor<2x9xf32>
  return %0 : tensor<2x9xf32>
}

// -----

func.func @pad_result(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{result shape 2x3 does not match the computed shape 4x3}}
  %0 = qnt.pad %x {pads = array<i64: 1, 0, 1, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @cast_shape(%x: tensor<2x3xf32>) -> tensor<3x2xf16> {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = qnt.cast %x : (tensor<2x3xf32>) -> tensor<3x2xf16>
  return %0 : tensor<3x2xf16>
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// -----

func.func @reduce_empty(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{expects at least one axis}}
  %0 = qnt.reduce_sum %x {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reduce_axis(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{expects 'axes' in [0, 2), got 5}}
  %0 = qnt.reduce_mean %x {axes = array<i64: 5>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @reduce_unsorted(%x: tensor<2x3xf32>) -> tensor<1x1xf32> {
  // expected-error @+1 {{expects 'axes' sorted and unique, got [1, 0]}}
  %0 = qnt.reduce_max %x {axes = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

func.func @reduce_result(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{result shape 2x1 does not match the computed shape 2}}
  %0 = qnt.reduce_sum %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// qnt.weight_bits: 4, 8 or 32 on a conv, gemm or matmul.
func.func @weight_bits_value(%x: tensor<1x4xf32>, %w: tensor<4x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'qnt.weight_bits' must be 4, 8 or 32 on a conv, gemm or matmul}}
  %0 = qnt.matmul %x, %w {qnt.weight_bits = 6} : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @weight_bits_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'qnt.weight_bits' must be 4, 8 or 32 on a conv, gemm or matmul}}
  %0 = qnt.relu %x {qnt.weight_bits = 4} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dynamic_linear_k(%x: tensor<2x3x8xf32>, %w: tensor<4x6x!quant.uniform<i8<-127:127>:f32:0, {1.0, 1.0, 1.0, 1.0}>>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{contracting dims differ: the input has K = 8, the weight [N, K] has K = 6}}
  %0 = qnt.dynamic_linear %x, %w : (tensor<2x3x8xf32>, tensor<4x6x!quant.uniform<i8<-127:127>:f32:0, {1.0, 1.0, 1.0, 1.0}>>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @dynamic_linear_rank(%x: tensor<8xf32>, %w: tensor<4x8x!quant.uniform<i8<-127:127>:f32, 1.0>>) -> tensor<4xf32> {
  // expected-error @+1 {{expects an input of rank >= 2 and a weight of rank 2 ([N, K]), got 8 and 4x8}}
  %0 = qnt.dynamic_linear %x, %w : (tensor<8xf32>, tensor<4x8x!quant.uniform<i8<-127:127>:f32, 1.0>>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dynamic_linear_weight(%x: tensor<3x8xf32>, %w: tensor<4x8x!quant.uniform<i8:f32, 1.0:3>>) -> tensor<3x4xf32> {
  // expected-error @+1 {{expects a symmetric int8 weight on [-127, 127] (zero point 0, per tensor or per axis 0), got '!quant.uniform<i8:f32, 1.000000e+00:3>'}}
  %0 = qnt.dynamic_linear %x, %w : (tensor<3x8xf32>, tensor<4x8x!quant.uniform<i8:f32, 1.0:3>>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @dynamic_linear_axis(%x: tensor<3x8xf32>, %w: tensor<4x8x!quant.uniform<i8<-127:127>:f32:1, {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}>>) -> tensor<3x4xf32> {
  // expected-error @+1 {{per tensor or per axis 0}}
  %0 = qnt.dynamic_linear %x, %w : (tensor<3x8xf32>, tensor<4x8x!quant.uniform<i8<-127:127>:f32:1, {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}>>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @dynamic_linear_bias(%x: tensor<3x8xf32>, %w: tensor<4x8x!quant.uniform<i8<-127:127>:f32, 1.0>>, %b: tensor<8xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{expects a bias of shape [4], got 8}}
  %0 = qnt.dynamic_linear %x, %w, %b : (tensor<3x8xf32>, tensor<4x8x!quant.uniform<i8<-127:127>:f32, 1.0>>, tensor<8xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @dynamic_linear_result(%x: tensor<3x8xf32>, %w: tensor<4x8x!quant.uniform<i8<-127:127>:f32, 1.0>>) -> tensor<3x5xf32> {
  // expected-error @+1 {{result shape 3x5 does not match the computed shape 3x4}}
  %0 = qnt.dynamic_linear %x, %w : (tensor<3x8xf32>, tensor<4x8x!quant.uniform<i8<-127:127>:f32, 1.0>>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}
