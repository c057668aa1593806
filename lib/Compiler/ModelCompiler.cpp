//===- ModelCompiler.cpp - From a qnt module to native code ---------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Compiler/ModelCompiler.h"

#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntShapes.h"
#include "quant/Pipelines/Pipelines.h"
#include "quant/Target/Cpu/Int8Kernels.h"

#include "RuntimeHeader.inc"
#include "quant_runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;
using namespace mlir::quant_compiler;

std::string quant_compiler::makeModelName(StringRef text) {
  std::string name;
  for (char c : text)
    name += llvm::isAlnum(c) ? c : '_';
  // Not empty, not starting with a digit, and clear of the runtime's
  // quant_* symbols (a model "quant_model" would define quant_model_run).
  if (name.empty() || llvm::isDigit(name[0]) ||
      StringRef(name).starts_with("quant_"))
    name = "model_" + name;
  return name;
}

static std::optional<int32_t> dtypeOf(Type type) {
  if (type.isF32())
    return 1;
  if (type.isInteger(8))
    return 3;
  if (type.isInteger(32))
    return 6;
  if (type.isInteger(64))
    return 7;
  if (type.isInteger(1))
    return 9;
  return std::nullopt;
}

FailureOr<ModelSignature> quant_compiler::prepareModelEntry(ModuleOp module,
                                                            StringRef name) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return module.emitError("the module has no func.func @main to compile");
  ModelSignature signature;
  signature.name = name.str();
  auto describe = [&](Type type, DictionaryAttr attrs, StringRef fallback,
                      std::vector<TensorSignature> &into) -> LogicalResult {
    auto tensor = dyn_cast<RankedTensorType>(type);
    std::optional<int32_t> dtype =
        tensor ? dtypeOf(tensor.getElementType()) : std::nullopt;
    if (!tensor || !tensor.hasStaticShape() || !dtype)
      return main.emitError("@main: ")
             << fallback << " has type " << type
             << "; the runtime ABI takes static tensors of f32, i8, i32, "
                "i64 or i1";
    // ONNX uint8 is i8 bits in the IR; the ABI says it is unsigned.
    if (*dtype == 3 && attrs && attrs.get(qnt::kUint8AttrName))
      dtype = 2;
    TensorSignature t;
    auto onnxName = attrs ? attrs.getAs<StringAttr>("onnx.name") : StringAttr();
    t.name = onnxName ? onnxName.str() : fallback.str();
    t.dtype = *dtype;
    t.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    // The header, the descriptor table and quant_model_run's size check all
    // use this count: it must not wrap (the qnt verifiers say the same of
    // qnt values; @main may be any dialect's).
    std::optional<int64_t> bytes =
        qnt::numBytes(t.shape, tensor.getElementTypeBitWidth());
    if (!bytes)
      return main.emitError("@main: ")
             << fallback << " '" << t.name << "' of type " << type
             << " holds more than 2^63 - 1 bytes";
    t.numBytes = static_cast<uint64_t>(*bytes);
    into.push_back(std::move(t));
    return success();
  };
  FunctionType type = main.getFunctionType();
  for (unsigned i = 0; i < type.getNumInputs(); ++i)
    if (failed(describe(type.getInput(i), main.getArgAttrDict(i),
                        "input" + std::to_string(i), signature.inputs)))
      return failure();
  for (unsigned i = 0; i < type.getNumResults(); ++i)
    if (failed(describe(type.getResult(i), main.getResultAttrDict(i),
                        "output" + std::to_string(i), signature.outputs)))
      return failure();
  // A value returned twice would be one buffer behind two output
  // parameters, which bufferization cannot express (and a copy on tensors
  // is folded away): NAME_impl returns it once and the entry wrapper copies
  // it into the repeat's buffer.
  auto ret = cast<func::ReturnOp>(main.getBody().front().getTerminator());
  llvm::DenseMap<Value, int64_t> firstReturn;
  llvm::BitVector repeats(ret.getNumOperands());
  for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
    auto [it, inserted] = firstReturn.try_emplace(value, i);
    signature.repeatOf.push_back(inserted ? -1 : it->second);
    if (!inserted)
      repeats.set(i);
  }
  if (repeats.any()) {
    ret->eraseOperands(repeats);
    if (failed(main.eraseResults(repeats)))
      return main.emitError("@main: cannot drop repeated results");
  }
  main.setSymName(signature.name + "_impl");
  main->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(module.getContext()));
  return signature;
}

