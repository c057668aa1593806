// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// Binary element-wise ops broadcast multidirectionally, like numpy.

// CHECK-LABEL: func.func @broadcasts
func.func @broadcasts(%s: tensor<f32>, %col: tensor<3x1xf32>, %row: tensor<1x4xf32>,
                      %v: tensor<4xf32>, %x: tensor<2x3x4xf32>) {
  // Scalar with anything.
  // CHECK: qnt.add {{.*}} : (tensor<f32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %0 = qnt.add %s, %x : (tensor<f32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // Both operands stretch: 3x1 and 1x4 give 3x4.
  // CHECK: qnt.sub {{.*}} -> tensor<3x4xf32>
  %1 = qnt.sub %col, %row : (tensor<3x1xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  // Missing leading dims act as 1.
  // CHECK: qnt.mul {{.*}} : (tensor<4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %2 = qnt.mul %v, %x : (tensor<4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: qnt.div {{.*}} -> tensor<2x3x4xf32>
  %3 = qnt.div %x, %col : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  // CHECK: qnt.pow {{.*}} -> tensor<2x3x4xf32>
  %4 = qnt.pow %x, %s : (tensor<2x3x4xf32>, tensor<f32>) -> tensor<2x3x4xf32>
  // CHECK: qnt.max {{.*}} -> tensor<3x4xf32>
  %5 = qnt.max %row, %col : (tensor<1x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  // CHECK: qnt.min {{.*}} -> tensor<f32>
  %6 = qnt.min %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return
}

// -----

// Trailing dims must agree: 3x1 and 4 give 3x4, not 3x1.
func.func @not_stretched(%col: tensor<3x1xf32>, %v: tensor<4xf32>) -> tensor<3x1xf32> {
  // expected-error @+1 {{result shape 3x1 is not the broadcast shape 3x4}}
  %0 = qnt.max %col, %v : (tensor<3x1xf32>, tensor<4xf32>) -> tensor<3x1xf32>
  return %0 : tensor<3x1xf32>
}

// -----

// Element types of the two operands must express the same float.
func.func @mixed_precision(%a: tensor<4xf32>, %b: tensor<4xbf16>) -> tensor<4xf32> {
  // expected-error @+1 {{operand #0 is 'f32' and operand #1 is 'bf16'}}
  %0 = qnt.pow %a, %b : (tensor<4xf32>, tensor<4xbf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Arithmetic, compare and select also run on signed integers of one type.
// CHECK-LABEL: func.func @integers
func.func @integers(%a: tensor<2x3xi32>, %b: tensor<3xi32>, %c: tensor<2x1xi1>,
                    %q: tensor<4xi8>, %l: tensor<4xi64>) {
  // CHECK: qnt.div {{.*}} : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %0 = qnt.div %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  // CHECK: qnt.max {{.*}} -> tensor<4xi8>
  %1 = qnt.max %q, %q : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  // CHECK: qnt.compare {{.*}} -> tensor<2x3xi1>
  %2 = qnt.compare %a, %b {predicate = #qnt.compare_predicate<lt>} : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi1>
  // CHECK: qnt.select {{.*}} -> tensor<2x3xi32>
  %3 = qnt.select %c, %a, %b : (tensor<2x1xi1>, tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  // CHECK: qnt.pow {{.*}} -> tensor<4xi64>
  %4 = qnt.pow %l, %l : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return
}

// -----

// Integers of two widths do not mix: the importer casts first.
func.func @two_integer_types(%a: tensor<4xi32>, %b: tensor<4xi64>) -> tensor<4xi64> {
  // expected-error @+1 {{'qnt.add' op expects one integer type, but operand #0 is 'i32' and operand #1 is 'i64'}}
  %0 = qnt.add %a, %b : (tensor<4xi32>, tensor<4xi64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// Nor do integers and floats.
func.func @integer_and_float(%a: tensor<4xi32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'qnt.mul' op expects integer values alone, but operand #0 is 'i32' and operand #1 is 'f32'}}
  %0 = qnt.mul %a, %b : (tensor<4xi32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @integer_select(%c: tensor<4xi1>, %a: tensor<4xi64>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'qnt.select' op expects integer values alone, but operand #1 is 'i64' and operand #2 is 'f32'}}
  %0 = qnt.select %c, %a, %b : (tensor<4xi1>, tensor<4xi64>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Booleans are not arithmetic operands.
func.func @booleans(%a: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of}}
  %0 = qnt.add %a, %a : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}
