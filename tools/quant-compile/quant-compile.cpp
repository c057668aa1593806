//===- quant-compile.cpp - Compile a model ahead of time ------------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
//   quant-compile model.onnx --emit=shared -o model.so   (+ model.h)
//   quant-compile model.onnx --precision=int8 --calibration-data DIR \
//       --emit=onnx -o model.qdq.onnx
//
// Imports (.onnx) or parses (.mlir) the model, lowers it with the named
// pipelines (quant-fp32-to-llvm), translates to LLVM IR with the runtime ABI
// of runtime/quant_runtime.h attached, optimizes for --mcpu and writes the
// artifact. Objects, archives, shared libraries and executables embed the
// weights and the runtime; each comes with a generated C header next to it.
// Linking uses the C compiler quant was built with (override: $QUANT_CC).
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/Histogram.h"
#include "quant/Calibration/Passes.h"
#include "quant/Calibration/Pipeline.h"
#include "quant/Compiler/ModelCompiler.h"
#include "quant/Dialect/Qnt/Transforms/Passes.h"
#include "quant/Export/OnnxExporter.h"
#include "quant/ToolSupport.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace mlir::quant_compiler;
namespace cl = llvm::cl;

static cl::OptionCategory category("quant-compile options");
static cl::opt<std::string> inputFile(cl::Positional,
                                      cl::desc("<model.onnx|model.mlir>"),
                                      cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("Output file (required)"),
                                       cl::value_desc("file"),
                                       cl::cat(category));
static cl::opt<std::string> emit(
    "emit",
    cl::desc("What to write: obj (relocatable object with the runtime), lib "
             "(static archive), shared (shared library), exe (standalone "
             "program with quant-run's command line), mlir (the qnt module "
             "that is compiled), llvm (LLVM IR; the host code for nvptx), "
             "ptx (--target=nvptx: the GPU kernels), onnx (the qnt module as "
             "an ONNX model: with --precision=int8 a QDQ model with quant's "
             "scales and zero points, for ONNX Runtime)"),
    cl::value_desc("obj|lib|shared|exe|mlir|llvm|ptx|onnx"), cl::init("shared"),
    cl::cat(category));
static cl::opt<std::string> target(
    "target",
    cl::desc("Target architecture (Linux): x86_64, or aarch64 (cross-linked "
             "with aarch64-linux-gnu-gcc, or $QUANT_AARCH64_CC; "
             "single-threaded; run with qemu-aarch64-static -L "
             "/usr/aarch64-linux-gnu on an x86-64 host), or nvptx (NVIDIA "
             "GPUs: kernels as PTX for --mcpu, x86-64 host code that runs "
             "them through the CUDA driver)"),
    cl::value_desc("x86_64|aarch64|nvptx"), cl::init("x86_64"), cl::cat(category));
static cl::opt<std::string> mcpu(
    "mcpu",
    cl::desc("CPU to tune and select instructions for: native (this host; "
             "the default for x86_64 on an x86-64 host), x86-64-v2, "
             "x86-64-v3, x86-64-v4, skylake-avx512, ...; for aarch64 generic "
             "(the default: Armv8.0 NEON), cortex-a76 or neoverse-n1 "
             "(sdot), neoverse-v1 (sdot and smmla), ...; for nvptx the GPU "
             "architecture: sm_80 (the default; A100), sm_86, sm_89, sm_90 "
             "(H100), ..."),
    cl::cat(category));
static cl::opt<std::string> precision(
    "precision",
    cl::desc("Numeric precision of the compiled model: fp32; int8 "
             "(needs --calibration-data; conv/gemm/matmul run on int8, the "
             "rest stays float behind quantize/dequantize); int4 (the same "
             "layers get group-wise int4 weights, packed two per byte, and "
             "an int8 input; their results are float); mixed (each layer "
             "int4, int8 or float, chosen by qnt-allocate-bits from its "
             "measured sensitivity under --weight-bits-budget or "
             "--size-budget)"),
    cl::value_desc("fp32|int8|int4|mixed"), cl::init("fp32"),
    cl::cat(category));
static cl::opt<double> weightBitsBudget(
    "weight-bits-budget",
    cl::desc("--precision=mixed: average bits per weight (4 for all int4, "
             "8 for all int8; scales not counted) over the quantizable "
             "layers; sensitivities are measured on the first 16 "
             "calibration samples (fewer with --calibration-samples)"),
    cl::value_desc("B"), cl::init(0.0), cl::cat(category));
