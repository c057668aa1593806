//===- OnnxOpsShape.cpp - Data movement and shape arithmetic ----*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Constant, Shape, ConstantOfShape, and the ops that move data without
// arithmetic: Concat, Reshape/Flatten/Squeeze/Unsqueeze, Transpose, Slice,
// Split, Gather, Pad, Expand. On values known at import time (Shape ->
// Gather -> Concat -> Reshape chains) they are evaluated here, so that
// Reshape, Slice, Resize and Pad see constant operands.
//
//===----------------------------------------------------------------------===//

#include "OnnxOpsCommon.h"

#include "llvm/Support/CheckedArithmetic.h"

#include <algorithm>
#include <cstring>
#include <numeric>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

namespace {

//===----------------------------------------------------------------------===//
// Constant, Shape, ConstantOfShape
//===----------------------------------------------------------------------===//

LogicalResult convertConstant(Importer &im, const onnx::NodeProto &node) {
  ConstTensor c;
  if (const auto *attr = findAttr(node, "value")) {
    if (attr->t().data_location() == onnx::TensorProto::EXTERNAL)
      return im.notSupported(node) << "a Constant with external data";
    FailureOr<ConstTensor> value =
        im.readTensor(attr->t(), "constant '" + node.output(0) + "'");
    if (failed(value))
      return failure();
    c = std::move(*value);
  } else if (const auto *f = findAttr(node, "value_float")) {
    c.dtype = onnx::TensorProto::FLOAT;
    c.floats.push_back(f->f());
  } else if (const auto *fs = findAttr(node, "value_floats")) {
    c.dtype = onnx::TensorProto::FLOAT;
    c.shape.push_back(fs->floats_size());
    c.floats.assign(fs->floats().begin(), fs->floats().end());
  } else if (const auto *i = findAttr(node, "value_int")) {
    c.dtype = onnx::TensorProto::INT64;
    c.ints.push_back(i->i());
  } else if (const auto *is = findAttr(node, "value_ints")) {
    c.dtype = onnx::TensorProto::INT64;
    c.shape.push_back(is->ints_size());
    c.ints.assign(is->ints().begin(), is->ints().end());
  } else {
    return im.notSupported(node) << "sparse or string constants";
  }
  im.setConst(node, 0, std::move(c));
  return success();
}

LogicalResult convertShape(Importer &im, const onnx::NodeProto &node) {
  SmallVector<int64_t> shape;
  if (const ConstTensor *c = im.getConst(node, 0)) {
    shape = c->shape;
  } else if (auto known = im.getStaticShape(node.input(0))) {
    shape = *known;
  } else {
    return im.nodeError(node)
           << "the shape of input '" << node.input(0) << "' is not static";
  }
  int64_t rank = shape.size();
  int64_t start = attrInt(node, "start", 0), end = attrInt(node, "end", rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  ConstTensor c;
  c.dtype = onnx::TensorProto::INT64;
  for (int64_t d = start; d < end; ++d)
    c.ints.push_back(shape[d]);
  c.shape.push_back(c.ints.size());
  im.setConst(node, 0, std::move(c));
  return success();
}

/// The first element of a one-element FLOAT or INT64 tensor attribute (0
/// when it holds none), as a double.
template <typename T>
double firstElement(const onnx::TensorProto &t, int typedCount,
                    T (onnx::TensorProto::*typed)(int) const) {
  if (typedCount)
    return static_cast<double>((t.*typed)(0));
  if (t.raw_data().size() < sizeof(T))
    return 0.0;
  T v;
  std::memcpy(&v, t.raw_data().data(), sizeof(T));
  return static_cast<double>(v);
}

LogicalResult convertConstantOfShape(Importer &im,
                                     const onnx::NodeProto &node) {
  FailureOr<SmallVector<int64_t>> shape = constInts(im, node, 0, "the shape");
  if (failed(shape))
    return failure();
  std::optional<int64_t> n = numElements(*shape);
  if (!n || *n > kMaxFoldElements)
    return im.nodeError(node) << "shape " << formatShape(*shape)
                              << " is too large to materialize at import time";
  int32_t dtype = onnx::TensorProto::FLOAT;
  double value = 0;
  if (const auto *attr = findAttr(node, "value")) {
    const auto &t = attr->t();
    dtype = t.data_type();
    if (dtype == onnx::TensorProto::FLOAT)
      value = firstElement<float>(t, t.float_data_size(),
                                  &onnx::TensorProto::float_data);
    else if (dtype == onnx::TensorProto::INT64)
      value = firstElement<int64_t>(t, t.int64_data_size(),
                                    &onnx::TensorProto::int64_data);
    else if (dtype == onnx::TensorProto::INT32)
      value = firstElement<int32_t>(t, t.int32_data_size(),
                                    &onnx::TensorProto::int32_data);
    else
      return im.notSupported(node) << "value type " << dtype;
  }
  im.setConst(node, 0,
              makeConst(
                  dtype, *shape, [&](int64_t) { return value; },
                  [&](int64_t) { return toInt64(value); }));
  return success();
}

//===----------------------------------------------------------------------===//
// Concat
//===----------------------------------------------------------------------===//

LogicalResult foldConcat(Importer &im, const onnx::NodeProto &node) {
  const ConstTensor *first = im.getConst(node, 0);
  int64_t rank = first->shape.size();
  FailureOr<int64_t> axis =
      normalizeAxis(im, node, attrInt(node, "axis", 0), rank);
  if (failed(axis))
    return failure();
  ConstTensor result;
  result.dtype = first->dtype;
  result.shape = first->shape;
  result.shape[*axis] = 0;
  for (int i = 0; i < node.input_size(); ++i) {
    const ConstTensor *c = im.getConst(node, i);
    for (int64_t d = 0; d < rank; ++d)
      if (c->dtype != first->dtype ||
          static_cast<int64_t>(c->shape.size()) != rank ||
          (d != *axis && c->shape[d] != first->shape[d]))
        return im.nodeError(node)
               << "inputs of shapes " << formatShape(first->shape) << " and "
               << formatShape(c->shape) << " do not concatenate on axis "
               << *axis;
    result.shape[*axis] += c->shape[*axis];
  }
  // Copy slabs: for each outer index, each input's inner block in turn.
  int64_t outer = 1;
  for (int64_t d = 0; d < *axis; ++d)
    outer *= first->shape[d];
  for (int64_t o = 0; o < outer; ++o)
    for (int i = 0; i < node.input_size(); ++i) {
      const ConstTensor *c = im.getConst(node, i);
      int64_t block = 1;
      for (int64_t d = *axis; d < rank; ++d)
        block *= c->shape[d];
      for (int64_t k = 0; k < block; ++k) {
        if (result.isFloat())
          result.floats.push_back(c->floats[o * block + k]);
        else
          result.ints.push_back(c->ints[o * block + k]);
      }
    }
  im.setConst(node, 0, std::move(result));
  return success();
}

LogicalResult convertConcat(Importer &im, const onnx::NodeProto &node) {
  if (node.input_size() == 0)
    return im.nodeError(node) << "needs at least one input";
  if (allConst(im, node))
    return foldConcat(im, node);
  SmallVector<Value> inputs;
  for (int i = 0; i < node.input_size(); ++i) {
    FailureOr<Value> v = im.getValue(node, i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  FailureOr<int64_t> axis =
      normalizeAxis(im, node, attrInt(node, "axis", 0), type->getRank());
  if (failed(axis))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              ConcatOp::create(b, im.getLoc(node), *type, inputs,
                               b.getI64IntegerAttr(*axis)));
  return success();
}

//===----------------------------------------------------------------------===//
// Reshape, Flatten, Squeeze, Unsqueeze
//===----------------------------------------------------------------------===//

/// The result shape of a reshape-like op on `in`.
using ReshapeTargetFn = FailureOr<SmallVector<int64_t>> (*)(
    Importer &, const onnx::NodeProto &, ArrayRef<int64_t>);

FailureOr<SmallVector<int64_t>>
flattenTarget(Importer &im, const onnx::NodeProto &node, ArrayRef<int64_t> in) {
  int64_t rank = in.size();
  FailureOr<int64_t> axis =
      normalizeAxis(im, node, attrInt(node, "axis", 1), rank + 1);
  if (failed(axis))
    return failure();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < *axis ? outer : inner) *= in[d];
  return SmallVector<int64_t>{outer, inner};
}

/// Squeeze `in` on `axes` (every unit dim when empty).
FailureOr<SmallVector<int64_t>> squeezeShape(Importer &im,
                                             const onnx::NodeProto &node,
                                             ArrayRef<int64_t> in,
                                             ArrayRef<int64_t> axes) {
  int64_t rank = in.size();
  SmallVector<bool> drop(rank, false);
  for (int64_t a : axes) {
    FailureOr<int64_t> axis = normalizeAxis(im, node, a, rank);
    if (failed(axis))
      return failure();
    if (in[*axis] != 1)
      return im.nodeError(node)
             << "cannot squeeze dim " << *axis << " of size " << in[*axis];
    drop[*axis] = true;
  }
  SmallVector<int64_t> out;
  for (int64_t d = 0; d < rank; ++d)
    if (!(axes.empty() ? in[d] == 1 : drop[d]))
      out.push_back(in[d]);
  return out;
}

/// Unsqueeze `in` with unit dims at `axes` (of the result).
FailureOr<SmallVector<int64_t>> unsqueezeShape(Importer &im,
                                               const onnx::NodeProto &node,
                                               ArrayRef<int64_t> in,
                                               ArrayRef<int64_t> axes) {
  int64_t outRank = in.size() + axes.size();
  SmallVector<bool> added(outRank, false);
  for (int64_t a : axes) {
    FailureOr<int64_t> axis = normalizeAxis(im, node, a, outRank);
    if (failed(axis))
      return failure();
    if (added[*axis])
      return im.nodeError(node) << "axis " << *axis << " is repeated";
    added[*axis] = true;
  }
  SmallVector<int64_t> out;
  size_t next = 0;
  for (int64_t d = 0; d < outRank; ++d)
    out.push_back(added[d] ? 1 : in[next++]);
  return out;
}

/// Squeeze and Unsqueeze before opset 13: axes as an attribute.
template <decltype(&squeezeShape) Shape>
FailureOr<SmallVector<int64_t>> axesAttrTarget(Importer &im,
                                               const onnx::NodeProto &node,
                                               ArrayRef<int64_t> in) {
  return Shape(im, node, in,
               attrInts(node, "axes").value_or(SmallVector<int64_t>{}));
}

/// Squeeze and Unsqueeze from opset 13: axes as (optional) input 1.
template <decltype(&squeezeShape) Shape>
FailureOr<SmallVector<int64_t>> axesInputTarget(Importer &im,
                                                const onnx::NodeProto &node,
                                                ArrayRef<int64_t> in) {
  auto axes = optionalConstInts(im, node, 1, "axes");
  if (failed(axes))
    return failure();
  return Shape(im, node, in, axes->value_or(SmallVector<int64_t>{}));
}

/// Reshape: 0 copies the input dim (unless allowzero), -1 is inferred.
FailureOr<SmallVector<int64_t>>
reshapeTarget(Importer &im, const onnx::NodeProto &node, ArrayRef<int64_t> in) {
  int64_t rank = in.size();
  FailureOr<SmallVector<int64_t>> target = constInts(im, node, 1, "the shape");
  if (failed(target))
    return failure();
  bool allowZero = attrInt(node, "allowzero", 0) != 0;
  SmallVector<int64_t> out;
  int64_t inferred = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= rank)
        return im.nodeError(node) << "shape entry " << i
                                  << " copies a dim the input does not have";
      d = in[i];
    }
    if (d == -1) {
      if (inferred >= 0)
        return im.nodeError(node) << "the shape has more than one -1";
      inferred = i;
    } else if (d < 0) {
      return im.nodeError(node) << "invalid shape entry " << d;
    } else if (std::optional<int64_t> product = llvm::checkedMul(known, d)) {
      known = *product;
    } else {
      return im.nodeError(node) << "the shape's dims overflow int64";
    }
    out.push_back(d);
  }
  int64_t total = *numElements(in);
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      return im.nodeError(node) << "cannot infer the -1 in the shape";
    out[inferred] = total / known;
  }
  return out;
}