LogicalResult quant_compiler::lowerModelToLLVMDialect(ModuleOp module,
                                                      bool parallel,
                                                      int64_t vectorWidth,
                                                      Int8Kernels int8Kernels) {
  assert(int8Kernels != Int8Kernels::Auto && "resolveInt8Kernels first");
  PassManager pm(module.getContext());
  CpuPipelineOptions options;
  options.parallel = parallel;
  options.vectorWidth = vectorWidth;
  options.int8Kernels = int8Kernels;
  buildFp32ToLLVMPipeline(pm, options);
  return pm.run(module);
}

LogicalResult quant_compiler::lowerModelToNvptx(ModuleOp module, StringRef chip,
                                                bool int8Mma) {
  PassManager pm(module.getContext());
  NvptxPipelineOptions options;
  options.chip = chip.str();
  options.int8Mma = int8Mma;
  // A toolkit removed since quant was built: serialize without its
  // libdevice rather than fail with a dump of every kernel module.
  if (!llvm::sys::fs::is_directory(options.toolkit.getValue()))
    options.toolkit = "";
  buildNvptxPipeline(pm, options);
  return pm.run(module);
}

bool quant_compiler::isSupportedGpuChip(StringRef chip, std::string &error) {
  static bool once = [] {
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    return true;
  }();
  (void)once;
  unsigned version = 0;
  StringRef digits = chip;
  bool prefixed = digits.consume_front("sm_");
  digits.consume_back("a");
  if (!prefixed || digits.getAsInteger(10, version) || version < 80) {
    error = "--mcpu=" + chip.str() +
            " is not an NVIDIA GPU architecture the nvptx target supports: "
            "give sm_80 (A100), sm_86, sm_89, sm_90 (H100) or later (int8 "
            "tensor-core mma.sync m16n8k32 needs sm_80)";
    return false;
  }
  llvm::Triple triple("nvptx64-nvidia-cuda");
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, lookupError);
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      target ? target->createMCSubtargetInfo(triple, "", "") : nullptr);
  if (!info || !info->isCPUStringValid(chip)) {
    error =
        "--mcpu=" + chip.str() + " is not known to this LLVM's NVPTX backend";
    return false;
  }
  return true;
}

FailureOr<std::string> quant_compiler::collectPtx(ModuleOp module) {
  std::string text;
  bool any = false;
  for (auto binary : module.getOps<gpu::BinaryOp>())
    for (Attribute attr : binary.getObjects()) {
      auto object = dyn_cast<gpu::ObjectAttr>(attr);
      if (!object || object.getFormat() != gpu::CompilationTarget::Assembly)
        return binary.emitError("expected a PTX (format isa) object");
      text += "// gpu.module @" + binary.getName().str() + "\n";
      text += object.getObject().getValue().str();
      any = true;
    }
  if (!any)
    return module.emitError("the model has no GPU kernels");
  return text;
}

FailureOr<Int8Kernels>
quant_compiler::resolveInt8Kernels(const llvm::TargetMachine &machine,
                                   Int8Kernels requested, std::string &error) {
  if (requested == Int8Kernels::Reference)
    return requested;
  StringRef arch = machine.getTargetTriple().getArchName();
  if (requested == Int8Kernels::Auto) {
    const llvm::MCSubtargetInfo *info = machine.getMCSubtargetInfo();
    return selectInt8KernelIsa(arch,
                               [&](StringRef feature) {
                                 return info->checkFeatures(
                                     ("+" + feature).str());
                               })
        .kind;
  }
  Int8KernelIsa isa = *lookupInt8KernelIsa(requested);
  if (!isa.arch.empty() && isa.arch != arch) {
    error = "--int8-kernels=" + isa.name.str() + " runs on " + isa.arch.str() +
            ", not on the " + arch.str() + " target";
    return failure();
  }
  return requested;
}

