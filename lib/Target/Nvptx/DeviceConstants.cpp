//===- DeviceConstants.cpp - Device copies of host constants --------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Target/Nvptx/Passes.h"

#include "mlir/Interfaces/DataLayoutInterfaces.h"

namespace mlir::quant_compiler {
#define GEN_PASS_DEF_QUANTGPUDEVICECONSTANTS
#include "quant/Target/Nvptx/Passes.h.inc"
} // namespace mlir::quant_compiler

using namespace mlir;
using namespace mlir::quant_compiler;

namespace {

struct QuantGpuDeviceConstantsPass
    : quant_compiler::impl::QuantGpuDeviceConstantsBase<
          QuantGpuDeviceConstantsPass> {
  void runOnOperation() override;
};

void QuantGpuDeviceConstantsPass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *ctx = module.getContext();
  DataLayout layout(module);
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  SmallVector<LLVM::AddressOfOp> addresses;
  // Host functions only: the module's own, not those of gpu.modules.
  for (auto func : module.getOps<LLVM::LLVMFuncOp>())
    func.walk([&](LLVM::AddressOfOp address) {
      auto global = dyn_cast_or_null<LLVM::GlobalOp>(
          SymbolTable::lookupSymbolIn(module, address.getGlobalNameAttr()));
      if (global && global.getConstant() &&
          isa_and_nonnull<ElementsAttr>(global.getValueOrNull()))
        addresses.push_back(address);
    });
  if (addresses.empty())
    return;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto runtime = module.lookupSymbol<LLVM::LLVMFuncOp>("quant_cuda_constant");
  if (!runtime)
    runtime = LLVM::LLVMFuncOp::create(
        b, module.getLoc(), "quant_cuda_constant",
        LLVM::LLVMFunctionType::get(ptr, {ptr, i64}));
  for (LLVM::AddressOfOp address : addresses) {
    auto global = cast<LLVM::GlobalOp>(
        SymbolTable::lookupSymbolIn(module, address.getGlobalNameAttr()));
    b.setInsertionPointAfter(address);
    Value bytes = LLVM::ConstantOp::create(
        b, address.getLoc(), i64,
        b.getI64IntegerAttr(layout.getTypeSize(global.getGlobalType())));
    auto copy = LLVM::CallOp::create(b, address.getLoc(), runtime,
                                     ValueRange{address, bytes});
    address.getResult().replaceAllUsesExcept(copy.getResult(), copy);
  }
}

} // namespace