/// Reshape, Flatten, Squeeze, Unsqueeze. Constants are reshaped at import
/// time; runtime tensors become one qnt.reshape to the inferred type.
template <ReshapeTargetFn Target>
LogicalResult convertReshapeLike(Importer &im, const onnx::NodeProto &node) {
  if (const ConstTensor *c = im.getConst(node, 0)) {
    FailureOr<SmallVector<int64_t>> shape = Target(im, node, c->shape);
    if (failed(shape))
      return failure();
    if (numElements(*shape) != c->numElements())
      return im.nodeError(node) << "cannot reshape " << formatShape(c->shape)
                                << " to " << formatShape(*shape);
    im.setConst(node, 0, reshapeConst(*c, *shape));
    return success();
  }
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  FailureOr<Value> x = im.getValue(node, 0);
  if (failed(x))
    return failure();
  im.setValue(node, 0,
              ReshapeOp::create(im.getBuilder(), im.getLoc(node), *type, *x));
  return success();
}

//===----------------------------------------------------------------------===//
// Transpose
//===----------------------------------------------------------------------===//

LogicalResult convertTranspose(Importer &im, const onnx::NodeProto &node) {
  FailureOr<InputAndType> io = getInputAndType(im, node);
  if (failed(io))
    return failure();
  int64_t rank = shapeOf(io->x).size();
  SmallVector<int64_t> perm;
  if (auto given = attrInts(node, "perm"))
    perm = *given;
  else
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              TransposeOp::create(b, im.getLoc(node), io->type, io->x,
                                  b.getDenseI64ArrayAttr(perm)));
  return success();
}

