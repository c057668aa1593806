// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.cast converts between float and integer element types.

// CHECK-LABEL: func.func @casts
func.func @casts(%f: tensor<2x3xf32>, %i: tensor<2x3xi64>) {
  // CHECK: qnt.cast {{.*}} : (tensor<2x3xf32>) -> tensor<2x3xi32>
  %0 = qnt.cast %f : (tensor<2x3xf32>) -> tensor<2x3xi32>
  // CHECK: qnt.cast {{.*}} : (tensor<2x3xi64>) -> tensor<2x3xf32>
  %1 = qnt.cast %i : (tensor<2x3xi64>) -> tensor<2x3xf32>
  // CHECK: qnt.cast {{.*}} : (tensor<2x3xf32>) -> tensor<2x3xbf16>
  %2 = qnt.cast %f : (tensor<2x3xf32>) -> tensor<2x3xbf16>
  return
}

// -----

// Cast operands must be statically shaped.
func.func @dynamic(%f: tensor<?xf32>) -> tensor<?xi32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of any type values}}
  %0 = qnt.cast %f : (tensor<?xf32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}
