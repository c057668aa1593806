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
// Parses the flags, imports (.onnx) or parses (.mlir) the model, runs the
// post-training quantization recipe (quant-ptq, lib/Pipelines), lowers the
// model with the named pipelines, translates to LLVM IR with the runtime ABI
// of runtime/quant_runtime.h attached, optimizes for --mcpu and packages
// the artifact (lib/Compiler/Packaging.cpp). Every step is a library call
// that quant-opt or a test can make too.
//
//===----------------------------------------------------------------------===//

#include "quant/Compiler/ModelCompiler.h"
#include "quant/Compiler/Packaging.h"
#include "quant/Export/OnnxExporter.h"
#include "quant/Pipelines/PtqPipeline.h"
#include "quant/ToolSupport.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace mlir::quant_compiler;
using mlir::qnt::CalibrationMethod;
using mlir::qnt::Granularity;
using mlir::qnt::Precision;
namespace cl = llvm::cl;

/// What --emit writes.
enum class Emit {
  Obj,
  Lib,
  Shared,
  Exe,
  Mlir,
  Llvm,
  Ptx,
  Onnx,
  State,
  Sensitivity,
  ReportMeasurement,
  ReportPending
};

static cl::OptionCategory category("quant-compile options");
static cl::opt<std::string> inputFile(cl::Positional,
                                      cl::desc("<model.onnx|model.mlir>"),
                                      cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("Output file (required)"),
                                       cl::value_desc("file"),
                                       cl::cat(category));
static cl::opt<Emit> emit(
    "emit", cl::desc("What to write"), cl::init(Emit::Shared),
    cl::values(
        clEnumValN(Emit::Obj, "obj", "relocatable object with the runtime"),
        clEnumValN(Emit::Lib, "lib", "static archive"),
        clEnumValN(Emit::Shared, "shared", "shared library"),
        clEnumValN(Emit::Exe, "exe",
                   "standalone program with quant-run's command line"),
        clEnumValN(Emit::Mlir, "mlir", "the qnt module that is compiled"),
        clEnumValN(Emit::Llvm, "llvm", "LLVM IR (the host code for nvptx)"),
        clEnumValN(Emit::Ptx, "ptx", "--target=nvptx: the GPU kernels"),
        clEnumValN(Emit::Onnx, "onnx",
                   "the qnt module as an ONNX model: with --precision=int8 "
                   "a QDQ model with quant's scales and zero points, for "
                   "ONNX Runtime"),
        clEnumValN(Emit::State, "calibration-state",
                   "what calibration observed on --calibration-data (a "
                   "shard of the samples), as JSON for "
                   "--calibration-state; stops after calibrating"),
        clEnumValN(Emit::Sensitivity, "sensitivity-table",
                   "--precision=mixed: the layers' measured sensitivities "
                   "(all, or --sensitivity-layers), as JSON for "
                   "--sensitivity-table; stops after measuring"),
        clEnumValN(Emit::ReportMeasurement, "report-measurement",
                   "--precision=int8: what the quantization report measures "
                   "on --report-data (a shard of the samples) with the "
                   "--report-float-layer layers float, as JSON for "
                   "--report-measurement; stops after measuring"),
        clEnumValN(Emit::ReportPending, "report-pending",
                   "with --accuracy-target: the sets of float layers the "
                   "search needs measured that --report-measurement does "
                   "not give (an empty list: complete), as JSON; stops "
                   "there")),
    cl::cat(category));