//===----------------------------------------------------------------------===//
// Slice, Split
//===----------------------------------------------------------------------===//

/// Input 0 of a data-movement op: its import-time value when it has one
/// (`constant`), else its SSA value; `shape` either way.
struct DataInput {
  const ConstTensor *constant = nullptr;
  Value value;
  SmallVector<int64_t> shape;
};

FailureOr<DataInput> getDataInput(Importer &im, const onnx::NodeProto &node,
                                  bool preferConstant) {
  DataInput input;
  input.constant = preferConstant ? im.getConst(node, 0) : nullptr;
  if (input.constant) {
    input.shape = input.constant->shape;
    return input;
  }
  FailureOr<Value> v = im.getValue(node, 0);
  if (failed(v))
    return failure();
  input.value = *v;
  llvm::append_range(input.shape, shapeOf(*v));
  return input;
}

/// A qnt.slice of `input` for output `i`, or its import-time value when
/// the input is a small constant.
LogicalResult bindSlice(Importer &im, const onnx::NodeProto &node, int i,
                        DataInput &input, ArrayRef<int64_t> starts,
                        ArrayRef<int64_t> ends, ArrayRef<int64_t> steps) {
  ArrayRef<int64_t> in = input.shape;
  int64_t rank = in.size();
  SmallVector<int64_t> outShape;
  for (int64_t d = 0; d < rank; ++d)
    outShape.push_back(sliceOutputDim(starts[d], ends[d], steps[d]));
  const ConstTensor *c = input.constant;
  if (c && c->numElements() <= kMaxFoldElements) {
    SmallVector<int64_t> inStrides = stridesOf(in),
                         outStrides = stridesOf(outShape);
    im.setConst(node, i, gatherConst(*c, outShape, [&](int64_t flat) {
                  int64_t index = 0;
                  for (int64_t d = 0; d < rank; ++d) {
                    int64_t coord = (flat / outStrides[d]) % outShape[d];
                    index += (starts[d] + coord * steps[d]) * inStrides[d];
                  }
                  return index;
                }));
    return success();
  }
  if (!input.value) {
    FailureOr<Value> v = im.getValue(node, 0);
    if (failed(v))
      return failure();
    input.value = *v;
  }
  FailureOr<RankedTensorType> type = im.getResultType(node, i);
  if (failed(type))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(node, i,
              SliceOp::create(b, im.getLoc(node), *type, input.value,
                              b.getDenseI64ArrayAttr(starts),
                              b.getDenseI64ArrayAttr(ends),
                              b.getDenseI64ArrayAttr(steps)));
  return success();
}