int64_t quant_compiler::defaultVectorWidth(const llvm::TargetMachine &machine) {
  const llvm::MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  return machine.getTargetTriple().isX86() && info->checkFeatures("+avx512f")
             ? 16
             : 8;
}

//===----------------------------------------------------------------------===//
// The runtime ABI in LLVM IR
//===----------------------------------------------------------------------===//

std::unique_ptr<llvm::Module> quant_compiler::translateModelToLLVMIR(
    ModuleOp module, llvm::LLVMContext &context,
    const ModelSignature &signature, bool cuda) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, signature.name);
  if (!llvmModule)
    return nullptr;
  llvm::Module &m = *llvmModule;
  llvm::IRBuilder<> b(context);
  llvm::Type *ptr = b.getPtrTy();
  llvm::Type *i32 = b.getInt32Ty();
  llvm::Type *i64 = b.getInt64Ty();
  const std::string &name = signature.name;

  // void NAME_entry(void **descriptors): unpack into the C interface.
  llvm::Function *impl = m.getFunction("_mlir_ciface_" + name + "_impl");
  if (!impl)
    return nullptr;
  auto *entryType = llvm::FunctionType::get(b.getVoidTy(), {ptr}, false);
  auto *entry = llvm::Function::Create(
      entryType, llvm::GlobalValue::InternalLinkage, name + "_entry", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", entry));
  // Descriptor slots: the inputs, then every output; NAME_impl takes the
  // inputs and the outputs that are not repeats.
  size_t numInputs = signature.inputs.size();
  auto descriptor = [&](size_t slot) {
    return b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, entry->getArg(0), slot));
  };
  SmallVector<llvm::Value *> args;
  for (size_t i = 0; i < numInputs; ++i)
    args.push_back(descriptor(i));
  for (size_t i = 0; i < signature.outputs.size(); ++i)
    if (signature.repeatOf[i] < 0)
      args.push_back(descriptor(numInputs + i));
  if (args.size() != impl->arg_size())
    return nullptr;
  b.CreateCall(impl, args);
  // A repeat copies its original: aligned pointers are each descriptor's
  // second word (runtime/quant_runtime.c fills them, offset 0).
  for (size_t i = 0; i < signature.outputs.size(); ++i) {
    int64_t from = signature.repeatOf[i];
    if (from < 0)
      continue;
    auto aligned = [&](size_t slot) {
      return b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, descriptor(slot), 1));
    };
    b.CreateMemCpy(aligned(numInputs + i), llvm::MaybeAlign(),
                   aligned(numInputs + from), llvm::MaybeAlign(),
                   signature.outputs[i].numBytes);
  }
  b.CreateRetVoid();

  // The tensor and model descriptions.
  auto *tensorInfoType = llvm::StructType::create(
      context, {ptr, i32, i32, ptr, i64}, "quant_tensor_info");
  auto *modelInfoType = llvm::StructType::create(
      context, {i32, i32, i32, i32, ptr, ptr, ptr, ptr}, "quant_model_info");
  auto string = [&](StringRef text, const Twine &symbol) {
    auto *init = llvm::ConstantDataArray::getString(context, text);
    auto *g = new llvm::GlobalVariable(m, init->getType(), true,
                                       llvm::GlobalValue::PrivateLinkage, init,
                                       symbol);
    return g;
  };
  auto tensorTable = [&](ArrayRef<TensorSignature> tensors, StringRef kind) {
    SmallVector<llvm::Constant *> entries;
    for (auto [i, t] : llvm::enumerate(tensors)) {
      std::string base = name + "_" + kind.str() + std::to_string(i);
      auto *shapeInit = llvm::ConstantDataArray::get(
          context,
          ArrayRef<uint64_t>(reinterpret_cast<const uint64_t *>(t.shape.data()),
                             t.shape.size()));
      auto *shape = new llvm::GlobalVariable(m, shapeInit->getType(), true,
                                             llvm::GlobalValue::PrivateLinkage,
                                             shapeInit, base + "_shape");
      entries.push_back(llvm::ConstantStruct::get(
          tensorInfoType,
          {string(t.name, base + "_name"), llvm::ConstantInt::get(i32, t.dtype),
           llvm::ConstantInt::get(i32, t.shape.size()), shape,
           llvm::ConstantInt::get(i64, t.numBytes)}));
    }
    auto *arrayType = llvm::ArrayType::get(tensorInfoType, entries.size());
    return new llvm::GlobalVariable(
        m, arrayType, true, llvm::GlobalValue::PrivateLinkage,
        llvm::ConstantArray::get(arrayType, entries), name + "_" + kind);
  };
  auto *info = new llvm::GlobalVariable(
      m, modelInfoType, true, llvm::GlobalValue::InternalLinkage,
      llvm::ConstantStruct::get(
          modelInfoType,
          {llvm::ConstantInt::get(i32, 1),
           llvm::ConstantInt::get(i32, signature.inputs.size()),
           llvm::ConstantInt::get(i32, signature.outputs.size()),
           llvm::ConstantInt::get(i32, cuda ? QUANT_MODEL_CUDA : 0),
           string(name, name + "_model_name"),
           tensorTable(signature.inputs, "inputs"),
           tensorTable(signature.outputs, "outputs"), entry}),
      name + "_model_info");

  // const quant_model_info *NAME_info(void), and the weak default alias
  // that quant-run looks up in shared libraries.
  auto *infoFnType = llvm::FunctionType::get(ptr, {}, false);
  auto makeInfoFn = [&](const Twine &symbol,
                        llvm::GlobalValue::LinkageTypes linkage) {
    auto *fn = llvm::Function::Create(infoFnType, linkage, symbol, m);
    b.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", fn));
    b.CreateRet(info);
    return fn;
  };
  makeInfoFn(name + "_info", llvm::GlobalValue::ExternalLinkage);
  makeInfoFn("quant_default_model_info", llvm::GlobalValue::WeakAnyLinkage);

  // int NAME_run(inputs, input_bytes, outputs, output_bytes).
  auto *runType = llvm::FunctionType::get(i32, {ptr, ptr, ptr, ptr}, false);
  llvm::FunctionCallee modelRun = m.getOrInsertFunction(
      "quant_model_run",
      llvm::FunctionType::get(i32, {ptr, ptr, ptr, ptr, ptr}, false));
  auto *run = llvm::Function::Create(
      runType, llvm::GlobalValue::ExternalLinkage, name + "_run", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", run));
  b.CreateRet(b.CreateCall(modelRun, {info, run->getArg(0), run->getArg(1),
                                      run->getArg(2), run->getArg(3)}));
  return llvmModule;
}

