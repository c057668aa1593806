//===- OnnxOpsLinear.cpp - MatMul, Gemm and Einsum --------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// MatMul and Gemm are qnt ops. Einsum has none: each operand's repeated
// labels become diagonals (a reshape and a strided slice), labels no other
// term needs are summed out, and operands are contracted pairwise as one
// batched qnt.matmul between transposes and reshapes.
//
//===----------------------------------------------------------------------===//

#include "OnnxDecompose.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

namespace {

LogicalResult convertMatMul(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> a = im.getValue(node, 0);
  FailureOr<Value> b = im.getValue(node, 1);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(a) || failed(b) || failed(type))
    return failure();
  im.setValue(
      node, 0,
      MatMulOp::create(im.getBuilder(), im.getLoc(node), *type, *a, *b));
  return success();
}

LogicalResult convertGemm(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> a = im.getValue(node, 0);
  FailureOr<Value> bv = im.getValue(node, 1);
  FailureOr<Value> c = getOptionalValue(im, node, 2);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(a) || failed(bv) || failed(c) || failed(type))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              GemmOp::create(b, im.getLoc(node), *type, *a, *bv, *c,
                             b.getF32FloatAttr(attrFloat(node, "alpha", 1.0f)),
                             b.getF32FloatAttr(attrFloat(node, "beta", 1.0f)),
                             b.getBoolAttr(attrInt(node, "transA", 0) != 0),
                             b.getBoolAttr(attrInt(node, "transB", 0) != 0)));
  return success();
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

/// A value and the label of each of its dims. Labels are letters; the dims
/// an ellipsis stands for get labels '0', '1', ... (right-aligned, so that
/// every term's ellipsis shares them).
struct Term {
  Value value;
  std::string labels;
};

/// The parsed equation: input terms' labels, and the output's.
struct Equation {
  SmallVector<std::string> inputs;
  std::string output;
};

/// Replaces "..." in `term` by the labels of `rank` ellipsis dims.
FailureOr<std::string> expandEllipsis(StringRef term, int64_t operandRank,
                                      int64_t ellipsisRank) {
  size_t at = term.find("...");
  if (at == StringRef::npos)
    return term.str();
  int64_t own = operandRank - static_cast<int64_t>(term.size() - 3);
  if (own < 0 || own > ellipsisRank)
    return failure();
  std::string labels = term.substr(0, at).str();
  for (int64_t i = ellipsisRank - own; i < ellipsisRank; ++i)
    labels += static_cast<char>('0' + i);
  return labels + term.substr(at + 3).str();
}