/// Slice with the given (unnormalized) bounds: empty `axes` means the first
/// starts.size() axes, empty `steps` all ones.
LogicalResult buildSlice(Importer &im, const onnx::NodeProto &node,
                         ArrayRef<int64_t> starts, ArrayRef<int64_t> ends,
                         SmallVector<int64_t> axes,
                         SmallVector<int64_t> steps) {
  FailureOr<DataInput> input = getDataInput(im, node, /*preferConstant=*/true);
  if (failed(input))
    return failure();
  ArrayRef<int64_t> inShape = input->shape;
  int64_t rank = inShape.size();
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return im.nodeError(node)
           << "starts, ends, axes and steps must have one length";
  SmallVector<int64_t> fullStarts(rank, 0), fullEnds(inShape),
      fullSteps(rank, 1);
  for (size_t i = 0; i < starts.size(); ++i) {
    FailureOr<int64_t> axis = normalizeAxis(im, node, axes[i], rank);
    if (failed(axis))
      return failure();
    int64_t dim = inShape[*axis], step = steps[i];
    if (step == 0)
      return im.nodeError(node) << "step 0 on axis " << *axis;
    // ONNX: negative bounds count from the end, then clamp.
    int64_t start = starts[i], end = ends[i];
    if (start < 0)
      start += dim;
    if (end < 0)
      end += dim;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
    }
    fullStarts[*axis] = start;
    fullEnds[*axis] = end;
    fullSteps[*axis] = step;
  }
  return bindSlice(im, node, 0, *input, fullStarts, fullEnds, fullSteps);
}