void quant_compiler::addExecutableMain(llvm::Module &m,
                                       const ModelSignature &signature) {
  llvm::LLVMContext &context = m.getContext();
  llvm::IRBuilder<> b(context);
  llvm::Type *ptr = b.getPtrTy();
  llvm::Type *i32 = b.getInt32Ty();
  llvm::FunctionCallee driver = m.getOrInsertFunction(
      "quant_driver_main",
      llvm::FunctionType::get(i32, {ptr, ptr, i32, ptr}, false));
  auto *mainFn =
      llvm::Function::Create(llvm::FunctionType::get(i32, {i32, ptr}, false),
                             llvm::GlobalValue::ExternalLinkage, "main", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", mainFn));
  llvm::Value *argc = mainFn->getArg(0), *argv = mainFn->getArg(1);
  llvm::Value *program = b.CreateLoad(ptr, argv);
  llvm::Value *info = b.CreateCall(m.getFunction(signature.name + "_info"));
  llvm::Value *rest = b.CreateConstGEP1_64(ptr, argv, 1);
  b.CreateRet(b.CreateCall(
      driver, {program, info, b.CreateSub(argc, b.getInt32(1)), rest}));
}

//===----------------------------------------------------------------------===//
// Target machine and emission
//===----------------------------------------------------------------------===//

std::optional<std::string> quant_compiler::cpuTargetTriple(StringRef target) {
  if (target == "x86_64" || target == "x86-64")
    return std::string("x86_64-unknown-linux-gnu");
  if (target == "aarch64" || target == "arm64")
    return std::string("aarch64-unknown-linux-gnu");
  return std::nullopt;
}

static void initializeCpuTargets() {
  static bool once = [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
    return true;
  }();
  (void)once;
}

FailureOr<std::unique_ptr<llvm::TargetMachine>>
quant_compiler::createCpuTargetMachine(StringRef tripleName, StringRef cpu,
                                       std::string &error) {
  initializeCpuTargets();
  llvm::Triple host(llvm::sys::getProcessTriple());
  llvm::Triple triple(tripleName.empty() ? host.str() : tripleName.str());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return failure();
  bool isHost = triple.getArch() == host.getArch();
  if (cpu == "native" && !isHost) {
    error = "--mcpu=native describes this " + host.getArchName().str() +
            " host, not an " + triple.getArchName().str() +
            " CPU (try generic, cortex-a76, neoverse-n1, neoverse-v1)";
    return failure();
  }
  if (cpu.empty())
    cpu = isHost ? "native" : "generic";
  std::string cpuName = cpu.str();
  std::string features;
  if (cpu == "native") {
    cpuName = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures featureSet;
    for (auto &feature : llvm::sys::getHostCPUFeatures())
      featureSet.AddFeature(feature.first(), feature.second);
    features = featureSet.getString();
  }
  // Checked before creating the machine, which would warn on stderr and
  // fall back to a generic CPU.
  std::unique_ptr<llvm::MCSubtargetInfo> probe(
      target->createMCSubtargetInfo(triple, "", ""));
  if (probe && !probe->isCPUStringValid(cpuName)) {
    error = "unknown CPU '" + cpuName + "' for " + triple.str() +
            (triple.isAArch64()
                 ? " (try generic, cortex-a55, cortex-a76, neoverse-n1, "
                   "neoverse-v1 or another LLVM AArch64 CPU name)"
                 : " (try native, x86-64-v2, x86-64-v3, x86-64-v4 or an LLVM "
                   "CPU name such as skylake-avx512)");
    return failure();
  }
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpuName, features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!machine) {
    error = "cannot create a target machine for CPU '" + cpuName + "'";
    return failure();
  }
  return machine;
}

