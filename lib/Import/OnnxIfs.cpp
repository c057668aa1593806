//===- OnnxIfs.cpp - If branches moved into the graph -----------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The shape-arithmetic fold and ONNX shape inference see only the main
// graph's nodes: a Shape -> Gather -> Equal chain inside an If branch is
// never evaluated, so an inner If's output (a Squeeze in one branch, an
// Identity in the other) keeps an unknown rank. Between fold rounds the
// importer therefore moves branch nodes into the graph:
//
//  - an If whose condition the fold made known becomes its taken branch's
//    nodes and one Identity per output;
//  - when nothing else folds, an If left with a run-time condition gets
//    both branches' nodes hoisted before it (ONNX nodes have no side
//    effects; the converter computes both branches anyway), its branches
//    reduced to Identity nodes forwarding the hoisted results. Shape
//    inference then merges two known types, and the If converter still
//    selects between the branches on the condition.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

/// Every name the graph defines: inputs, initializers, node outputs.
static llvm::StringSet<> definedNames(const onnx::GraphProto &graph) {
  llvm::StringSet<> names;
  for (const auto &input : graph.input())
    names.insert(input.name());
  for (const auto &tensor : graph.initializer())
    names.insert(tensor.name());
  for (const auto &node : graph.node())
    for (const std::string &output : node.output())
      if (!output.empty())
        names.insert(output);
  return names;
}

LogicalResult
Importer::hoistBranch(const onnx::NodeProto &ifNode, onnx::GraphProto &branch,
                      google::protobuf::RepeatedPtrField<onnx::NodeProto> &out,
                      llvm::StringSet<> &defined) {
  auto clash = [&](StringRef name) -> LogicalResult {
    if (defined.insert(name).second)
      return success();
    return notSupported(ifNode) << "a branch defines '" << name
                                << "', a name also defined outside it";
  };
  for (onnx::TensorProto &tensor : *branch.mutable_initializer()) {
    if (failed(clash(tensor.name())) || failed(readInitializer(tensor)))
      return failure();
    *model.mutable_graph()->add_initializer() = std::move(tensor);
  }
  branch.clear_initializer();
  for (onnx::NodeProto &inner : *branch.mutable_node()) {
    for (const std::string &output : inner.output())
      if (!output.empty() && failed(clash(output)))
        return failure();
    consumed.insert(inner.input().begin(), inner.input().end());
    *out.Add() = std::move(inner);
  }
  branch.clear_node();
  branch.clear_value_info();
  return success();
}

/// Appends `Identity(from) -> to` to `out`.
static void
addIdentity(google::protobuf::RepeatedPtrField<onnx::NodeProto> &out,
            StringRef name, StringRef from, StringRef to) {
  onnx::NodeProto *identity = out.Add();
  identity->set_op_type("Identity");
  identity->set_name(name.str());
  identity->add_input(from.str());
  identity->add_output(to.str());
}

namespace {
/// What flattenIfs does with a node.
enum class IfAction { Keep, InlineTaken, HoistBoth };
} // namespace

/// The then/else graphs of `node` when it is a well-formed If (malformed
/// ones are left to the converter, which says what is wrong).
static std::pair<onnx::GraphProto *, onnx::GraphProto *>
branchesOf(onnx::NodeProto &node) {
  if (node.op_type() != "If" ||
      !(node.domain().empty() || node.domain() == "ai.onnx") ||
      node.output_size() == 0)
    return {nullptr, nullptr};
  onnx::GraphProto *thenGraph = nullptr, *elseGraph = nullptr;
  for (onnx::AttributeProto &attr : *node.mutable_attribute())
    if (attr.has_g())
      (attr.name() == "then_branch" ? thenGraph : elseGraph) = attr.mutable_g();
  if (!thenGraph || !elseGraph ||
      thenGraph->output_size() != node.output_size() ||
      elseGraph->output_size() != node.output_size())
    return {nullptr, nullptr};
  return {thenGraph, elseGraph};
}

FailureOr<bool> Importer::flattenIfs(bool runtimeConditions) {
  auto actionFor = [&](onnx::NodeProto &node) {
    if (!branchesOf(node).first)
      return IfAction::Keep;
    if (const ConstTensor *cond = getConst(node, 0))
      return cond->numElements() == 1 ? IfAction::InlineTaken : IfAction::Keep;
    return runtimeConditions && !hoistedIfs.contains(node.output(0))
               ? IfAction::HoistBoth
               : IfAction::Keep;
  };
  onnx::GraphProto *graph = model.mutable_graph();
  if (llvm::none_of(*graph->mutable_node(), [&](onnx::NodeProto &node) {
        return actionFor(node) != IfAction::Keep;
      }))
    return false;
  llvm::StringSet<> defined = definedNames(*graph);
  google::protobuf::RepeatedPtrField<onnx::NodeProto> out;
  for (onnx::NodeProto &node : *graph->mutable_node()) {
    IfAction action = actionFor(node);
    if (action == IfAction::Keep) {
      *out.Add() = std::move(node);
      continue;
    }
    auto [thenGraph, elseGraph] = branchesOf(node);
    std::string name = nodeName(node);
    if (action == IfAction::InlineTaken) {
      onnx::GraphProto &taken =
          getConst(node, 0)->getInt(0) ? *thenGraph : *elseGraph;
      if (failed(hoistBranch(node, taken, out, defined)))
        return failure();
      for (int i = 0; i < node.output_size(); ++i) {
        consumed.insert(taken.output(i).name());
        addIdentity(out, name + "/output" + std::to_string(i),
                    taken.output(i).name(), node.output(i));
      }
      continue;
    }
    for (auto [branch, tag] :
         {std::pair{thenGraph, "then"}, std::pair{elseGraph, "else"}}) {
      if (failed(hoistBranch(node, *branch, out, defined)))
        return failure();
      auto *forwards = branch->mutable_node();
      for (int i = 0; i < branch->output_size(); ++i) {
        std::string from = branch->output(i).name();
        std::string to = node.output(i) + "/" + tag;
        while (!defined.insert(to).second)
          to += "_";
        consumed.insert(from);
        addIdentity(*forwards, name + "/" + tag + std::to_string(i), from, to);
        branch->mutable_output(i)->set_name(to);
      }
    }
    hoistedIfs.insert(node.output(0));
    *out.Add() = std::move(node);
  }
  graph->mutable_node()->Swap(&out);
  reindexNodes();
  return true;
}