/// Slice before opset 10: starts, ends and axes as attributes.
LogicalResult convertSlice1(Importer &im, const onnx::NodeProto &node) {
  auto ints = [&](StringRef name) {
    return attrInts(node, name).value_or(SmallVector<int64_t>{});
  };
  return buildSlice(im, node, ints("starts"), ints("ends"), ints("axes"), {});
}

/// Slice from opset 10: starts, ends, axes and steps as inputs.
LogicalResult convertSlice10(Importer &im, const onnx::NodeProto &node) {
  auto starts = constInts(im, node, 1, "starts");
  auto ends = constInts(im, node, 2, "ends");
  if (failed(starts) || failed(ends))
    return failure();
  auto axes = optionalConstInts(im, node, 3, "axes");
  if (failed(axes))
    return failure();
  auto steps = optionalConstInts(im, node, 4, "steps");
  if (failed(steps))
    return failure();
  return buildSlice(im, node, *starts, *ends,
                    axes->value_or(SmallVector<int64_t>{}),
                    steps->value_or(SmallVector<int64_t>{}));
}

/// Split into the given part sizes (equal parts when absent): one slice
/// per output.
LogicalResult buildSplit(Importer &im, const onnx::NodeProto &node,
                         std::optional<SmallVector<int64_t>> sizes) {
  FailureOr<DataInput> input =
      getDataInput(im, node, /*preferConstant=*/allConst(im, node));
  if (failed(input))
    return failure();
  ArrayRef<int64_t> in = input->shape;
  FailureOr<int64_t> axis =
      normalizeAxis(im, node, attrInt(node, "axis", 0), in.size());
  if (failed(axis))
    return failure();
  if (!sizes) {
    int64_t parts = node.output_size();
    if (in[*axis] % parts != 0)
      return im.nodeError(node) << "cannot split " << in[*axis] << " into "
                                << parts << " equal parts";
    sizes.emplace(parts, in[*axis] / parts);
  }
  if (static_cast<int>(sizes->size()) != node.output_size() ||
      std::accumulate(sizes->begin(), sizes->end(), int64_t(0)) != in[*axis])
    return im.nodeError(node)
           << "split sizes do not add up to the axis size " << in[*axis];
  int64_t offset = 0;
  for (int i = 0; i < node.output_size(); ++i) {
    SmallVector<int64_t> starts(in.size(), 0), ends(in), steps(in.size(), 1);
    starts[*axis] = offset;
    ends[*axis] = offset + (*sizes)[i];
    offset += (*sizes)[i];
    if (failed(bindSlice(im, node, i, *input, starts, ends, steps)))
      return failure();
  }
  return success();
}

/// Split before opset 13: sizes as the `split` attribute.
LogicalResult convertSplit2(Importer &im, const onnx::NodeProto &node) {
  return buildSplit(im, node, attrInts(node, "split"));
}

/// Split from opset 13: sizes as (optional) input 1.
LogicalResult convertSplit13(Importer &im, const onnx::NodeProto &node) {
  auto sizes = optionalConstInts(im, node, 1, "split");
  if (failed(sizes))
    return failure();
  return buildSplit(im, node, *sizes);
}

//===----------------------------------------------------------------------===//
// Gather
//===----------------------------------------------------------------------===//

