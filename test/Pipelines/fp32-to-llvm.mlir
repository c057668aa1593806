// RUN: quant-opt %s --quant-lower-to-linalg | FileCheck %s --check-prefix=LINALG
// RUN: quant-opt %s --quant-fp32-to-llvm | FileCheck %s --check-prefix=LLVM
// RUN: quant-opt %s --quant-fp32-to-llvm=parallel=false | FileCheck %s --check-prefix=SEQ

// LINALG-NOT: qnt.
// LINALG: linalg.generic
// LLVM-NOT: linalg.
// LLVM: llvm.func @main(
// LLVM: omp.parallel
// LLVM: omp.wsloop
// SEQ-NOT: omp.
// SEQ: llvm.func @main(
func.func @main(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = qnt.add %x, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = qnt.relu %0 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}
