// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.constant holds inline and blob data of any element type.

// CHECK-LABEL: func.func @kinds
func.func @kinds() {
  // CHECK: qnt.constant dense<3.000000e+00> : tensor<2x2xf32>
  %0 = qnt.constant dense<3.0> : tensor<2x2xf32>
  // CHECK: qnt.constant dense<[-128, 127]> : tensor<2xi8>
  %1 = qnt.constant dense<[-128, 127]> : tensor<2xi8>
  // CHECK: qnt.constant dense<1.500000e+00> : tensor<f16>
  %2 = qnt.constant dense<1.5> : tensor<f16>
  // CHECK: qnt.constant dense_resource<blob> : tensor<2xf32>
  %3 = qnt.constant dense_resource<blob> : tensor<2xf32>
  return
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F00000040"
    }
  }
#-}

// -----

// The value's type is the result type.
func.func @mismatch() -> tensor<2xf16> {
  // expected-error @+1 {{failed to verify that all of {value, output} have same type}}
  %0 = "qnt.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<2xf16>
  return %0 : tensor<2xf16>
}