static cl::opt<int64_t> sizeBudget(
    "size-budget",
    cl::desc("--precision=mixed: bytes the quantizable layers' weights may "
             "take as stored (packed int4 and int8 with their scales, f32)"),
    cl::value_desc("BYTES"), cl::init(0), cl::cat(category));
static cl::opt<int64_t> groupSize(
    "group-size",
    cl::desc("int4 weights: input channels per scale (32, 64, 128, ...); a "
             "layer whose input channels it does not divide gets one scale "
             "per output channel"),
    cl::init(32), cl::cat(category));
static cl::opt<std::string> granularity(
    "granularity",
    cl::desc("int8 weight scales: per-channel (one per output channel) or "
             "per-tensor"),
    cl::value_desc("per-channel|per-tensor"), cl::init("per-channel"),
    cl::cat(category));
static cl::opt<std::string>
    modelName("name",
              cl::desc("Prefix of the C symbols (NAME_run, NAME_info); "
                       "default: the output file's stem"),
              cl::cat(category));
static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Fix a dynamic input dim of an .onnx model: NAME=D0xD1x..."),
    cl::value_desc("NAME=1x3x224x224"), cl::cat(category));
static cl::opt<bool> sequential(
    "no-threads", cl::desc("Generate single-threaded code (no OpenMP)"),
    cl::cat(category));

static cl::opt<int64_t> vectorWidth(
    "vector-width",
    cl::desc("f32 SIMD lanes for tiling and vectorization (default: 16 "
             "when --mcpu has AVX-512F, else 8); 0 emits the scalar "
             "reference loops"),
    cl::init(-1), cl::cat(category));

static cl::opt<std::string> int8Kernels(
    "int8-kernels",
    cl::desc("How int8 convolutions and GEMMs run: auto (the best "
             "microkernels --mcpu has: avx512vnni, avxvnni, avx2 on x86_64; "
             "i8mm (smmla), dotprod (sdot) on aarch64; else generic), one of "
             "those by name, or reference (the plain integer loops of the "
             "reference lowering); on nvptx auto is the int8 tensor-core "
             "kernels (mma.sync)"),
    cl::init("auto"), cl::cat(category));

static cl::opt<bool> crossLayerEqualize(
    "cle",
    cl::desc("Cross-layer equalization before calibration "
             "(qnt-cross-layer-equalize, after batch-norm folding): rescales "
             "conv/gemm channels through relu and max_pool so that "
             "per-tensor int8 weights lose less; the float function is "
             "unchanged. With --calibration-data it then absorbs high "
             "biases: each relu link's smallest observed pre-activation "
             "per channel moves from one bias into the next (unchanged on "
             "the calibration data)"),
    cl::cat(category));

static cl::opt<bool> biasCorrection(
    "bias-correction",
    cl::desc("Bias correction for --precision=int8 (qnt-bias-correct): "
             "the mean output shift each int8 conv/gemm's weight rounding "
             "causes, computed from its input's per-channel means on the "
             "calibration data, is subtracted from its bias"),
    cl::cat(category));

static cl::opt<std::string> smoothQuant(
    "smoothquant",
    cl::desc("SmoothQuant (qnt-smooth-quant, needs --calibration-data): "
             "migrate activation outlier channels into the weights of the "
             "matmul/gemm ops that read them, with strength ALPHA in [0, 1] "
             "(--smoothquant alone: 0.5) or 'auto' (a per-layer search); "
             "calibrates per channel, smooths, then calibrates again; the "
             "float function is unchanged"),
    cl::value_desc("ALPHA|auto"), cl::ValueOptional, cl::cat(category));

static cl::OptionCategory calibrationCategory(
    "calibration (ranges for quantization, written into the IR)");
static cl::opt<std::string> calibrationData(
    "calibration-data",
    cl::desc("Calibrate activation ranges on this folder of .npy samples "
             "(DIR/*.npy, or DIR/<input>/*.npy for several inputs); "
             "--emit=mlir shows the ranges"),
    cl::value_desc("DIR"), cl::cat(calibrationCategory));
static cl::opt<std::string> calibrationMethod(
    "calibration-method",
    cl::desc("How ranges are chosen from what was observed: minmax, "
             "percentile, entropy (KL, as TensorRT) or mse"),
    cl::value_desc("minmax|percentile|entropy|mse"), cl::init("minmax"),
    cl::cat(calibrationCategory));