LogicalResult quant_compiler::optimizeModule(llvm::Module &module,
                                             llvm::TargetMachine &machine) {
  module.setDataLayout(machine.createDataLayout());
  module.setTargetTriple(machine.getTargetTriple());
  auto transformer = makeOptimizingTransformer(3, 0, &machine);
  if (llvm::Error err = transformer(&module)) {
    llvm::consumeError(std::move(err));
    return failure();
  }
  return success();
}

LogicalResult quant_compiler::emitObjectFile(llvm::Module &module,
                                             llvm::TargetMachine &machine,
                                             StringRef path,
                                             std::string &error) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = path.str() + ": " + ec.message();
    return failure();
  }
  llvm::legacy::PassManager pm;
  if (machine.addPassesToEmitFile(pm, out, nullptr,
                                  llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return failure();
  }
  pm.run(module);
  out.flush();
  return success();
}

std::string quant_compiler::generateHeader(const ModelSignature &signature,
                                           StringRef objectLinkFlags) {
  std::string text;
  llvm::raw_string_ostream os(text);
  const std::string &n = signature.name;
  std::string guard = "QUANT_MODEL_" + llvm::StringRef(n).upper() + "_H";
  os << "/* Generated by quant-compile: the C interface of model '" << n
     << "'.\n"
     << " *\n"
     << " * Link the artifact (and " << objectLinkFlags
     << " when linking an object or archive).\n"
     << " * Buffers are dense, row-major, caller-owned:\n";
  auto describe = [&](const char *kind, ArrayRef<TensorSignature> tensors) {
    for (auto [i, t] : llvm::enumerate(tensors)) {
      os << " *   " << kind << " " << i << " '" << t.name << "': dtype "
         << t.dtype << ", shape [";
      llvm::interleaveComma(t.shape, os);
      os << "], " << t.numBytes << " bytes\n";
    }
  };
  describe("input ", signature.inputs);
  describe("output", signature.outputs);
  // The ABI types: runtime/quant_runtime.h itself, guarded so that several
  // model headers (and quant_runtime.h) can be included together.
  os << " */\n#ifndef " << guard << "\n#define " << guard << "\n\n"
     << kRuntimeHeaderText
     << "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  std::string upper = llvm::StringRef(n).upper();
  os << "#define " << upper << "_NUM_INPUTS " << signature.inputs.size()
     << "\n#define " << upper << "_NUM_OUTPUTS " << signature.outputs.size()
     << "\n\n"
     << "/* Names, dtypes, shapes and byte sizes of the inputs and outputs. "
        "*/\n"
     << "const quant_model_info *" << n << "_info(void);\n\n"
     << "/* Runs the model; returns QUANT_OK or a quant_status error (wrong\n"
     << "   buffer size, NULL pointer) without touching the outputs. */\n"
     << "int " << n
     << "_run(const void *const *inputs, const size_t *input_bytes,\n"
     << "     void *const *outputs, const size_t *output_bytes);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return text;
}

