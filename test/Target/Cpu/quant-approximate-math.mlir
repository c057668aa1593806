// RUN: quant-opt %s --quant-approximate-math | FileCheck %s

// erf, tanh, exp and log on f32 become polynomials (no math call left);
// sqrt and powf stay exact.
// CHECK-LABEL: func @approximated
// CHECK-NOT: math.erf
// CHECK-NOT: math.tanh
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK: math.fma
// CHECK: return
func.func @approximated(%x: f32) -> (f32, f32, f32, f32) {
  %0 = math.erf %x : f32
  %1 = math.tanh %x : f32
  %2 = math.exp %x : f32
  %3 = math.log %x : f32
  return %0, %1, %2, %3 : f32, f32, f32, f32
}

// CHECK-LABEL: func @exact
// CHECK: math.sqrt
// CHECK: math.powf
func.func @exact(%x: f32, %y: f32) -> (f32, f32) {
  %0 = math.sqrt %x : f32
  %1 = math.powf %x, %y : f32
  return %0, %1 : f32, f32
}

// Vectors are approximated the same way.
// CHECK-LABEL: func @vector
// CHECK-NOT: math.exp
// CHECK: math.fma {{.*}} : vector<8xf32>
func.func @vector(%x: vector<8xf32>) -> vector<8xf32> {
  %0 = math.exp %x : vector<8xf32>
  return %0 : vector<8xf32>
}