static cl::opt<double> calibrationPercentile(
    "calibration-percentile",
    cl::desc("Upper percentile for --calibration-method=percentile"),
    cl::init(99.99), cl::cat(calibrationCategory));
static cl::opt<unsigned> calibrationSamples(
    "calibration-samples",
    cl::desc("Use at most N samples, in file-name order (0: all)"),
    cl::init(0), cl::cat(calibrationCategory));

static int fail(const Twine &message) {
  llvm::errs() << "quant-compile: error: " << message << "\n";
  return 1;
}

/// Runs `program args...`, returning an error message on failure.
static std::optional<std::string> runTool(StringRef program,
                                          ArrayRef<std::string> args) {
  auto path = llvm::sys::findProgramByName(program);
  if (path && !llvm::sys::fs::can_execute(*path))
    path = std::make_error_code(std::errc::no_such_file_or_directory);
  if (!path)
    return "cannot find '" + program.str() +
           "' to link with (set QUANT_CC, or QUANT_AARCH64_CC for "
           "--target=aarch64, to a C compiler)";
  SmallVector<StringRef> argv{*path};
  for (const std::string &a : args)
    argv.push_back(a);
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(*path, argv, std::nullopt, {}, 0, 0,
                                     &error);
  if (rc != 0) {
    std::string cmd;
    for (StringRef a : argv)
      cmd += a.str() + " ";
    return "link step failed (" + (error.empty() ? "exit " + std::to_string(rc)
                                                 : error) +
           "): " + cmd;
  }
  return std::nullopt;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions({&category, &calibrationCategory});
  cl::ParseCommandLineOptions(
      argc, argv,
      "quant-compile: compile a model ahead of time into a native artifact\n\n"
      "  quant-compile model.onnx --emit=exe -o model   (+ model.h)\n"
      "  quant-compile model.mlir --emit=shared --mcpu=x86-64-v3 -o model.so\n"
      "  quant-compile model.onnx --target=aarch64 --mcpu=neoverse-n1 "
      "--emit=exe -o model\n"
      "  quant-compile model.onnx --target=nvptx --mcpu=sm_90 --emit=ptx "
      "-o model.ptx\n");

  if (inputFile.empty())
    return fail("no input model (see --help)");
  if (outputFile.empty())
    return fail("no output file: give -o FILE");
  if (precision != "fp32" && precision != "int8" && precision != "int4" &&
      precision != "mixed")
    return fail("--precision=" + precision +
                " is not one of fp32, int8, int4, mixed");
  bool budgeted = weightBitsBudget.getNumOccurrences() ||
                  sizeBudget.getNumOccurrences();
  if (precision == "mixed" &&
      (weightBitsBudget > 0) == (sizeBudget > 0))
    return fail("--precision=mixed needs one positive budget: "
                "--weight-bits-budget=B or --size-budget=BYTES");
  if (precision != "mixed" && budgeted)
    return fail("--weight-bits-budget and --size-budget choose the mixed "
                "precisions: they need --precision=mixed");
  bool quantized = precision != "fp32";
  if (quantized && calibrationData.empty())
    return fail("--precision=" + precision +
                " needs --calibration-data DIR (a folder of .npy samples to "
                "choose the int8 ranges from)");
  if (groupSize < 1)
    return fail("--group-size must be positive");
  if (biasCorrection && precision != "int8")
    return fail("--bias-correction corrects int8 layers: it needs "
                "--precision=int8");
  std::string smoothAlpha;
  if (smoothQuant.getNumOccurrences()) {
    smoothAlpha = smoothQuant.empty() ? "0.5" : smoothQuant.getValue();
    double value = 0.0;
    if (smoothAlpha != "auto" &&
        (StringRef(smoothAlpha).getAsDouble(value) ||
         !(value >= 0.0 && value <= 1.0)))
      return fail("--smoothquant=" + smoothAlpha +
                  " is not a number in [0, 1] or 'auto'");
    if (calibrationData.empty())
      return fail("--smoothquant needs --calibration-data DIR (the "
                  "activations' per-channel ranges set the factors)");
  }
  if (granularity != "per-channel" && granularity != "per-tensor")
    return fail("--granularity=" + granularity +
                " is not per-channel or per-tensor");
  bool nvptx = target == "nvptx";
  // GPU models: x86-64 host code for any x86-64 CPU.
  std::optional<std::string> triple =
      cpuTargetTriple(nvptx ? StringRef("x86_64") : StringRef(target));
  if (!triple)
    return fail("--target=" + target + " is not one of x86_64, aarch64, nvptx");
  bool aarch64 = llvm::Triple(*triple).isAArch64();
  bool known = llvm::StringSwitch<bool>(emit)
                   .Cases({"obj", "lib", "shared", "exe", "mlir", "llvm", "ptx",
                           "onnx"},
                          true)
                   .Default(false);
  if (!known)
    return fail("--emit=" + emit +
                " is not one of obj, lib, shared, exe, mlir, llvm, ptx, onnx");
  if (emit == "ptx" && !nvptx)
    return fail("--emit=ptx needs --target=nvptx");
  std::string chip = mcpu.empty() ? std::string("sm_80") : mcpu.getValue();
  if (nvptx) {
    std::string chipError;
    if (!isSupportedGpuChip(chip, chipError))
      return fail(chipError);
    if (int8Kernels != "auto" && int8Kernels != "reference")
      return fail("--int8-kernels=" + int8Kernels +
                  " is a CPU instruction set; --target=nvptx takes auto "
                  "(tensor cores) or reference");
    if (!std::string(QUANT_CUDA_RUNTIME_LIB).size() &&
        (emit == "obj" || emit == "lib" || emit == "shared" || emit == "exe"))
      return fail("this quant-compile was built without the CUDA runtime "
                  "(no cuda.h was found): --target=nvptx can emit ptx, llvm "
                  "and mlir only");
  }

  if (!mlir::qnt::parseCalibrationMethod(calibrationMethod))
    return fail("--calibration-method=" + calibrationMethod +
                " is not one of minmax, percentile, entropy, mse");

  std::unique_ptr<MLIRContext> context = createToolContext(inputFile);
  OwningOpRef<ModuleOp> module =
      loadModelFile(context.get(), inputFile, inputShapes);
  if (!module)
    return 1;

  // Per-channel minmax ranges, which SmoothQuant's factors and CLE's
  // high-bias absorption read (the calibration below then chooses the
  // final ranges with the requested method).
  auto addChannelCalibration = [&](PassManager &pm) {
    mlir::qnt::CalibrationPipelineOptions options;
    options.data = calibrationData;
    options.method = "minmax";
    options.samples = calibrationSamples;
    options.perChannel = true;
    mlir::qnt::buildCalibrationPipeline(pm, options);
  };

  if (crossLayerEqualize) {
    PassManager pm(context.get());
    pm.addPass(mlir::qnt::createQntFoldBatchNorm());
    pm.addPass(createCanonicalizerPass());
    pm.addNestedPass<func::FuncOp>(mlir::qnt::createQntCrossLayerEqualize());
    if (!calibrationData.empty()) {
      // High-bias absorption: each equalized relu link's observed
      // per-channel floor moves from one bias into the next.
      addChannelCalibration(pm);
      pm.addNestedPass<func::FuncOp>(
          mlir::qnt::createQntCrossLayerEqualize());
    }
    if (failed(pm.run(*module)))
      return 1;
  }

  if (!smoothAlpha.empty()) {
    PassManager pm(context.get());
    addChannelCalibration(pm);
    mlir::qnt::QntSmoothQuantOptions smooth;
    smooth.alpha = smoothAlpha;
    pm.addNestedPass<func::FuncOp>(mlir::qnt::createQntSmoothQuant(smooth));
    if (failed(pm.run(*module)))
      return 1;
  }

  if (!calibrationData.empty()) {
    PassManager pm(context.get());
    mlir::qnt::CalibrationPipelineOptions options;
    options.data = calibrationData;
    options.method = calibrationMethod;
    options.percentile = calibrationPercentile;
    options.samples = calibrationSamples;
    // Bias correction needs each layer input's per-channel means.
    options.perChannel = biasCorrection;
    mlir::qnt::buildCalibrationPipeline(pm, options);
    if (biasCorrection) {
      mlir::qnt::QntBiasCorrectOptions correct;
      correct.granularity = granularity;
      pm.addNestedPass<func::FuncOp>(mlir::qnt::createQntBiasCorrect(correct));
    }
    if (precision == "mixed") {
      mlir::qnt::QntAllocateBitsOptions allocate;
      allocate.dataDir = calibrationData;
      allocate.weightBitsBudget = weightBitsBudget;
      allocate.sizeBudget = sizeBudget;
      allocate.groupSize = groupSize;
      allocate.granularity = granularity;
      // One model run per layer, candidate and sample: the pass's default
      // (16 samples) unless --calibration-samples asks for fewer.
      if (calibrationSamples > 0 && calibrationSamples < allocate.maxSamples)
        allocate.maxSamples = calibrationSamples;
      pm.addPass(mlir::qnt::createQntAllocateBits(allocate));
    }
    if (quantized) {
      mlir::qnt::QntQuantizeOptions quantize;
      quantize.granularity = granularity;
      quantize.weightBits = precision == "int4" ? 4 : 8;
      quantize.groupSize = groupSize;
      pm.addNestedPass<func::FuncOp>(mlir::qnt::createQntQuantize(quantize));
    }
    if (failed(pm.run(*module)))
      return 1;
  }

  if (emit == "mlir") {
    std::string error;
    auto out = openOutputFile(outputFile, &error);
    if (!out)
      return fail(error);
    module->print(out->os());
    out->keep();
    return 0;
  }
  if (emit == "onnx") {
    std::string error;
    auto out = openOutputFile(outputFile, &error);
    if (!out)
      return fail(error);
    if (failed(mlir::qnt::exportOnnxModel(*module, out->os())))
      return 1;
    out->keep();
    return 0;
  }

  std::string stem = llvm::sys::path::stem(outputFile).str();
  std::string name = makeModelName(modelName.empty() ? stem : modelName);
  if (!modelName.empty() && name != modelName)
    return fail("--name=" + modelName + " is not usable as a C symbol prefix (" +
                "letters, digits and '_', not starting with a digit or " +
                "'quant_'); try --name=" + name);

  // Fail on an unwritable output before the (slow) compilation.
  {
    std::error_code ec;
    bool existed = llvm::sys::fs::exists(outputFile);
    llvm::raw_fd_ostream probe(outputFile, ec, llvm::sys::fs::OF_Append);
    if (ec)
      return fail("cannot write " + outputFile + ": " + ec.message());
    if (!existed)
      llvm::sys::fs::remove(outputFile);
  }
  std::string error;
  auto machine =
      createCpuTargetMachine(*triple, nvptx ? "x86-64" : mcpu.getValue(), error);
  if (failed(machine))
    return fail(error);
  if (vectorWidth < -1)
    return fail("--vector-width must be 0 (scalar) or a lane count");
  int64_t lanes = vectorWidth >= 0 ? vectorWidth : defaultVectorWidth(**machine);
  FailureOr<std::string> kernels =
      resolveInt8Kernels(**machine, int8Kernels, error);
  if (failed(kernels))
    return fail(error);

  // AArch64 artifacts are single-threaded: there is no AArch64 OpenMP
  // runtime to link them with here (Debian's cross toolchain has libgomp,
  // whose ABI is not the __kmpc_* one LLVM's OpenMP lowering calls).
  bool parallel = !sequential && !aarch64;
  FailureOr<ModelSignature> signature = prepareModelEntry(*module, name);
  if (failed(signature))
    return 1;
  if (nvptx) {
    if (failed(lowerModelToNvptx(*module, chip, int8Kernels == "auto")))
      return 1;
  } else if (failed(lowerModelToLLVMDialect(*module, parallel, lanes,
                                            *kernels))) {
    return 1;
  }
  if (emit == "ptx") {
    FailureOr<std::string> ptx = collectPtx(*module);
    if (failed(ptx))
      return 1;
    auto out = openOutputFile(outputFile, &error);
    if (!out)
      return fail(error);
    out->os() << *ptx;
    out->keep();
    return 0;
  }
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModelToLLVMIR(*module, llvmContext, *signature, nvptx);
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  if (!nvptx && failed(linkKernelLibrary(*llvmModule, **machine, error)))
    return fail(error);
  if (emit == "exe")
    addExecutableMain(*llvmModule, *signature);
  if (failed(optimizeModule(*llvmModule, **machine)))
    return fail("LLVM optimization failed");

  if (emit == "llvm") {
    auto out = openOutputFile(outputFile, &error);
    if (!out)
      return fail(error);
    llvmModule->print(out->os(), nullptr);
    out->keep();
    return 0;
  }

  // The model's object file, then packaging with the runtime.
  SmallString<128> objectPath;
  if (auto ec = llvm::sys::fs::createTemporaryFile("quant-model", "o",
                                                   objectPath))
    return fail("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeObject(objectPath);
  if (failed(emitObjectFile(*llvmModule, **machine, objectPath, error)))
    return fail(error);

  const char *envCC = std::getenv(aarch64 ? "QUANT_AARCH64_CC" : "QUANT_CC");
  std::string cc = envCC ? envCC : aarch64 ? "aarch64-linux-gnu-gcc"
                                           : QUANT_C_COMPILER;
  std::string runtimeDir = aarch64 ? QUANT_AARCH64_RUNTIME_DIR
                                   : QUANT_RUNTIME_DIR;
  if (runtimeDir.empty())
    return fail("this quant-compile was built without the AArch64 runtime: "
                "install gcc-aarch64-linux-gnu and g++-aarch64-linux-gnu, "
                "then reconfigure and rebuild (--emit=llvm works without)");
  std::string runtimeLib = runtimeDir + "/libquant_runtime.a";
  std::string driverLib = runtimeDir + "/libquant_driver.a";
  // OpenMP for the host's threaded code; AArch64 code is sequential. GPU
  // models link the CUDA runtime (before quant_runtime, whose allocator it
  // replaces) and open the driver with dlopen.
  std::vector<std::string> ompArgs;
  if (nvptx)
    ompArgs = {"-ldl", "-lpthread"};
  else if (!aarch64)
    ompArgs = {"-L" QUANT_OPENMP_LIBRARY_DIR,
               "-Wl,-rpath," QUANT_OPENMP_LIBRARY_DIR, "-lomp"};
  std::vector<std::string> runtimeLibs;
  if (nvptx)
    runtimeLibs.push_back(QUANT_CUDA_RUNTIME_LIB);
  runtimeLibs.push_back(runtimeLib);
  std::optional<std::string> linkError;
  // The model's object with the whole runtime, as one relocatable object.
  auto linkRelocatable = [&](const std::string &out) {
    std::vector<std::string> args = {"-r", "-o", out, objectPath.str().str(),
                                     "-Wl,--whole-archive"};
    llvm::append_range(args, runtimeLibs);
    llvm::append_range(args, std::vector<std::string>{
                                 "-Wl,--no-whole-archive", "-nostdlib"});
    return runTool(cc, args);
  };
  if (emit == "obj") {
    linkError = linkRelocatable(outputFile);
  } else if (emit == "lib") {
    SmallString<128> merged;
    llvm::sys::fs::createTemporaryFile("quant-merged", "o", merged);
    llvm::FileRemover removeMerged(merged);
    linkError = linkRelocatable(merged.str().str());
    if (!linkError) {
      llvm::sys::fs::remove(outputFile);
      linkError = runTool(aarch64 ? "aarch64-linux-gnu-ar" : "ar",
                          {"rcs", outputFile, merged.str().str()});
    }
  } else if (emit == "shared") {
    std::vector<std::string> args = {"-shared", "-o", outputFile,
                                     objectPath.str().str()};
    llvm::append_range(args, runtimeLibs);
    llvm::append_range(args, ompArgs);
    args.push_back("-lm");
    linkError = runTool(cc, args);
  } else {
    std::vector<std::string> args = {"-o", outputFile, objectPath.str().str(),
                                     driverLib};
    llvm::append_range(args, runtimeLibs);
    llvm::append_range(args, ompArgs);
    llvm::append_range(args, std::vector<std::string>{"-lstdc++", "-lm"});
    linkError = runTool(cc, args);
  }
  if (linkError)
    return fail(*linkError);

  // The header, next to the artifact: OUT.h with OUT's extension replaced.
  SmallString<128> headerPath(outputFile);
  llvm::sys::path::replace_extension(headerPath, "h");
  if (headerPath == outputFile)
    headerPath += ".h";
  auto header = openOutputFile(headerPath, &error);
  if (!header)
    return fail(error);
  header->os() << generateHeader(*signature, nvptx     ? "-ldl -lpthread -lm"
                                             : aarch64 ? "-lm"
                                                       : "-lomp -lm");
  header->keep();
  return 0;
}