//===----------------------------------------------------------------------===//
// JIT
//===----------------------------------------------------------------------===//

extern "C" {
// The generated code's scratch allocator (runtime/quant_runtime.c).
void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *ptr);
}

JitModel::JitModel() = default;
JitModel::JitModel(JitModel &&) = default;
JitModel &JitModel::operator=(JitModel &&) = default;
JitModel::~JitModel() = default;

FailureOr<JitModel>
quant_compiler::jitCompileModel(ModuleOp module, StringRef name, bool parallel,
                                int64_t vectorWidth, Int8Kernels int8Kernels) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string error;
  auto machine = createCpuTargetMachine("", "native", error);
  if (failed(machine))
    return module.emitError(error);
  FailureOr<Int8Kernels> kernels =
      resolveInt8Kernels(**machine, int8Kernels, error);
  if (failed(kernels))
    return module.emitError(error);
  FailureOr<ModelSignature> signature = prepareModelEntry(module, name);
  if (failed(signature) ||
      failed(lowerModelToLLVMDialect(
          module, parallel,
          vectorWidth >= 0 ? vectorWidth : defaultVectorWidth(**machine),
          *kernels)))
    return failure();
  // The options hold function_refs: the builder and the transformer must
  // outlive create().
  std::string linkError;
  auto builder =
      [&](Operation *op,
          llvm::LLVMContext &llvmContext) -> std::unique_ptr<llvm::Module> {
    std::unique_ptr<llvm::Module> llvmModule =
        translateModelToLLVMIR(cast<ModuleOp>(op), llvmContext, *signature);
    if (llvmModule &&
        failed(linkKernelLibrary(*llvmModule, **machine, linkError)))
      return nullptr;
    return llvmModule;
  };
  auto optimize = makeOptimizingTransformer(3, 0, machine->get());
  ExecutionEngineOptions options;
  options.llvmModuleBuilder = builder;
  options.transformer = optimize;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  auto engine = ExecutionEngine::create(module, options);
  if (!engine) {
    std::string why = llvm::toString(engine.takeError());
    return module.emitError("JIT compilation failed: ")
           << (linkError.empty() ? why : linkError);
  }
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    auto add = [&](StringRef symbol, auto *function) {
      symbols[interner(symbol)] = {llvm::orc::ExecutorAddr::fromPtr(function),
                                   llvm::JITSymbolFlags::Exported};
    };
    add("quant_model_run", &quant_model_run);
    add("_mlir_memref_to_llvm_alloc", &_mlir_memref_to_llvm_alloc);
    add("_mlir_memref_to_llvm_aligned_alloc",
        &_mlir_memref_to_llvm_aligned_alloc);
    add("_mlir_memref_to_llvm_free", &_mlir_memref_to_llvm_free);
    return symbols;
  });
  auto infoFn = (*engine)->lookup(name.str() + "_info");
  if (!infoFn)
    return module.emitError() << llvm::toString(infoFn.takeError());
  JitModel jit;
  using InfoFn = const quant_model_info *(*)();
  jit.info = reinterpret_cast<InfoFn>(*infoFn)();
  jit.engine = std::move(*engine);
  return jit;
}
