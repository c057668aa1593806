// An add + relu over 256x512 elements: above the 65536-iteration threshold
// under which quant-cpu-tile-and-vectorize keeps ops on one thread.
func.func @main(%x: tensor<256x512xf32> {onnx.name = "x"}, %b: tensor<512xf32> {onnx.name = "b"})
    -> (tensor<256x512xf32> {onnx.name = "y"}) {
  %0 = qnt.add %x, %b : (tensor<256x512xf32>, tensor<512xf32>) -> tensor<256x512xf32>
  %1 = qnt.relu %0 : (tensor<256x512xf32>) -> tensor<256x512xf32>
  return %1 : tensor<256x512xf32>
}