LogicalResult foldGather(Importer &im, const onnx::NodeProto &node,
                         const ConstTensor &data, const ConstTensor &indices,
                         int64_t axis) {
  int64_t dim = data.shape[axis];
  SmallVector<int64_t> outShape(data.shape.begin(), data.shape.begin() + axis);
  llvm::append_range(outShape, indices.shape);
  outShape.append(data.shape.begin() + axis + 1, data.shape.end());
  int64_t inner = 1;
  for (size_t d = axis + 1; d < data.shape.size(); ++d)
    inner *= data.shape[d];
  int64_t count = indices.numElements();
  for (int64_t k = 0; k < count; ++k) {
    int64_t idx = indices.getInt(k);
    if (idx < -dim || idx >= dim)
      return im.nodeError(node)
             << "index " << idx << " is out of range for a dim of " << dim;
  }
  im.setConst(node, 0, gatherConst(data, outShape, [&](int64_t flat) {
                int64_t innerPos = flat % inner;
                int64_t k = (flat / inner) % count;
                int64_t outerPos = flat / (inner * count);
                int64_t idx = indices.getInt(k);
                if (idx < 0)
                  idx += dim;
                return (outerPos * dim + idx) * inner + innerPos;
              }));
  return success();
}

LogicalResult convertGather(Importer &im, const onnx::NodeProto &node) {
  const ConstTensor *data = im.getConst(node, 0);
  const ConstTensor *indices = im.getConst(node, 1);
  int64_t rank = data ? static_cast<int64_t>(data->shape.size()) : -1;
  if (!data) {
    FailureOr<Value> v = im.getValue(node, 0);
    if (failed(v))
      return failure();
    rank = shapeOf(*v).size();
  }
  FailureOr<int64_t> axis =
      normalizeAxis(im, node, attrInt(node, "axis", 0), rank);
  if (failed(axis))
    return failure();
  if (data && indices && allConst(im, node))
    return foldGather(im, node, *data, *indices, *axis);
  FailureOr<Value> d = im.getValue(node, 0);
  FailureOr<Value> i = im.getValue(node, 1);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(d) || failed(i) || failed(type))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              GatherOp::create(b, im.getLoc(node), *type, *d, *i,
                               b.getI64IntegerAttr(*axis)));
  return success();
}

//===----------------------------------------------------------------------===//
// Pad
//===----------------------------------------------------------------------===//

LogicalResult buildPad(Importer &im, const onnx::NodeProto &node,
                       ArrayRef<int64_t> pads, float value) {
  FailureOr<InputAndType> io = getInputAndType(im, node);
  if (failed(io))
    return failure();
  std::string mode = attrString(node, "mode", "constant");
  auto modeEnum = symbolizePadMode(mode);
  if (!modeEnum)
    return im.notSupported(node) << "mode '" << mode << "'";
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              PadOp::create(b, im.getLoc(node), io->type, io->x,
                            b.getDenseI64ArrayAttr(pads),
                            PadModeAttr::get(b.getContext(), *modeEnum),
                            b.getF32FloatAttr(value)));
  return success();
}

/// Pad before opset 11: pads and value as attributes.
LogicalResult convertPad2(Importer &im, const onnx::NodeProto &node) {
  return buildPad(im, node,
                  attrInts(node, "pads").value_or(SmallVector<int64_t>{}),
                  attrFloat(node, "value", 0));
}

/// Pad from opset 11: pads and constant_value as inputs.
LogicalResult convertPad11(Importer &im, const onnx::NodeProto &node) {
  auto pads = constInts(im, node, 1, "pads");
  if (failed(pads))
    return failure();
  float value = 0;
  if (im.hasInput(node, 2)) {
    auto v = constFloats(im, node, 2, "constant_value");
    if (failed(v))
      return failure();
    if (!v->empty())
      value = (*v)[0];
  }
  return buildPad(im, node, *pads, value);
}

//===----------------------------------------------------------------------===//
// Expand
//===----------------------------------------------------------------------===//