FailureOr<Equation> parseEquation(Importer &im, const onnx::NodeProto &node,
                                  ArrayRef<Value> operands) {
  std::string text;
  for (char ch : attrString(node, "equation", ""))
    if (ch != ' ')
      text += ch;
  auto [lhs, rhs] = StringRef(text).split("->");
  bool explicitOutput = StringRef(text).contains("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != operands.size())
    return im.nodeError(node)
           << "the equation has " << terms.size() << " input terms for "
           << operands.size() << " inputs";
  // The ellipsis covers the most dims any operand gives it.
  int64_t ellipsisRank = 0;
  for (auto [term, operand] : llvm::zip(terms, operands))
    if (term.contains("..."))
      ellipsisRank = std::max<int64_t>(
          ellipsisRank, static_cast<int64_t>(shapeOf(operand).size()) -
                            static_cast<int64_t>(term.size() - 3));
  if (ellipsisRank > 10)
    return im.notSupported(node) << "an ellipsis over more than 10 dims";
  Equation eq;
  for (auto [term, operand] : llvm::zip(terms, operands)) {
    FailureOr<std::string> labels =
        expandEllipsis(term, shapeOf(operand).size(), ellipsisRank);
    if (failed(labels) || labels->size() != shapeOf(operand).size() ||
        !llvm::all_of(*labels, [](char c) { return llvm::isAlnum(c); }))
      return im.nodeError(node)
             << "term '" << term << "' does not fit an "
             << "operand of rank " << shapeOf(operand).size();
    eq.inputs.push_back(*labels);
  }
  if (explicitOutput) {
    FailureOr<std::string> out =
        expandEllipsis(rhs,
                       ellipsisRank + static_cast<int64_t>(rhs.size()) -
                           (rhs.contains("...") ? 3 : 0),
                       ellipsisRank);
    if (failed(out))
      return im.nodeError(node) << "bad output term '" << rhs << "'";
    eq.output = *out;
    return eq;
  }
  // Implicit output: the ellipsis dims, then the labels used once, sorted.
  for (int64_t i = 0; i < ellipsisRank; ++i)
    eq.output += static_cast<char>('0' + i);
  std::string letters;
  for (const std::string &labels : eq.inputs)
    letters += labels;
  llvm::sort(letters);
  for (char c : letters)
    if (llvm::isAlpha(c) && llvm::count(letters, c) == 1)
      eq.output += c;
  return eq;
}

/// The size of each label, checked to agree across terms.
LogicalResult labelSizes(Importer &im, const onnx::NodeProto &node,
                         ArrayRef<Term> terms,
                         llvm::DenseMap<char, int64_t> &sizes) {
  for (const Term &term : terms)
    for (auto [label, size] : llvm::zip(term.labels, shapeOf(term.value))) {
      auto [it, inserted] = sizes.try_emplace(label, size);
      if (!inserted && it->second != size)
        return im.notSupported(node)
               << "label '" << label << "' of sizes " << it->second << " and "
               << size << " (broadcasting in Einsum)";
    }
  return success();
}

/// Takes the diagonal of every label repeated in `t`: the two dims moved
/// last, flattened to n * n, and every (n + 1)-th element kept.
void takeDiagonals(Decomposer &d, Term &t) {
  for (size_t i = 0; i < t.labels.size(); ++i) {
    size_t j = t.labels.find(t.labels[i], i + 1);
    if (j == std::string::npos)
      continue;
    SmallVector<int64_t> perm;
    std::string labels;
    for (size_t k = 0; k < t.labels.size(); ++k)
      if (k != i && k != j) {
        perm.push_back(k);
        labels += t.labels[k];
      }
    perm.append({static_cast<int64_t>(i), static_cast<int64_t>(j)});
    Value moved = d.transpose(t.value, perm);
    SmallVector<int64_t> shape(shapeOf(moved).drop_back(2));
    int64_t n = shapeOf(t.value)[i];
    shape.push_back(n * n);
    Value flat = d.reshape(moved, shape);
    t.value = d.slice(flat, shape.size() - 1, 0, n * n, n + 1);
    t.labels = labels + t.labels[i];
    i = static_cast<size_t>(-1); // Start over: positions moved.
  }
}

/// Sums out the labels of `t` that are not in `keep`.
void sumOut(Decomposer &d, Term &t, StringRef keep) {
  SmallVector<int64_t> axes;
  std::string labels;
  for (auto [k, label] : llvm::enumerate(t.labels)) {
    if (keep.contains(label))
      labels += label;
    else
      axes.push_back(k);
  }
  t.value = d.reduceSum(t.value, axes, /*keepdims=*/false);
  t.labels = labels;
}

/// Transposes `t` to the order of `labels` (a permutation of its own).
void permute(Decomposer &d, Term &t, StringRef labels) {
  SmallVector<int64_t> perm;
  for (char label : labels)
    perm.push_back(t.labels.find(label));
  t.value = d.transpose(t.value, perm);
  t.labels = labels.str();
}

/// a . b contracted over their shared labels not in `keep`: one batched
/// matmul of [batch, m, k] x [batch, k, n].
Term contract(Decomposer &d, Term a, Term b, StringRef keep,
              const llvm::DenseMap<char, int64_t> &sizes) {
  std::string batch, contracted, aOnly, bOnly;
  for (char label : a.labels) {
    bool inB = b.labels.find(label) != std::string::npos;
    (inB ? (keep.contains(label) ? batch : contracted) : aOnly) += label;
  }
  for (char label : b.labels)
    if (a.labels.find(label) == std::string::npos)
      bOnly += label;
  auto product = [&](StringRef labels) {
    int64_t n = 1;
    for (char label : labels)
      n *= sizes.lookup(label);
    return n;
  };
  int64_t nb = product(batch), m = product(aOnly), k = product(contracted),
          n = product(bOnly);
  permute(d, a, batch + aOnly + contracted);
  permute(d, b, batch + contracted + bOnly);
  Value result =
      d.matmul(d.reshape(a.value, {nb, m, k}), d.reshape(b.value, {nb, k, n}));
  Term t{Value(), batch + aOnly + bOnly};
  SmallVector<int64_t> shape;
  for (char label : t.labels)
    shape.push_back(sizes.lookup(label));
  t.value = d.reshape(result, shape);
  return t;
}

LogicalResult convertEinsum(Importer &im, const onnx::NodeProto &node) {
  SmallVector<Value> operands;
  for (int i = 0; i < node.input_size(); ++i) {
    FailureOr<Value> v = im.getValue(node, i);
    if (failed(v) ||
        failed(requireFloat(im, node, cast<RankedTensorType>(v->getType()))))
      return failure();
    operands.push_back(*v);
  }
  if (operands.empty())
    return im.nodeError(node) << "needs at least one input";
  FailureOr<Equation> eq = parseEquation(im, node, operands);
  if (failed(eq))
    return failure();
  SmallVector<Term> terms;
  for (auto [value, labels] : llvm::zip(operands, eq->inputs))
    terms.push_back({value, labels});
  llvm::DenseMap<char, int64_t> sizes;
  if (failed(labelSizes(im, node, terms, sizes)))
    return failure();
  for (char label : eq->output)
    if (!sizes.count(label))
      return im.nodeError(node)
             << "output label '" << label << "' is in no input term";
  Decomposer d(im, node,
               cast<ShapedType>(operands[0].getType()).getElementType());
  // Left to right: each operand keeps the labels the output or a later
  // operand needs, and is contracted into the running product.
  auto neededAfter = [&](size_t i) {
    std::string keep = eq->output;
    for (size_t j = i + 1; j < terms.size(); ++j)
      keep += terms[j].labels;
    return keep;
  };
  Term acc = terms[0];
  takeDiagonals(d, acc);
  for (size_t i = 1; i < terms.size(); ++i) {
    Term next = terms[i];
    takeDiagonals(d, next);
    std::string keep = neededAfter(i);
    // Labels of one side that neither the other side nor what follows
    // needs are summed out before the product.
    sumOut(d, acc, keep + next.labels);
    sumOut(d, next, keep + acc.labels);
    acc = contract(d, acc, next, keep, sizes);
  }
  sumOut(d, acc, eq->output);
  permute(d, acc, eq->output);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  if (acc.value.getType() != *type)
    return im.nodeError(node) << "the result is " << acc.value.getType()
                              << " but shape inference gave " << *type;
  im.setValue(node, 0, acc.value);
  return success();
}

} // namespace

void mlir::qnt::detail::populateLinearConverters(OnnxOpRegistry &r) {
  r.onOp("MatMul", 1, convertMatMul);
  // C became optional in Gemm-11; an absent C is a null operand either way.
  r.onOp("Gemm", 7, convertGemm);
  r.onOp("Einsum", 12, convertEinsum);
}
