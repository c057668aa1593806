// RUN: quant-opt %s --convert-qnt-to-linalg | FileCheck %s

// Calibration attributes describe the qnt graph; the float lowering drops
// them from the module, the arguments and the results.
// CHECK:     module {
// CHECK:     func.func @main(%arg0: tensor<4xf32> {onnx.name = "x"}) -> (tensor<4xf32> {onnx.name = "y"})
// CHECK-NOT: qnt.
module attributes {qnt.calibration = {method = "minmax", samples = 1 : i64}} {
  func.func @main(%x: tensor<4xf32> {onnx.name = "x", qnt.range = #qnt.range<-1.0, 1.0>, qnt.stats = {count = 4 : i64}})
      -> (tensor<4xf32> {onnx.name = "y", qnt.range = #qnt.range<0.0, 1.0>}) {
    %0 = qnt.relu %x {qnt.range = #qnt.range<0.0, 1.0>} : (tensor<4xf32>) -> tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}
