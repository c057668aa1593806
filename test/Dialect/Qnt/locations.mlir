// RUN: quant-opt %s --mlir-print-debuginfo | FileCheck %s
// RUN: quant-opt %s --canonicalize --mlir-print-debuginfo | FileCheck %s --check-prefix=CANON

// ONNX node names travel as NameLocs: they survive printing and parsing, and
// a fold keeps the surviving op's name.

// CHECK-LABEL: func.func @names
// CHECK:         qnt.relu {{.*}} loc(#[[RELU:loc[0-9]+]])
// CHECK:         #[[RELU]] = loc("/block1/Relu")
// Transpose_1 and _2 cancel; Transpose_3 then reads %arg0 and keeps its name.
// CANON-LABEL: func.func @names
// CANON:         qnt.transpose %arg0 {perm = array<i64: 1, 0>} {{.*}} loc(#[[T3:loc[0-9]+]])
// CANON:         qnt.add %{{.*}}, %arg0
// CANON:         #[[T3]] = loc("/head/Transpose_3")
func.func @names(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<3x2xf32>) {
  %0 = qnt.relu %x : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("/block1/Relu")
  %1 = qnt.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32> loc("/head/Transpose_1")
  %2 = qnt.transpose %1 {perm = array<i64: 1, 0>} : (tensor<3x2xf32>) -> tensor<2x3xf32> loc("/head/Transpose_2")
  %3 = qnt.transpose %2 {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32> loc("/head/Transpose_3")
  %4 = qnt.add %0, %2 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %4, %3 : tensor<2x3xf32>, tensor<3x2xf32>
}
