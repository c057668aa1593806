// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.compare and qnt.select broadcast like numpy; select takes a condition
// of any broadcastable shape (a scalar condition picks a whole tensor).

// CHECK-LABEL: func.func @variants
func.func @variants(%s: tensor<1x1xf32>, %x: tensor<1x4xf32>, %y: tensor<3x1xf32>) {
  // A scalar-like threshold test, as an If condition.
  // CHECK: qnt.compare {{.*}}#qnt.compare_predicate<gt>{{.*}} -> tensor<1x1xi1>
  %c = qnt.compare %s, %s {predicate = #qnt.compare_predicate<gt>} : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xi1>
  // The condition broadcasts with both choices: 1x1, 1x4 and 3x1 give 3x4.
  // CHECK: qnt.select {{.*}} -> tensor<3x4xf32>
  %0 = qnt.select %c, %x, %y : (tensor<1x1xi1>, tensor<1x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  // Every predicate parses.
  // CHECK: #qnt.compare_predicate<le>
  %1 = qnt.compare %x, %y {predicate = #qnt.compare_predicate<le>} : (tensor<1x4xf32>, tensor<3x1xf32>) -> tensor<3x4xi1>
  return
}

// -----

// The condition is boolean, not float.
func.func @float_condition(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = qnt.select %x, %x, %x : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
