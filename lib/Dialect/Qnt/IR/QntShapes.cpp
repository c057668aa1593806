//===- QntShapes.cpp - ONNX shape formulas used by qnt ----------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntShapes.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace mlir::qnt {

std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs,
                                                    ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align from the innermost dim; missing leading dims act as 1.
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l != r && l != 1 && r != 1)
      return std::nullopt;
    result[i] = l == 1 ? r : l;
  }
  return result;
}

bool broadcastsTo(ArrayRef<int64_t> from, ArrayRef<int64_t> to) {
  if (from.size() > to.size())
    return false;
  size_t offset = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && from[i] != to[offset + i])
      return false;
  return true;
}

int64_t slidingWindowOutputDim(int64_t in, int64_t kernel, int64_t stride,
                               int64_t dilation, int64_t padBegin,
                               int64_t padEnd, bool ceilMode) {
  int64_t span = in + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (span < 0)
    return 0;
  int64_t steps = ceilMode ? divideCeilSigned(span, stride)
                           : divideFloorSigned(span, stride);
  return steps + 1;
}

int64_t convTransposeOutputDim(int64_t in, int64_t kernel, int64_t stride,
                               int64_t dilation, int64_t padBegin,
                               int64_t padEnd, int64_t outputPadding) {
  return stride * (in - 1) + outputPadding + dilation * (kernel - 1) + 1 -
         padBegin - padEnd;
}

int64_t sliceOutputDim(int64_t start, int64_t end, int64_t step) {
  int64_t n = step > 0 ? divideCeilSigned(end - start, step)
                       : divideCeilSigned(start - end, -step);
  return std::max<int64_t>(n, 0);
}

std::optional<SmallVector<int64_t>> matmulShape(ArrayRef<int64_t> lhs,
                                                ArrayRef<int64_t> rhs) {
  if (lhs.empty() || rhs.empty())
    return std::nullopt;
  // numpy promotes a 1-D lhs to 1xK and a 1-D rhs to Kx1, then drops the
  // added dim from the result.
  SmallVector<int64_t> l(lhs), r(rhs);
  bool lhsVector = l.size() == 1, rhsVector = r.size() == 1;
  if (lhsVector)
    l.insert(l.begin(), 1);
  if (rhsVector)
    r.push_back(1);
  if (l.back() != r[r.size() - 2])
    return std::nullopt;
  auto batch =
      broadcastShapes(ArrayRef(l).drop_back(2), ArrayRef(r).drop_back(2));
  if (!batch)
    return std::nullopt;
  SmallVector<int64_t> result(*batch);
  if (!lhsVector)
    result.push_back(l[l.size() - 2]);
  if (!rhsVector)
    result.push_back(r.back());
  return result;
}

std::optional<int64_t> numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      return std::nullopt;
    n *= d;
  }
  return n;
}

std::optional<int64_t> numBytes(ArrayRef<int64_t> shape, unsigned elementBits) {
  std::optional<int64_t> count = numElements(shape);
  int64_t width = (static_cast<int64_t>(elementBits) + 7) / 8;
  if (!count || (width != 0 && *count > kMaxTensorBytes / width))
    return std::nullopt;
  return *count * width;
}

std::string formatShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  raw_string_ostream os(s);
  interleave(shape, os, "x");
  return s;
}

std::string formatFloat(double value) {
  SmallString<16> str;
  APFloat(value).toString(str);
  return str.str().str();
}

} // namespace mlir::qnt
