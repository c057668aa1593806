// RUN: quant-opt %s -split-input-file --canonicalize | FileCheck %s

// Folders of the qnt ops, run through the canonicalizer.

// A reshape to the same type is the identity.
// CHECK-LABEL: func.func @reshape_identity
// CHECK-NEXT:    return %arg0
func.func @reshape_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qnt.reshape %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// A reshape of a reshape reads the original input.
// CHECK-LABEL: func.func @reshape_chain
// CHECK-NEXT:    %[[R:.*]] = qnt.reshape %arg0 : (tensor<2x3x4xf32>) -> tensor<24xf32>
// CHECK-NEXT:    return %[[R]]
func.func @reshape_chain(%x: tensor<2x3x4xf32>) -> tensor<24xf32> {
  %0 = qnt.reshape %x : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %1 = qnt.reshape %0 : (tensor<6x4xf32>) -> tensor<24xf32>
  return %1 : tensor<24xf32>
}

// A reshape of an inline constant becomes a constant of the new shape.
// CHECK-LABEL: func.func @reshape_constant
// CHECK-NEXT:    %[[C:.*]] = qnt.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT:    return %[[C]]
func.func @reshape_constant() -> tensor<2x2xf32> {
  %c = qnt.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = qnt.reshape %c : (tensor<4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// The identity permutation folds away.
// CHECK-LABEL: func.func @transpose_identity
// CHECK-NEXT:    return %arg0
func.func @transpose_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qnt.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Two transposes compose: result dim i is input dim p1[p2[i]].
// CHECK-LABEL: func.func @transpose_chain
// CHECK-NEXT:    %[[T:.*]] = qnt.transpose %arg0 {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// CHECK-NEXT:    return %[[T]]
func.func @transpose_chain(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = qnt.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %1 = qnt.transpose %0 {perm = array<i64: 1, 2, 0>} : (tensor<3x4x2xf32>) -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// Transposes that cancel disappear entirely.
// CHECK-LABEL: func.func @transpose_inverse
// CHECK-NEXT:    return %arg0
func.func @transpose_inverse(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = qnt.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
  %1 = qnt.transpose %0 {perm = array<i64: 0, 2, 1>} : (tensor<2x4x3xf32>) -> tensor<2x3x4xf32>
  return %1 : tensor<2x3x4xf32>
}

// -----

// A slice that selects everything is the identity; a real slice stays.
// CHECK-LABEL: func.func @slices
// CHECK-NEXT:    %[[S:.*]] = qnt.slice %arg0
// CHECK-NEXT:    return %arg0, %[[S]]
func.func @slices(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x4xf32>) {
  %0 = qnt.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 2, 8>, steps = array<i64: 1, 1>}
      : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = qnt.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 2, 8>, steps = array<i64: 1, 2>}
      : (tensor<2x8xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<2x8xf32>, tensor<2x4xf32>
}

// Concat of one input, and a cast to the same type, are identities.
// CHECK-LABEL: func.func @single_concat_and_cast
// CHECK-NEXT:    return %arg0, %arg0
func.func @single_concat_and_cast(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %0 = qnt.concat %x {axis = 1 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = qnt.cast %x : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0, %1 : tensor<2x8xf32>, tensor<2x8xf32>
}

// A real cast is kept (f32 -> f16 loses precision).
// CHECK-LABEL: func.func @real_cast
// CHECK-NEXT:    qnt.cast
func.func @real_cast(%x: tensor<2xf32>) -> tensor<2xf16> {
  %0 = qnt.cast %x : (tensor<2xf32>) -> tensor<2xf16>
  return %0 : tensor<2xf16>
}

// -----

// Identical constants are merged and unused ones removed.
// CHECK-LABEL: func.func @constants
// CHECK-NEXT:    %[[C:.*]] = qnt.constant dense<1.000000e+00> : tensor<2xf32>
// CHECK-NEXT:    qnt.add %[[C]], %[[C]]
func.func @constants() -> tensor<2xf32> {
  %a = qnt.constant dense<1.0> : tensor<2xf32>
  %b = qnt.constant dense<1.0> : tensor<2xf32>
  %unused = qnt.constant dense<2.0> : tensor<2xf32>
  %0 = qnt.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A matmul of a rank-3 activation by a matrix (a transformer's linear
// layer) becomes a 2-D matmul of the rows between reshapes; its attributes
// stay on the matmul and its range also goes to the result.
// CHECK-LABEL: func.func @matmul_flatten_rows
// CHECK-NEXT:    %[[F:.*]] = qnt.reshape %arg0 : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
// CHECK-NEXT:    %[[M:.*]] = qnt.matmul %[[F]], %arg1 {qnt.range = #qnt.range<-1.000000e+00, 2.000000e+00>, tag} : (tensor<6x4xf32>, tensor<4x5xf32>) -> tensor<6x5xf32>
// CHECK-NEXT:    %[[R:.*]] = qnt.reshape %[[M]] {qnt.range = #qnt.range<-1.000000e+00, 2.000000e+00>} : (tensor<6x5xf32>) -> tensor<2x3x5xf32>
// CHECK-NEXT:    return %[[R]]
func.func @matmul_flatten_rows(%x: tensor<2x3x4xf32>, %w: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = qnt.matmul %x, %w {qnt.range = #qnt.range<-1.0, 2.0>, tag} : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// Batched right-hand sides (attention's products), 2-D left-hand sides and
// integer products stay as they are.
// CHECK-LABEL: func.func @matmul_no_flatten
// CHECK-NOT:     qnt.reshape
// CHECK:         qnt.matmul %arg0, %arg1 : (tensor<2x3x4xf32>, tensor<2x4x5xf32>)
// CHECK:         qnt.matmul %arg2, %arg3 : (tensor<3x4xf32>, tensor<4x5xf32>)
// CHECK:         qnt.matmul %arg4, %arg5 : (tensor<2x3x4xi32>, tensor<4x5xi32>)
func.func @matmul_no_flatten(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>,
                             %c: tensor<3x4xf32>, %d: tensor<4x5xf32>,
                             %e: tensor<2x3x4xi32>, %f: tensor<4x5xi32>)
    -> (tensor<2x3x5xf32>, tensor<3x5xf32>, tensor<2x3x5xi32>) {
  %0 = qnt.matmul %a, %b : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  %1 = qnt.matmul %c, %d : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %2 = qnt.matmul %e, %f : (tensor<2x3x4xi32>, tensor<4x5xi32>) -> tensor<2x3x5xi32>
  return %0, %1, %2 : tensor<2x3x5xf32>, tensor<3x5xf32>, tensor<2x3x5xi32>
}