/// Broadcasts runtime `x` to `shape`: reshaped to the result rank (leading
/// 1s), then each dim that grows from 1 to k is a qnt.gather of k zero
/// indices on that axis, which copies exactly (no arithmetic on the values).
LogicalResult expandValue(Importer &im, const onnx::NodeProto &node, Value x,
                          ArrayRef<int64_t> shape) {
  auto &b = im.getBuilder();
  Location loc = im.getLoc(node);
  ArrayRef<int64_t> inShape = shapeOf(x);
  Type elementType = cast<ShapedType>(x.getType()).getElementType();
  if (!numBytes(shape, elementType.getIntOrFloatBitWidth()))
    return im.nodeError(node) << "the result " << formatShape(shape)
                              << " holds more than 2^63 - 1 bytes";
  SmallVector<int64_t> current(shape.size() - inShape.size(), 1);
  llvm::append_range(current, inShape);
  Value v = x;
  if (current.size() != inShape.size())
    v = ReshapeOp::create(b, loc, RankedTensorType::get(current, elementType),
                          v);
  for (auto [axis, size] : llvm::enumerate(shape)) {
    if (current[axis] == size)
      continue;
    // Each expanded axis is a gather by a constant index vector, held in
    // memory at import time: a documented cap instead of running out of
    // memory (an axis of 2^36 aborted the importer).
    constexpr int64_t kMaxExpandedAxis = int64_t(1) << 24;
    if (size > kMaxExpandedAxis)
      return im.nodeError(node)
             << "expanding axis " << axis << " to " << size
             << " is over the importer's limit of " << kMaxExpandedAxis;
    ConstTensor zeros;
    zeros.dtype = onnx::TensorProto::INT64;
    zeros.shape = {size};
    zeros.ints.assign(size, 0);
    Value indices = im.materialize(zeros, loc, "expand_indices");
    current[axis] = size;
    v = GatherOp::create(b, loc, RankedTensorType::get(current, elementType), v,
                         indices, b.getI64IntegerAttr(axis));
  }
  im.setValue(node, 0, v);
  return success();
}

/// Expand: broadcasts input 0 to the shape in input 1 (numpy rules; the
/// result may have a higher rank). Constants are expanded at import time.
/// A run-time shape input is not read when the result's shape is static:
/// broadcasting to that shape is the same.
LogicalResult convertExpand(Importer &im, const onnx::NodeProto &node) {
  FailureOr<SmallVector<int64_t>> target = failure();
  if (auto shape = im.getStaticShape(node.output(0));
      shape && !im.getConst(node, 1))
    target = *shape;
  else
    target = constInts(im, node, 1, "the shape");
  if (failed(target))
    return failure();
  FailureOr<DataInput> input = getDataInput(im, node, /*preferConstant=*/true);
  if (failed(input))
    return failure();
  std::optional<SmallVector<int64_t>> shape =
      broadcastShapes(input->shape, *target);
  if (!shape)
    return im.nodeError(node) << "cannot expand " << formatShape(input->shape)
                              << " to " << formatShape(*target);
  const ConstTensor *c = input->constant;
  if (c && numElements(*shape) && *numElements(*shape) <= kMaxFoldElements) {
    im.setConst(node, 0, gatherConst(*c, *shape, [&](int64_t i) {
                  return broadcastIndex(i, *shape, c->shape);
                }));
    return success();
  }
  FailureOr<Value> x = input->value ? input->value : im.getValue(node, 0);
  if (failed(x))
    return failure();
  return expandValue(im, node, *x, *shape);
}

} // namespace

void mlir::qnt::detail::populateShapeConverters(OnnxOpRegistry &r) {
  constexpr auto known = ImportTimeEval::WhenInputsKnown;
  r.onOp("Constant", 1, convertConstant, known);
  r.onOp("Shape", 1, convertShape, ImportTimeEval::WhenInputShapeKnown);
  r.onOp("ConstantOfShape", 9, convertConstantOfShape, known);
  r.onOp("Concat", 4, convertConcat, known);
  r.onOp("Reshape", 5, convertReshapeLike<reshapeTarget>, known);
  r.onOp("Flatten", 1, convertReshapeLike<flattenTarget>, known);
  r.onOp("Squeeze", 1, convertReshapeLike<axesAttrTarget<squeezeShape>>, known);
  r.onOp("Squeeze", 13, convertReshapeLike<axesInputTarget<squeezeShape>>,
         known);
  r.onOp("Unsqueeze", 1, convertReshapeLike<axesAttrTarget<unsqueezeShape>>,
         known);
  r.onOp("Unsqueeze", 13, convertReshapeLike<axesInputTarget<unsqueezeShape>>,
         known);
  r.onOp("Transpose", 1, convertTranspose);
  r.onOp("Slice", 1, convertSlice1, known);
  r.onOp("Slice", 10, convertSlice10, known);
  r.onOp("Split", 2, convertSplit2, known);
  r.onOp("Split", 13, convertSplit13, known);
  r.onOp("Gather", 1, convertGather, known);
  r.onOp("Pad", 2, convertPad2);
  r.onOp("Pad", 11, convertPad11);
  r.onOp("Expand", 8, convertExpand, known);
}
