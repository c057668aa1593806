// RUN: quant-opt %s --qnt-quantize -split-input-file | FileCheck %s
// RUN: quant-opt %s --qnt-quantize=elementwise=false -split-input-file | FileCheck %s --check-prefix=OFF
// RUN: quant-opt %s --qnt-quantize=keep-float=sum -split-input-file | FileCheck %s --check-prefix=KEEP

// The ops between int8 layers. Operands here are quant.dcast of int8
// arguments (what a quantized layer leaves); ranges as calibration writes
// them.

// A residual add of two int8 values: int8 on the grid of its range
// [-4, 4] (scale 8/255 in f32, just under; zero point -128 + 4 / scale,
// just under -0.5, rounds to -1), reading the
// operands' int8 tensors; one dcast for the float reader.
// CHECK-LABEL: func.func @residual_add
// CHECK-SAME:    (%[[A:.*]]: tensor<1x4x!quant.uniform<i8:f32, 1.000000e-02:3>>, %[[B:.*]]: tensor<1x4x!quant.uniform<i8:f32, 2.000000e-02:-5>>)
// CHECK-NEXT:    %[[S:.*]] = qnt.add %[[A]], %[[B]] {{.*}} : (tensor<1x4x!quant.uniform<i8:f32, 1.000000e-02:3>>, tensor<1x4x!quant.uniform<i8:f32, 2.000000e-02:-5>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.031372550874948502:-1>>
// CHECK-NEXT:    %[[D:.*]] = quant.dcast %[[S]]
// CHECK-NEXT:    return %[[D]]
// OFF-LABEL: func.func @residual_add
// OFF:         qnt.add %{{.*}}, %{{.*}} {{.*}} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
// KEEP-LABEL: func.func @residual_add
// KEEP:         qnt.add %{{.*}}, %{{.*}} {{.*}} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
func.func @residual_add(%a: tensor<1x4x!quant.uniform<i8:f32, 0.01:3>>, %b: tensor<1x4x!quant.uniform<i8:f32, 0.02:-5>>) -> tensor<1x4xf32> {
  %x = quant.dcast %a : tensor<1x4x!quant.uniform<i8:f32, 0.01:3>> to tensor<1x4xf32>
  %y = quant.dcast %b : tensor<1x4x!quant.uniform<i8:f32, 0.02:-5>> to tensor<1x4xf32>
  %s = qnt.add %x, %y {qnt.range = #qnt.range<-4.0, 4.0>} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> loc("sum")
  return %s : tensor<1x4xf32>
}

// -----

// A squeeze-excitation gate: x * hard_sigmoid(g). The gate is a float
// function of one int8 value, so it is quantized to its own range [0, 1]
// (scale 1/255, zero point -128); the product is int8, broadcasting the
// [1, 4, 1, 1] gate. The mean feeding the gate's layer keeps its input's
// grid (its range is forwarded; here the f32 scale of 12.75 / 255).
// CHECK-LABEL: func.func @gate
// CHECK-SAME:    (%[[X:.*]]: tensor<1x4x2x2x!quant.uniform<i8:f32, 5.000000e-02:-10>>, %[[G:.*]]: tensor<1x4x1x1x!quant.uniform<i8:f32, 1.000000e-01:4>>)
// CHECK:         %[[M:.*]] = qnt.global_average_pool %[[X]] {{.*}} -> tensor<1x4x1x1x!quant.uniform<i8:f32, 0.05000000074505806:-10>>
// CHECK-NEXT:    quant.dcast %[[M]]
// CHECK:         %[[GD:.*]] = quant.dcast %[[G]]
// CHECK:         %[[H:.*]] = qnt.hard_sigmoid %[[GD]]
// CHECK:         %[[HQ:.*]] = quant.qcast %[[H]] : tensor<1x4x1x1xf32> to tensor<1x4x1x1x!quant.uniform<i8:f32, 0.0039215688593685627:-128>>
// CHECK:         %[[P:.*]] = qnt.mul %[[X]], %[[HQ]] {{.*}} -> tensor<1x4x2x2x!quant.uniform<i8:f32, 0.05000000074505806:-10>>
// CHECK-NEXT:    quant.dcast %[[P]]
func.func @gate(%xq: tensor<1x4x2x2x!quant.uniform<i8:f32, 0.05:-10>>, %gq: tensor<1x4x1x1x!quant.uniform<i8:f32, 0.1:4>>) -> (tensor<1x4x1x1xf32>, tensor<1x4x2x2xf32>) {
  %x = quant.dcast %xq : tensor<1x4x2x2x!quant.uniform<i8:f32, 0.05:-10>> to tensor<1x4x2x2xf32>
  %m = qnt.global_average_pool %x {qnt.range = #qnt.range<-5.9, 6.85>} : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32>
  %g = quant.dcast %gq : tensor<1x4x1x1x!quant.uniform<i8:f32, 0.1:4>> to tensor<1x4x1x1xf32>
  %h = qnt.hard_sigmoid %g {alpha = 0.2 : f32, beta = 0.5 : f32, qnt.range = #qnt.range<0.0, 1.0>} : (tensor<1x4x1x1xf32>) -> tensor<1x4x1x1xf32>
  %p = qnt.mul %x, %h {qnt.range = #qnt.range<-5.9, 6.85>} : (tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x2x2xf32>
  return %m, %p : tensor<1x4x1x1xf32>, tensor<1x4x2x2xf32>
}

// -----

// An FPN step: a nearest resize keeps its input's grid, the add reads it,
// and the concat puts its operands on its own grid [-2, 2.5]: the add's
// result is on that grid already (its range is the concat's, as
// qnt-propagate-ranges unifies them) and is read directly, the other
// operand is requantized (qcast(dcast(x)), a table at lowering). No dcast
// is left between them.
// CHECK-LABEL: func.func @fpn
// CHECK-SAME:    (%[[A:.*]]: tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e-02>>, %[[B:.*]]: tensor<1x2x4x4x!quant.uniform<i8:f32, 2.000000e-02:7>>, %[[C:.*]]: tensor<1x3x4x4x!quant.uniform<i8:f32, 3.000000e-02:-1>>)
// CHECK-NEXT:    %[[CD:.*]] = quant.dcast %[[C]]
// CHECK-NEXT:    %[[R:.*]] = qnt.resize %[[A]] {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 1.000000e-02>>
// CHECK-NEXT:    %[[S:.*]] = qnt.add %[[B]], %[[R]] {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.017647059634327888:-15>>
// CHECK-NEXT:    %[[CQ:.*]] = quant.qcast %[[CD]] : tensor<1x3x4x4xf32> to tensor<1x3x4x4x!quant.uniform<i8:f32, 0.017647059634327888:-15>>
// CHECK-NEXT:    %[[J:.*]] = qnt.concat %[[S]], %[[CQ]] {axis = 1 : i64{{.*}}} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.017647059634327888:-15>>, tensor<1x3x4x4x!quant.uniform<i8:f32, 0.017647059634327888:-15>>) -> tensor<1x5x4x4x!quant.uniform<i8:f32, 0.017647059634327888:-15>>
// CHECK-NEXT:    %[[D:.*]] = quant.dcast %[[J]]
// CHECK-NEXT:    return %[[D]]
// OFF-LABEL: func.func @fpn
// OFF:         qnt.resize %{{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 1.000000e-02>>
// OFF:         qnt.add %{{.*}} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
// OFF:         qnt.concat %{{.*}} -> tensor<1x5x4x4xf32>
func.func @fpn(%aq: tensor<1x2x2x2x!quant.uniform<i8:f32, 0.01>>, %bq: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.02:7>>, %cq: tensor<1x3x4x4x!quant.uniform<i8:f32, 0.03:-1>>) -> tensor<1x5x4x4xf32> {
  %a = quant.dcast %aq : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.01>> to tensor<1x2x2x2xf32>
  %b = quant.dcast %bq : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.02:7>> to tensor<1x2x4x4xf32>
  %c = quant.dcast %cq : tensor<1x3x4x4x!quant.uniform<i8:f32, 0.03:-1>> to tensor<1x3x4x4xf32>
  %r = qnt.resize %a {coordinate_transform = #qnt.coordinate_transform<asymmetric>, mode = #qnt.resize_mode<nearest>, nearest_mode = #qnt.nearest_mode<floor>, qnt.range = #qnt.range<-1.28, 1.27>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x4x4xf32>
  %s = qnt.add %b, %r {qnt.range = #qnt.range<-2.0, 2.5>} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %j = qnt.concat %s, %c {axis = 1 : i64, qnt.range = #qnt.range<-2.0, 2.5>} : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32>
  return %j : tensor<1x5x4x4xf32>
}

// -----

// Stay float: an add with a constant (a bias, a batch norm's affine: part
// of a chain qnt-int8-tables makes one table of); x * f(x), two operands
// over one int8 value (a hardswish: a table's job); an operand that is no
// function of an int8 value (a function argument); a result without a
// range; a linear resize (it computes new values).
// CHECK-LABEL: func.func @stay_float
// CHECK:         qnt.add %{{.*}}, %{{.*}} {{.*}} : (tensor<1x4xf32>, tensor<1xf32>) -> tensor<1x4xf32>
// CHECK:         qnt.mul %{{.*}}, %{{.*}} {{.*}} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK:         qnt.add %{{.*}}, %{{.*}} {{.*}} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK:         qnt.sub %{{.*}}, %{{.*}} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK:         qnt.resize %{{.*}} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
// CHECK-NOT:     !quant.uniform<i8:f32, {{[^>]*}}>> -> tensor
func.func @stay_float(%aq: tensor<1x4x!quant.uniform<i8:f32, 0.01>>, %bq: tensor<1x4x!quant.uniform<i8:f32, 0.02>>, %f: tensor<1x4xf32> {qnt.range = #qnt.range<-1.0, 1.0>}, %iq: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.01>>) -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x1x4x4xf32>) {
  %a = quant.dcast %aq : tensor<1x4x!quant.uniform<i8:f32, 0.01>> to tensor<1x4xf32>
  %b = quant.dcast %bq : tensor<1x4x!quant.uniform<i8:f32, 0.02>> to tensor<1x4xf32>
  %c = qnt.constant dense<0.5> : tensor<1xf32>
  %0 = qnt.add %a, %c {qnt.range = #qnt.range<-1.0, 2.0>} : (tensor<1x4xf32>, tensor<1xf32>) -> tensor<1x4xf32>
  %h = qnt.hard_sigmoid %a {alpha = 0.2 : f32, beta = 0.5 : f32, qnt.range = #qnt.range<0.0, 1.0>} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %1 = qnt.mul %a, %h {qnt.range = #qnt.range<-1.0, 2.0>} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %2 = qnt.add %b, %f {qnt.range = #qnt.range<-1.0, 2.0>} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %3 = qnt.sub %a, %b : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %i = quant.dcast %iq : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.01>> to tensor<1x1x2x2xf32>
  %4 = qnt.resize %i {coordinate_transform = #qnt.coordinate_transform<asymmetric>, mode = #qnt.resize_mode<linear>, qnt.range = #qnt.range<-1.28, 1.27>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0, %1, %2, %3, %4 : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x1x4x4xf32>
}

// -----

// Grids too far apart for the shared shift (an operand step below 2^-11
// of the result's) keep the sub float.
// CHECK-LABEL: func.func @too_far_apart
// CHECK:         qnt.sub %{{.*}}, %{{.*}} {{.*}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
func.func @too_far_apart(%aq: tensor<4x!quant.uniform<i8:f32, 1.0e-6>>, %bq: tensor<4x!quant.uniform<i8:f32, 1.0e-6>>) -> tensor<4xf32> {
  %a = quant.dcast %aq : tensor<4x!quant.uniform<i8:f32, 1.0e-6>> to tensor<4xf32>
  %b = quant.dcast %bq : tensor<4x!quant.uniform<i8:f32, 1.0e-6>> to tensor<4xf32>
  %0 = qnt.sub %a, %b {qnt.range = #qnt.range<-10.0, 10.0>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A squeeze-excitation residual x + x * g is x * (1 + g): the gate plus 1
// in float, on g's range plus 1, [1, 2] (its grid contains 0: [0, 2],
// scale 2/255, zero point -128), and one int8 product on the sum's range
// [-4, 4]; the add and the first product are gone.
// CHECK-LABEL: func.func @gated_residual
// CHECK-SAME:    (%[[X:.*]]: tensor<1x4x2x2x!quant.uniform<i8:f32, 5.000000e-02:-10>>, %[[G:.*]]: tensor<1x4x1x1x!quant.uniform<i8:f32, 1.000000e-01:4>>)
// CHECK:         %[[H:.*]] = qnt.hard_sigmoid
// CHECK:         %[[ONE:.*]] = qnt.constant dense<1.000000e+00> : tensor<f32>
// CHECK:         %[[G1:.*]] = qnt.add %[[H]], %[[ONE]] {qnt.range = #qnt.range<1.000000e+00, 2.000000e+00>} : (tensor<1x4x1x1xf32>, tensor<f32>) -> tensor<1x4x1x1xf32>
// CHECK:         %[[Q1:.*]] = quant.qcast %[[G1]] : tensor<1x4x1x1xf32> to tensor<1x4x1x1x!quant.uniform<i8:f32, 0.0078431377187371254:-128>>
// CHECK:         %[[P:.*]] = qnt.mul %[[X]], %[[Q1]] {qnt.range = #qnt.range<-4.000000e+00, 4.000000e+00>} : ({{.*}}) -> tensor<1x4x2x2x!quant.uniform<i8:f32, 0.031372550874948502:-1>>
// CHECK-NEXT:    quant.dcast %[[P]]
// CHECK-NOT:     qnt.add
// OFF-LABEL: func.func @gated_residual
// OFF:         qnt.mul %{{.*}}, %{{.*}} {{.*}} : (tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x2x2xf32>
// OFF:         qnt.add %{{.*}}, %{{.*}} {{.*}} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
// keep-float naming the product keeps both float (the add has no int8
// form without it).
// KEEP-LABEL: func.func @gated_residual
// KEEP:         qnt.mul %{{.*}}, %{{.*}} {{.*}} : (tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x2x2xf32>
// KEEP:         qnt.add %{{.*}}, %{{.*}} {{.*}} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
func.func @gated_residual(%xq: tensor<1x4x2x2x!quant.uniform<i8:f32, 0.05:-10>>, %gq: tensor<1x4x1x1x!quant.uniform<i8:f32, 0.1:4>>) -> tensor<1x4x2x2xf32> {
  %x = quant.dcast %xq : tensor<1x4x2x2x!quant.uniform<i8:f32, 0.05:-10>> to tensor<1x4x2x2xf32>
  %g = quant.dcast %gq : tensor<1x4x1x1x!quant.uniform<i8:f32, 0.1:4>> to tensor<1x4x1x1xf32>
  %h = qnt.hard_sigmoid %g {alpha = 0.2 : f32, beta = 0.5 : f32, qnt.range = #qnt.range<0.0, 1.0>} : (tensor<1x4x1x1xf32>) -> tensor<1x4x1x1xf32>
  %p = qnt.mul %x, %h {qnt.range = #qnt.range<-2.0, 2.0>} : (tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x2x2xf32> loc("sum")
  %s = qnt.add %x, %p {qnt.range = #qnt.range<-4.0, 4.0>} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  return %s : tensor<1x4x2x2xf32>
}

// -----

// A full-size float operand (an affine of an int8 value, which the float
// graph reads exact) keeps the product and the mean float; the broadcast
// gate alone would not.
// CHECK-LABEL: func.func @full_size_float_operand
// CHECK:         qnt.global_average_pool %{{.*}} : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32>
// CHECK:         qnt.mul %{{.*}}, %{{.*}} {{.*}} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
func.func @full_size_float_operand(%xq: tensor<1x4x2x2x!quant.uniform<i8:f32, 0.05:-10>>, %yq: tensor<1x4x2x2x!quant.uniform<i8:f32, 0.05:-10>>) -> (tensor<1x4x1x1xf32>, tensor<1x4x2x2xf32>) {
  %x = quant.dcast %xq : tensor<1x4x2x2x!quant.uniform<i8:f32, 0.05:-10>> to tensor<1x4x2x2xf32>
  %y = quant.dcast %yq : tensor<1x4x2x2x!quant.uniform<i8:f32, 0.05:-10>> to tensor<1x4x2x2xf32>
  %c = qnt.constant dense<2.0> : tensor<1xf32>
  %a = qnt.mul %x, %c {qnt.range = #qnt.range<-11.0, 13.0>} : (tensor<1x4x2x2xf32>, tensor<1xf32>) -> tensor<1x4x2x2xf32>
  %m = qnt.global_average_pool %a {qnt.range = #qnt.range<-11.0, 13.0>} : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32>
  %p = qnt.mul %a, %y {qnt.range = #qnt.range<-50.0, 50.0>} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  return %m, %p : tensor<1x4x1x1xf32>, tensor<1x4x2x2xf32>
}

// -----

// A value that only a concat reads (here through a nearest resize) is
// computed on the concat's grid [-3, 5] (scale 8/255, zero point -32),
// not its own [-1, 1]: the concat reads it without requantizing.
// CHECK-LABEL: func.func @only_concat_reader
// CHECK:         %[[S:.*]] = qnt.add {{.*}} -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.031372550874948502:-32>>
// CHECK:         %[[R:.*]] = qnt.resize %[[S]] {{.*}} -> tensor<1x1x4x4x!quant.uniform<i8:f32, 0.031372550874948502:-32>>
// CHECK:         qnt.concat %[[R]], %{{.*}} {{.*}} : (tensor<1x1x4x4x!quant.uniform<i8:f32, 0.031372550874948502:-32>>, tensor<1x1x4x4x!quant.uniform<i8:f32, 0.031372550874948502:-32>>)
func.func @only_concat_reader(%aq: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.004>>, %bq: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.004>>, %cq: tensor<1x1x4x4x!quant.uniform<i8:f32, 0.03:-28>>) -> tensor<1x2x4x4xf32> {
  %a = quant.dcast %aq : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.004>> to tensor<1x1x2x2xf32>
  %b = quant.dcast %bq : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.004>> to tensor<1x1x2x2xf32>
  %c = quant.dcast %cq : tensor<1x1x4x4x!quant.uniform<i8:f32, 0.03:-28>> to tensor<1x1x4x4xf32>
  %s = qnt.add %a, %b {qnt.range = #qnt.range<-1.0, 1.0>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  %r = qnt.resize %s {coordinate_transform = #qnt.coordinate_transform<asymmetric>, mode = #qnt.resize_mode<nearest>, nearest_mode = #qnt.nearest_mode<floor>, qnt.range = #qnt.range<-1.0, 1.0>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  %j = qnt.concat %r, %c {axis = 1 : i64, qnt.range = #qnt.range<-3.0, 5.0>} : (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %j : tensor<1x2x4x4xf32>
}

// -----

// x + x * g with a full-size g (not a gate) is left as it is: the product
// would stay float (a full-size float operand), so nothing is rewritten.
// CHECK-LABEL: func.func @full_size_gate
// CHECK:         qnt.sigmoid
// CHECK:         qnt.mul %{{.*}}, %{{.*}} {{.*}} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
// CHECK:         qnt.add %{{.*}}, %{{.*}} {{.*}} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
// CHECK-NOT:     qnt.constant dense<1.000000e+00>
func.func @full_size_gate(%xq: tensor<1x4x2x2x!quant.uniform<i8:f32, 0.05:-10>>, %gq: tensor<1x4x2x2x!quant.uniform<i8:f32, 0.1:4>>) -> tensor<1x4x2x2xf32> {
  %x = quant.dcast %xq : tensor<1x4x2x2x!quant.uniform<i8:f32, 0.05:-10>> to tensor<1x4x2x2xf32>
  %g = quant.dcast %gq : tensor<1x4x2x2x!quant.uniform<i8:f32, 0.1:4>> to tensor<1x4x2x2xf32>
  %h = qnt.sigmoid %g {qnt.range = #qnt.range<0.0, 1.0>} : (tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  %p = qnt.mul %x, %h {qnt.range = #qnt.range<-2.0, 2.0>} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  %s = qnt.add %x, %p {qnt.range = #qnt.range<-4.0, 4.0>} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  return %s : tensor<1x4x2x2xf32>
}
