// RUN: quant-opt %s --convert-qnt-to-linalg --split-input-file | FileCheck %s

// Broadcasting is in the indexing maps: [4] against [2x4] reads d1.
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @add_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[B]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
func.func @add_broadcast(%a: tensor<2x4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = qnt.add %a, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A size-1 dim that the output widens reads index 0.
// CHECK: #[[ZERO:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func @mul_unit_dim
// CHECK: indexing_maps = [#{{.*}}, #[[ZERO]], #{{.*}}]
// CHECK: arith.mulf
func.func @mul_unit_dim(%a: tensor<3x4xf32>, %b: tensor<1x4xf32>) -> tensor<3x4xf32> {
  %0 = qnt.mul %a, %b : (tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func @activations
// hard_swish: x * max(0, min(1, x / 6 + 1 / 2))
// CHECK: %[[SIXTH:.*]] = arith.constant 0.16666{{.*}} : f32
// CHECK: arith.mulf %[[SIXTH]], %[[X:.*]] : f32
// CHECK: arith.constant 5.000000e-01
// CHECK: arith.minimumf
// CHECK: arith.maximumf
// CHECK: arith.mulf %[[X]]
// leaky_relu: x < 0 ? alpha * x : x
// CHECK: arith.cmpf olt
// CHECK: arith.constant 1.000000e-01
// CHECK: arith.select
// gelu (erf): 0.5 * x * (1 + erf(x / sqrt(2)))
// CHECK: arith.constant 0.707106{{[0-9]*}} : f32
// CHECK: math.erf
// softplus: max(x, 0) + log1p(exp(-|x|))
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[POS:.*]] = arith.maximumf %[[Y:.*]], %[[ZERO]] : f32
// CHECK: %[[ABS:.*]] = math.absf %[[Y]] : f32
// CHECK: %[[NABS:.*]] = arith.negf %[[ABS]] : f32
// CHECK: %[[E:.*]] = math.exp %[[NABS]] : f32
// log1p(e) as Goldberg's log(u) * e / (u - 1), u = 1 + e (e where u == 1)
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[U:.*]] = arith.addf %[[ONE]], %[[E]] : f32
// CHECK: %[[EXACT:.*]] = arith.cmpf oeq, %[[U]], %{{.*}} : f32
// CHECK: %[[LOG:.*]] = math.log %[[U]] : f32
// CHECK: %[[NUM:.*]] = arith.mulf %[[LOG]], %[[E]] : f32
// CHECK: %[[DEN:.*]] = arith.subf %[[U]], %{{.*}} : f32
// CHECK: %[[Q:.*]] = arith.divf %[[NUM]], %[[DEN]] : f32
// CHECK: %[[L:.*]] = arith.select %[[EXACT]], %[[E]], %[[Q]] : f32
// CHECK: arith.addf %[[POS]], %[[L]] : f32
func.func @activations(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %0 = qnt.hard_swish %x : (tensor<8xf32>) -> tensor<8xf32>
  %1 = qnt.leaky_relu %x {alpha = 0.1 : f32} : (tensor<8xf32>) -> tensor<8xf32>
  %2 = qnt.gelu %x : (tensor<8xf32>) -> tensor<8xf32>
  %3 = qnt.softplus %x : (tensor<8xf32>) -> tensor<8xf32>
  return %0, %1, %2, %3 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

// CHECK-LABEL: func @clamp_and_compare
// CHECK: arith.constant 0.000000e+00
// CHECK: arith.maximumf
// CHECK: arith.constant 6.000000e+00
// CHECK: arith.minimumf
// CHECK: arith.cmpf ogt
// CHECK: -> tensor<4xi1>
// CHECK: arith.select
func.func @clamp_and_compare(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qnt.clamp %x {min = 0.0 : f32, max = 6.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %c = qnt.compare %0, %y {predicate = #qnt.compare_predicate<gt>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %s = qnt.select %c, %0, %y : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// ONNX Cast: float -> int truncates (fptosi), bool -> float is 0/1 (uitofp).
// CHECK-LABEL: func @casts
// CHECK: arith.fptosi %{{.*}} : f32 to i64
// CHECK: arith.uitofp %{{.*}} : i1 to f32
func.func @casts(%x: tensor<4xf32>, %b: tensor<4xi1>) -> (tensor<4xi64>, tensor<4xf32>) {
  %0 = qnt.cast %x : (tensor<4xf32>) -> tensor<4xi64>
  %1 = qnt.cast %b : (tensor<4xi1>) -> tensor<4xf32>
  return %0, %1 : tensor<4xi64>, tensor<4xf32>
}

// -----

// (x - mean) / sqrt(var + eps) * scale + bias, parameters as [C, 1, 1].
// CHECK-LABEL: func @batch_norm
// CHECK-COUNT-4: tensor.expand_shape {{.*}} into tensor<3x1x1xf32>
// CHECK: arith.constant 9.99999974E-6 : f32
// CHECK: math.sqrt
// CHECK: arith.subf
// CHECK: arith.divf
func.func @batch_norm(%x: tensor<1x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %0 = qnt.batch_norm %x, %s, %b, %m, %v : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// Every binary op: one generic each, with its scalar op.
// CHECK-LABEL: func @binary_ops
// CHECK: arith.subf
// CHECK: arith.divf
// CHECK: math.powf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @binary_ops(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = qnt.sub %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = qnt.div %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = qnt.pow %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %3 = qnt.max %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %4 = qnt.min %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Every simple unary op; sigmoid is 1 / (1 + exp(-x)); relu is max(x, 0);
// abs is math.absf.
// CHECK-LABEL: func @unary_ops
// CHECK: math.sqrt
// CHECK: math.exp
// CHECK: math.log
// CHECK: math.erf
// CHECK: math.tanh
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00
// CHECK-NEXT: arith.maximumf %{{.*}}, %[[Z]]
// CHECK: arith.negf
// CHECK-NEXT: math.exp
// CHECK: arith.addf
// CHECK-NEXT: arith.divf
// CHECK: math.absf
func.func @unary_ops(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = qnt.sqrt %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = qnt.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  %2 = qnt.log %x : (tensor<4xf32>) -> tensor<4xf32>
  %3 = qnt.erf %x : (tensor<4xf32>) -> tensor<4xf32>
  %4 = qnt.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  %5 = qnt.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  %6 = qnt.sigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
  %7 = qnt.abs %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// hard_sigmoid: max(0, min(1, alpha * x + beta)); gelu tanh:
// 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))).
// CHECK-LABEL: func @hard_sigmoid_gelu_tanh
// CHECK: arith.constant 2.500000e-01
// CHECK: arith.mulf
// CHECK: arith.constant 1.250000e-01
// CHECK: arith.addf
// CHECK: arith.minimumf
// CHECK: arith.maximumf
// CHECK: arith.constant 4.471500e-02
// CHECK: arith.constant 0.797884{{[0-9]*}}
// CHECK: math.tanh
func.func @hard_sigmoid_gelu_tanh(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = qnt.hard_sigmoid %x {alpha = 0.25 : f32, beta = 0.125 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %1 = qnt.gelu %x {approximate = #qnt.gelu_approximation<tanh>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Clamp with only a lower bound is one maximumf.
// CHECK-LABEL: func @clamp_min_only
// CHECK: arith.maximumf
// CHECK-NOT: arith.minimumf
// CHECK: linalg.yield
func.func @clamp_min_only(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qnt.clamp %x {min = -1.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// The remaining cast directions: float -> bool is x != 0 (une), f32 -> f16
// truncates, i64 -> i32 truncates, i32 -> i64 sign-extends, i1 -> i32
// zero-extends, i64 -> f32 is signed.
// CHECK-LABEL: func @more_casts
// CHECK: arith.cmpf une
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: arith.trunci %{{.*}} : i64 to i32
// CHECK: arith.extsi %{{.*}} : i32 to i64
// CHECK: arith.extui %{{.*}} : i1 to i32
// CHECK: arith.sitofp %{{.*}} : i64 to f32
// CHECK: arith.cmpi ne
func.func @more_casts(%f: tensor<4xf32>, %l: tensor<4xi64>, %i: tensor<4xi32>, %b: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xf16>, tensor<4xi32>, tensor<4xi64>, tensor<4xi32>, tensor<4xf32>, tensor<4xi1>) {
  %0 = qnt.cast %f : (tensor<4xf32>) -> tensor<4xi1>
  %1 = qnt.cast %f : (tensor<4xf32>) -> tensor<4xf16>
  %2 = qnt.cast %l : (tensor<4xi64>) -> tensor<4xi32>
  %3 = qnt.cast %i : (tensor<4xi32>) -> tensor<4xi64>
  %4 = qnt.cast %b : (tensor<4xi1>) -> tensor<4xi32>
  %5 = qnt.cast %l : (tensor<4xi64>) -> tensor<4xf32>
  %6 = qnt.cast %i : (tensor<4xi32>) -> tensor<4xi1>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4xi1>, tensor<4xf16>, tensor<4xi32>, tensor<4xi64>, tensor<4xi32>, tensor<4xf32>, tensor<4xi1>
}

// -----

// Integer division is signed and total: a 0 or -1 divisor is replaced by 1
// before arith.divsi (where LLVM's sdiv is undefined), and the result is
// then 0 for x / 0 and 0 - x for x / -1.
// CHECK-LABEL: func.func @int_div
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-DAG: %[[MINUS:.*]] = arith.constant -1 : i32
// CHECK: %[[BY0:.*]] = arith.cmpi eq, %[[D:.*]], %[[ZERO]] : i32
// CHECK: %[[BYM:.*]] = arith.cmpi eq, %[[D]], %[[MINUS]] : i32
// CHECK: %[[EITHER:.*]] = arith.ori %[[BY0]], %[[BYM]]
// CHECK: %[[SAFE:.*]] = arith.select %[[EITHER]], %{{.*}}, %[[D]] : i32
// CHECK: %[[Q:.*]] = arith.divsi %[[N:.*]], %[[SAFE]] : i32
// CHECK: %[[NEG:.*]] = arith.subi %[[ZERO]], %[[N]] : i32
// CHECK: %[[R:.*]] = arith.select %[[BYM]], %[[NEG]], %[[Q]] : i32
// CHECK: arith.select %[[BY0]], %[[ZERO]], %[[R]] : i32
func.func @int_div(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = qnt.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Integer max/min and compare are the signed arith ops.
// CHECK-LABEL: func.func @int_max_compare
// CHECK: arith.maxsi
// CHECK: arith.cmpi sge
func.func @int_max_compare(%a: tensor<4xi64>, %b: tensor<4xi64>) -> (tensor<4xi64>, tensor<4xi1>) {
  %0 = qnt.max %a, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %1 = qnt.compare %a, %b {predicate = #qnt.compare_predicate<ge>} : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi1>
  return %0, %1 : tensor<4xi64>, tensor<4xi1>
}

// -----

// Integer pow: in double, clamped into the type's range, NaN to 0.
// CHECK-LABEL: func.func @int_pow
// CHECK: arith.sitofp %{{.*}} : i32 to f64
// CHECK: math.powf %{{.*}} : f64
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.cmpf uno
// CHECK: arith.fptosi %{{.*}} : f64 to i32
func.func @int_pow(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = qnt.pow %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// ONNX Round: halves to even.
// CHECK-LABEL: func @round
// CHECK: linalg.generic
// CHECK: math.roundeven %{{.*}} : f32
func.func @round(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qnt.round %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
