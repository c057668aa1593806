// RUN: quant-opt %s --quant-lower-to-linalg | FileCheck %s --check-prefix=LINALG
// RUN: quant-opt %s --quant-fp32-to-llvm | FileCheck %s --check-prefix=LLVM
// RUN: quant-opt %s --quant-fp32-to-llvm=parallel=false | FileCheck %s --check-prefix=SEQ

// LINALG-NOT: qnt.
// LINALG: linalg.generic
// LLVM-NOT: linalg.
// LLVM: llvm.func @main(
// LLVM: omp.parallel
// LLVM: omp.wsloop
// LLVM: llvm.fadd {{.*}} : vector<16xf32>
// SEQ-NOT: omp.
// SEQ: llvm.func @main(
// (Large enough for OpenMP: ops under 65536 iterations stay on one thread.)
func.func @main(%x: tensor<256x512xf32>, %b: tensor<512xf32>) -> tensor<256x512xf32> {
  %0 = qnt.add %x, %b : (tensor<256x512xf32>, tensor<512xf32>) -> tensor<256x512xf32>
  %1 = qnt.relu %0 : (tensor<256x512xf32>) -> tensor<256x512xf32>
  return %1 : tensor<256x512xf32>
}