static cl::opt<ArtifactTarget> target(
    "target",
    cl::desc("Target architecture (Linux); aarch64 is cross-linked with "
             "aarch64-linux-gnu-gcc, or $QUANT_AARCH64_CC, single-threaded, "
             "and runs with qemu-aarch64-static -L /usr/aarch64-linux-gnu on "
             "an x86-64 host"),
    cl::init(ArtifactTarget::X86_64),
    cl::values(
        clEnumValN(ArtifactTarget::X86_64, "x86_64", "x86-64 CPUs"),
        clEnumValN(ArtifactTarget::AArch64, "aarch64", "AArch64 CPUs"),
        clEnumValN(ArtifactTarget::AArch64, "arm64", "the same as aarch64"),
        clEnumValN(ArtifactTarget::Nvptx, "nvptx",
                   "NVIDIA GPUs: kernels as PTX for --mcpu, x86-64 host code "
                   "that runs them through the CUDA driver")),
    cl::cat(category));
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
static cl::opt<Precision> precision(
    "precision",
    cl::desc("Numeric precision of the compiled model (int8, int4 and mixed "
             "need --calibration-data; the layers they do not quantize "
             "stay float behind quantize/dequantize; mixed chooses each "
             "layer's precision with qnt-allocate-bits from its measured "
             "sensitivity under --weight-bits-budget or --size-budget)"),
    cl::init(Precision::Fp32), mlir::qnt::precisionValues(), cl::cat(category));
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
static cl::opt<Granularity> granularity("granularity",
                                        cl::desc("int8 weight scales"),
                                        cl::init(Granularity::PerChannel),
                                        mlir::qnt::granularityValues(),
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
static cl::opt<bool>
    sequential("no-threads",
               cl::desc("Generate single-threaded code (no OpenMP)"),
               cl::cat(category));
static cl::opt<int64_t> vectorWidth(
    "vector-width",
    cl::desc("f32 SIMD lanes for tiling and vectorization (default: 16 "
             "when --mcpu has AVX-512F, else 8); 0 emits the scalar "
             "reference loops"),
    cl::init(-1), cl::cat(category));
static cl::opt<Int8Kernels> int8Kernels(
    "int8-kernels",
    cl::desc("How int8 convolutions, GEMMs and products of two int8 "
             "activations (attention) run: auto is the best microkernels "
             "--mcpu has (avx512vnni, avxvnni, avx2 on x86_64; i8mm, dotprod "
             "on aarch64; else generic); on nvptx auto is the int8 "
             "tensor-core kernels (mma.sync)"),
    cl::init(Int8Kernels::Auto), int8KernelsValues(), cl::cat(category));
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
static cl::opt<bool> int8Elementwise(
    "int8-elementwise",
    cl::desc("With --precision=int8 (default on): residual adds, products "
             "(a squeeze-excitation gate), concats and global average "
             "pools between int8 values run on int8 with rescaling, each "
             "on its calibrated grid, instead of "
             "dequantize, float op, quantize (docs/Numerics.md, \"Int8 "
             "element-wise ops\"); --int8-elementwise=false keeps them "
             "float"),
    cl::init(true), cl::cat(category));
static cl::opt<bool> equalizeActivations(
    "equalize-activations",
    cl::desc("With --precision=int8 and per-channel weights (default on): "
             "rescale the channels of every activation a depthwise conv "
             "reads, and of the layer output it is a function of, so that "
             "one int8 grid per tensor is each channel's own grid "
             "(qnt-equalize-activations; one more calibration run, on "
             "per-channel ranges; the float function is unchanged). Off "
             "with --calibration-state / --emit=calibration-state"),
    cl::init(true), cl::cat(category));
static cl::list<std::string> keepFloat(
    "keep-float",
    cl::desc("Keep these ONNX nodes' conv/gemm/matmul float when quantizing "
             "(comma-separated node names, as the report and errors name "
             "them)"),
    cl::value_desc("NODE,..."), cl::CommaSeparated, cl::cat(category));
static cl::opt<bool> adaRound(
    "adaround",
    cl::desc("AdaRound (qnt-adaround, --precision=int8|int4|mixed): each "
             "layer's weights are rounded up or down as minimizes its output "
             "error on the calibration data, instead of to nearest; with "
             "--bias-correction the bias also absorbs the mean error. Prints "
             "one line per layer (error before -> after)"),
    cl::cat(category));
static cl::opt<int64_t>
    adaRoundIterations("adaround-iterations",
                       cl::desc("Optimizer steps per layer for --adaround"),
                       cl::init(500), cl::cat(category));
static cl::opt<qnt::Activations> activations(
    "activations",
    cl::desc("--precision=int8: static (scales from --calibration-data) or "
             "dynamic (every gemm/matmul quantizes its input at run time "
             "from its own range, int8 weights, float result; no "
             "calibration data; convs and the rest stay float)"),
    cl::init(qnt::Activations::Static), qnt::activationsValues(),
    cl::cat(category));
static cl::opt<qnt::DynamicScaling> dynamicScaling(
    "dynamic-scaling",
    cl::desc("--activations=dynamic: how the input scales are chosen"),
    cl::init(qnt::DynamicScaling::per_token_absmax),
    qnt::dynamicScalingValues(), cl::cat(category));
static cl::opt<qnt::WeightAlgorithm> weightAlgorithm(
    "weight-algorithm",
    cl::desc("How the weights of the quantized layers (--precision=int8, "
             "int4 or mixed) are rounded onto their grids; gptq prints one "
             "line per layer (output error before -> after)"),
    cl::init(qnt::WeightAlgorithm::Rtn), qnt::weightAlgorithmValues(),
    cl::cat(category));
static cl::opt<bool> gptqActOrder(
    "gptq-act-order",
    cl::desc("--weight-algorithm=gptq: quantize the most active input "
             "features of each layer first (act-order)"),
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

static cl::opt<std::string> report(
    "report",
    cl::desc("Quantization debugger (qnt-quant-report, --precision=int8): "
             "for every int8 layer, its output SQNR with only it int8 and "
             "with every layer up to it int8, its grids, clipped and "
             "saturated fractions, written to DIR/report.json and "
             "DIR/report.md (sorted by harm); utils/plot_quant_report.py "
             "draws DIR/report.png"),
    cl::value_desc("DIR"), cl::cat(category));
static cl::opt<double> accuracyTarget(
    "accuracy-target",
    cl::desc("Accuracy-driven fallback for --precision=int8: while the model "
             "outputs' SQNR against float on the report samples "
             "(--report-data, default --calibration-data) is below DB, the "
             "layer that loses most alone (qnt-quant-report) stays float; "
             "prints each layer it keeps and why"),
    cl::value_desc("DB"), cl::init(0.0), cl::cat(category));
static cl::opt<std::string> reportData(
    "report-data",
    cl::desc("Samples --report measures on (default: --calibration-data)"),
    cl::value_desc("DIR"), cl::cat(category));
static cl::opt<unsigned> reportSamples(
    "report-samples",
    cl::desc("--report and --accuracy-target measure at most N samples, in "
             "file-name order (0: all)"),
    cl::init(16), cl::cat(category));
static cl::list<std::string> reportMeasurements(
    "report-measurement",
    cl::desc("Measurements (--emit=report-measurement files, e.g. one per "
             "shard of the report samples and set of float layers) that "
             "--report and --accuracy-target use instead of measuring; "
             "shards of one set merge exactly"),
    cl::value_desc("FILE,..."), cl::CommaSeparated, cl::cat(category));
static cl::list<std::string> reportFloatLayers(
    "report-float-layer",
    cl::desc("With --emit=report-measurement: keep this layer (its ONNX "
             "node name, as the report names it) float; repeatable"),
    cl::value_desc("NAME"), cl::cat(category));

static cl::OptionCategory calibrationCategory(
    "calibration (ranges for quantization, written into the IR)");
static cl::opt<std::string> calibrationData(
    "calibration-data",
    cl::desc("Calibrate activation ranges on this folder of .npy samples "
             "(DIR/*.npy, or DIR/<input>/*.npy for several inputs); "
             "--emit=mlir shows the ranges"),
    cl::value_desc("DIR"), cl::cat(calibrationCategory));
static cl::opt<CalibrationMethod>
    calibrationMethod("calibration-method",
                      cl::desc("How ranges are chosen from what was observed"),
                      cl::init(CalibrationMethod::MinMax),
                      mlir::qnt::calibrationMethodValues(),
                      cl::cat(calibrationCategory));
static cl::opt<double> calibrationPercentile(
    "calibration-percentile",
    cl::desc("Upper percentile for --calibration-method=percentile"),
    cl::init(99.99), cl::cat(calibrationCategory));
static cl::opt<unsigned> calibrationSamples(
    "calibration-samples",
    cl::desc("Use at most N samples, in file-name order (0: all)"), cl::init(0),
    cl::cat(calibrationCategory));

static cl::list<std::string> calibrationStates(
    "calibration-state",
    cl::desc("Merge these calibration states (--emit=calibration-state "
             "files, one per shard of samples) into the final calibration, "
             "with or instead of --calibration-data: the ranges equal one "
             "run over all the shards' samples"),
    cl::value_desc("FILE,..."), cl::CommaSeparated,
    cl::cat(calibrationCategory));

static cl::list<std::string> sensitivityTables(
    "sensitivity-table",
    cl::desc("--precision=mixed: allocate from these sensitivity tables "
             "(--emit=sensitivity-table files, e.g. one per shard of "
             "layers) instead of measuring; together they cover every "
             "layer once"),
    cl::value_desc("FILE,..."), cl::CommaSeparated,
    cl::cat(calibrationCategory));
static cl::list<int64_t> sensitivityLayers(
    "sensitivity-layers",
    cl::desc("With --emit=sensitivity-table: measure only these layers "
             "(indices as the allocation table numbers them from 0)"),
    cl::value_desc("I,..."), cl::CommaSeparated, cl::cat(calibrationCategory));

static cl::opt<std::string> sensitivityShard(
    "sensitivity-shard",
    cl::desc("With --emit=sensitivity-table: K/N measures layers K, K+N, "
             "K+2N, ... (shard K of N, round-robin)"),
    cl::value_desc("K/N"), cl::cat(calibrationCategory));

static int fail(const Twine &message) {
  llvm::errs() << "quant-compile: error: " << message << "\n";
  return 1;
}

/// The recipe the flags ask for.
static void fillPtqOptions(qnt::PtqPipelineOptions &options) {
  options.data = calibrationData;
  options.method = calibrationMethod;
  options.percentile = calibrationPercentile;
  options.samples = calibrationSamples;
  SmallVector<std::string> states(calibrationStates.begin(),
                                  calibrationStates.end());
  options.calibrationStates = ArrayRef<std::string>(states);
  SmallVector<std::string> tables(sensitivityTables.begin(),
                                  sensitivityTables.end());
  options.sensitivityTables = ArrayRef<std::string>(tables);
  SmallVector<int64_t> layers(sensitivityLayers.begin(),
                              sensitivityLayers.end());
  options.sensitivityLayers = ArrayRef<int64_t>(layers);
  SmallVector<int64_t> shard;
  if (!sensitivityShard.empty()) {
    // "K/N"; anything else becomes the invalid [-1, 0] the pass reports.
    auto [k, n] = StringRef(sensitivityShard).split('/');
    int64_t kv = -1, nv = 0;
    if (k.getAsInteger(10, kv) || n.getAsInteger(10, nv))
      kv = -1, nv = 0;
    shard = {kv, nv};
  }
  options.sensitivityShard = ArrayRef<int64_t>(shard);
  if (emit == Emit::Sensitivity)
    options.sensitivityTableOut = outputFile;
  if (emit == Emit::State) {
    options.calibrationStateOut = outputFile;
    options.calibrateOnly = true;
  }
  options.precision = precision;
  options.granularity = granularity;
  options.groupSize = groupSize;
  options.weightBitsBudget = weightBitsBudget;
  options.sizeBudget = sizeBudget;
  options.cle = crossLayerEqualize;
  options.biasCorrection = biasCorrection;
  options.adaRound = adaRound;
  SmallVector<std::string> kept(keepFloat.begin(), keepFloat.end());
  options.keepFloat = ArrayRef<std::string>(kept);
  options.int8Elementwise = int8Elementwise;
  options.equalizeActivations = equalizeActivations;
  options.adaRoundIterations = adaRoundIterations;
  options.weightAlgorithm = weightAlgorithm;
  options.activations = activations;
  options.dynamicScaling = dynamicScaling;
  options.gptqActOrder = gptqActOrder;
  options.report = report;
  options.reportData = reportData;
  options.accuracyTarget = accuracyTarget;
  options.reportSamples = reportSamples;
  SmallVector<std::string> measurements(reportMeasurements.begin(),
                                        reportMeasurements.end());
  options.reportMeasurements = ArrayRef<std::string>(measurements);
  SmallVector<std::string> floatLayers(reportFloatLayers.begin(),
                                       reportFloatLayers.end());
  options.reportFloatLayers = ArrayRef<std::string>(floatLayers);
  if (emit == Emit::ReportMeasurement)
    options.reportMeasurementOut = outputFile;
  if (emit == Emit::ReportPending)
    options.reportPendingOut = outputFile;
  if (smoothQuant.getNumOccurrences())
    options.smoothQuant =
        smoothQuant.empty() ? std::string("0.5") : smoothQuant.getValue();
}

/// Why the flags do not make a job (in the flags' own words), or "".
static std::string checkTargetFlags() {
  bool nvptx = target == ArtifactTarget::Nvptx;
  if (emit == Emit::Ptx && !nvptx)
    return "--emit=ptx needs --target=nvptx";
  if (vectorWidth < -1)
    return "--vector-width must be 0 (scalar) or a lane count";
  if (!nvptx)
    return "";
  std::string chipError;
  if (!isSupportedGpuChip(mcpu.empty() ? "sm_80" : mcpu.getValue(), chipError))
    return chipError;
  if (int8Kernels != Int8Kernels::Auto && int8Kernels != Int8Kernels::Reference)
    return ("--int8-kernels=" + stringifyInt8Kernels(int8Kernels) +
            " is a CPU instruction set; --target=nvptx takes auto (tensor "
            "cores) or reference")
        .str();
  bool artifact = emit == Emit::Obj || emit == Emit::Lib ||
                  emit == Emit::Shared || emit == Emit::Exe;
  if (!std::string(QUANT_CUDA_RUNTIME_LIB).size() && artifact)
    return "this quant-compile was built without the CUDA runtime (no cuda.h "
           "was found): --target=nvptx can emit ptx, llvm and mlir only";
  return "";
}

/// The quant-ptq recipe's flags in quant-compile's words.
static std::string toFlagWords(std::string problem) {
  for (auto [from, to] :
       {std::pair<StringRef, StringRef>{"needs calibration data",
                                        "needs --calibration-data DIR"},
        {"precision=", "--precision="},
        {"weight-bits-budget=", "--weight-bits-budget="},
        {"size-budget=", "--size-budget="},
        {"weight-bits-budget and size-budget",
         "--weight-bits-budget and --size-budget"},
        {"group-size", "--group-size"},
        {"bias correction", "--bias-correction"},
        {"activations=dynamic", "--activations=dynamic"},
        {"dynamic-scaling", "--dynamic-scaling"},
        {"takes no calibration data", "takes no --calibration-data"},
        {"takes no calibration states", "takes no --calibration-state"},
        {"calibrate-only needs samples (data)",
         "--emit=calibration-state needs --calibration-data"},
        {"give data too", "give --calibration-data too"},
        {"sensitivity-layers and sensitivity-shard measure a shard of the "
         "sweep: they need sensitivity-table-out",
         "--sensitivity-layers and --sensitivity-shard measure a shard of "
         "the sweep: they need --emit=sensitivity-table"},
        {"sensitivity-tables allocates from measured tables and "
         "sensitivity-table-out measures one: give one",
         "--sensitivity-table allocates from measured tables and "
         "--emit=sensitivity-table measures one: give one"},
        {"statistics; cle,", "statistics; --cle,"},
        {", precision=mixed, report and accuracy-target run",
         ", --precision=mixed, --report and --accuracy-target run"},
        {"(calibration-states replaces", "(--calibration-state replaces"},
        {"weight-algorithm=", "--weight-algorithm="},
        {"gptq-act-order", "--gptq-act-order"},
        {"adaround-iterations", "--adaround-iterations"},
        {"adaround", "--adaround"},
        {"smoothquant", "--smoothquant"},
        {"report-data needs report", "--report-data needs --report"},
        {"report-float-layers says what one report measurement keeps float: "
         "it needs report-measurement-out",
         "--report-float-layer says what one report measurement keeps "
         "float: it needs --emit=report-measurement"},
        {"report-measurement-out makes one measurement: give it without "
         "report, accuracy-target, report-measurements or "
         "report-pending-out",
         "--emit=report-measurement makes one measurement: give it without "
         "--report, --accuracy-target or --report-measurement"},
        {"report-measurements and report-pending-out serve the report: "
         "they need report or accuracy-target",
         "--report-measurement and --emit=report-pending serve the report: "
         "they need --report or --accuracy-target"},
        {"report and accuracy-target", "--report and --accuracy-target"},
        {"or accuracy-target", "or --accuracy-target"},
        {"accuracy-target must", "--accuracy-target must"}}) {
    size_t at = problem.find(from.str());
    if (at != std::string::npos)
      problem.replace(at, from.size(), to.str());
  }
  return problem;
}

/// Writes `module` as MLIR text or an ONNX model to -o.
static int writeModule(ModuleOp module) {
  std::string error;
  auto out = openOutputFile(outputFile, &error);
  if (!out)
    return fail(error);
  if (emit == Emit::Mlir)
    module->print(out->os());
  else if (failed(qnt::exportOnnxModel(module, out->os())))
    return 1;
  out->keep();
  return 0;
}

/// Fails unless -o can be written (before the slow compilation).
static int checkWritable() {
  std::error_code ec;
  bool existed = llvm::sys::fs::exists(outputFile);
  llvm::raw_fd_ostream probe(outputFile, ec, llvm::sys::fs::OF_Append);
  if (ec)
    return fail("cannot write " + outputFile + ": " + ec.message());
  if (!existed)
    llvm::sys::fs::remove(outputFile);
  return 0;
}

/// Writes `text` (PTX, LLVM IR) to -o.
template <typename Print>
static int writeText(Print print) {
  std::string error;
  auto out = openOutputFile(outputFile, &error);
  if (!out)
    return fail(error);
  print(out->os());
  out->keep();
  return 0;
}

/// Lowers `module` (prepared as `signature`) for the target and writes PTX,
/// or returns the optimized LLVM module.
static std::unique_ptr<llvm::Module>
lowerAndTranslate(ModuleOp module, const ModelSignature &signature,
                  llvm::TargetMachine &machine, llvm::LLVMContext &llvmContext,
                  int &status) {
  bool nvptx = target == ArtifactTarget::Nvptx;
  std::string error;
  status = 1;
  if (nvptx) {
    std::string chip = mcpu.empty() ? std::string("sm_80") : mcpu.getValue();
    if (failed(
            lowerModelToNvptx(module, chip, int8Kernels == Int8Kernels::Auto)))
      return nullptr;
  } else {
    FailureOr<Int8Kernels> kernels =
        resolveInt8Kernels(machine, int8Kernels, error);
    if (failed(kernels)) {
      status = fail(error);
      return nullptr;
    }
    int64_t lanes =
        vectorWidth >= 0 ? vectorWidth : defaultVectorWidth(machine);
    // AArch64 artifacts are single-threaded: there is no AArch64 OpenMP
    // runtime to link them with here (Debian's cross toolchain has libgomp,
    // whose ABI is not the __kmpc_* one LLVM's OpenMP lowering calls).
    bool parallel = !sequential && target != ArtifactTarget::AArch64;
    if (failed(lowerModelToLLVMDialect(module, parallel, lanes, *kernels)))
      return nullptr;
  }
  if (emit == Emit::Ptx) {
    FailureOr<std::string> ptx = collectPtx(module);
    if (succeeded(ptx))
      status = writeText([&](raw_ostream &os) { os << *ptx; });
    return nullptr;
  }
  std::unique_ptr<llvm::Module> llvmModule =
      translateModelToLLVMIR(module, llvmContext, signature, nvptx);
  if (!llvmModule) {
    status = fail("translation to LLVM IR failed");
    return nullptr;
  }
  if (!nvptx && failed(linkKernelLibrary(*llvmModule, machine, error))) {
    status = fail(error);
    return nullptr;
  }
  if (emit == Emit::Exe)
    addExecutableMain(*llvmModule, signature);
  if (failed(optimizeModule(*llvmModule, machine))) {
    status = fail("LLVM optimization failed");
    return nullptr;
  }
  status = 0;
  return llvmModule;
}

/// Code generation and packaging of a (quantized or float) qnt module.
static int compileModule(ModuleOp module) {
  std::string stem = llvm::sys::path::stem(outputFile).str();
  std::string name = makeModelName(modelName.empty() ? stem : modelName);
  if (!modelName.empty() && name != modelName)
    return fail("--name=" + modelName +
                " is not usable as a C symbol prefix (" +
                "letters, digits and '_', not starting with a digit or " +
                "'quant_'); try --name=" + name);
  if (int status = checkWritable())
    return status;
  bool nvptx = target == ArtifactTarget::Nvptx;
  // GPU models: x86-64 host code for any x86-64 CPU.
  std::string triple = *cpuTargetTriple(
      target == ArtifactTarget::AArch64 ? "aarch64" : "x86_64");
  std::string error;
  auto machine =
      createCpuTargetMachine(triple, nvptx ? "x86-64" : mcpu.getValue(), error);
  if (failed(machine))
    return fail(error);
  FailureOr<ModelSignature> signature = prepareModelEntry(module, name);
  if (failed(signature))
    return 1;
  llvm::LLVMContext llvmContext;
  int status = 0;
  std::unique_ptr<llvm::Module> llvmModule =
      lowerAndTranslate(module, *signature, **machine, llvmContext, status);
  if (!llvmModule)
    return status;
  if (emit == Emit::Llvm)
    return writeText([&](raw_ostream &os) { llvmModule->print(os, nullptr); });

  // The model's object file, then packaging with the runtime.
  SmallString<128> objectPath;
  if (auto ec =
          llvm::sys::fs::createTemporaryFile("quant-model", "o", objectPath))
    return fail("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeObject(objectPath);
  if (failed(emitObjectFile(*llvmModule, **machine, objectPath, error)))
    return fail(error);
  ArtifactKind kind = emit == Emit::Obj   ? ArtifactKind::Object
                      : emit == Emit::Lib ? ArtifactKind::Archive
                      : emit == Emit::Exe ? ArtifactKind::Executable
                                          : ArtifactKind::SharedLibrary;
  if (failed(packageModel(objectPath, outputFile, kind, target, *signature,
                          error)))
    return fail(error);
  return 0;
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
  qnt::PtqPipelineOptions ptq;
  fillPtqOptions(ptq);
  std::string problem = toFlagWords(qnt::checkPtqOptions(ptq));
  if (problem.empty())
    problem = checkTargetFlags();
  if (!problem.empty())
    return fail(problem);

  std::unique_ptr<MLIRContext> context = createToolContext(inputFile);
  OwningOpRef<ModuleOp> module =
      loadModelFile(context.get(), inputFile, inputShapes);
  if (!module)
    return 1;
  PassManager pm(context.get());
  qnt::buildPtqPipeline(pm, ptq);
  if (failed(pm.run(*module)))
    return 1;
  if (emit == Emit::State || emit == Emit::Sensitivity ||
      emit == Emit::ReportMeasurement || emit == Emit::ReportPending)
    return 0; // qnt-calibrate, qnt-allocate-bits or qnt-quant-report wrote -o.
  if (emit == Emit::Mlir || emit == Emit::Onnx)
    return writeModule(*module);
  return compileModule(*module);
}
