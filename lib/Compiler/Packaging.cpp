//===- Packaging.cpp - A model's object file into a deployable artifact ---===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Compiler/Packaging.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cstdlib>
#include <optional>
#include <vector>

using namespace mlir;
using namespace mlir::quant_compiler;

/// Runs `program args...`; the error message on failure.
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
  int rc =
      llvm::sys::ExecuteAndWait(*path, argv, std::nullopt, {}, 0, 0, &error);
  if (rc == 0)
    return std::nullopt;
  std::string cmd;
  for (StringRef a : argv)
    cmd += a.str() + " ";
  return "link step failed (" +
         (error.empty() ? "exit " + std::to_string(rc) : error) + "): " + cmd;
}

namespace {
/// The toolchain and libraries of one target.
struct LinkSetup {
  std::string cc, ar;
  /// The runtime archives linked whole into objects and archives, first.
  std::vector<std::string> runtimeLibs;
  /// libquant_driver.a (executables).
  std::string driverLib;
  /// What shared libraries and executables link besides the runtime.
  std::vector<std::string> systemArgs;
  /// What a program linking an object or archive needs (for the header).
  std::string headerLinkFlags;
};
} // namespace

static FailureOr<LinkSetup> linkSetup(ArtifactTarget target,
                                      std::string &error) {
  bool aarch64 = target == ArtifactTarget::AArch64;
  bool nvptx = target == ArtifactTarget::Nvptx;
  LinkSetup s;
  const char *envCC = std::getenv(aarch64 ? "QUANT_AARCH64_CC" : "QUANT_CC");
  s.cc = envCC ? envCC : aarch64 ? "aarch64-linux-gnu-gcc" : QUANT_C_COMPILER;
  s.ar = aarch64 ? "aarch64-linux-gnu-ar" : "ar";
  std::string runtimeDir =
      aarch64 ? QUANT_AARCH64_RUNTIME_DIR : QUANT_RUNTIME_DIR;
  if (runtimeDir.empty()) {
    error = "this quant-compile was built without the AArch64 runtime: "
            "install gcc-aarch64-linux-gnu and g++-aarch64-linux-gnu, then "
            "reconfigure and rebuild (--emit=llvm works without)";
    return failure();
  }
  // GPU models link the CUDA runtime before quant_runtime, whose allocator
  // it replaces, and open the driver with dlopen.
  if (nvptx)
    s.runtimeLibs.push_back(QUANT_CUDA_RUNTIME_LIB);
  s.runtimeLibs.push_back(runtimeDir + "/libquant_runtime.a");
  s.driverLib = runtimeDir + "/libquant_driver.a";
  // OpenMP for the host's threaded code; AArch64 code is sequential.
  if (nvptx) {
    s.systemArgs = {"-ldl", "-lpthread"};
    s.headerLinkFlags = "-ldl -lpthread -lm";
  } else if (!aarch64) {
    s.systemArgs = {"-L" QUANT_OPENMP_LIBRARY_DIR,
                    "-Wl,-rpath," QUANT_OPENMP_LIBRARY_DIR, "-lomp"};
    s.headerLinkFlags = "-lomp -lm";
  } else {
    s.headerLinkFlags = "-lm";
  }
  return s;
}

/// The model's object with the whole runtime, as one relocatable object.
static std::optional<std::string>
linkRelocatable(const LinkSetup &s, StringRef objectPath, StringRef out) {
  std::vector<std::string> args = {"-r", "-o", out.str(), objectPath.str(),
                                   "-Wl,--whole-archive"};
  llvm::append_range(args, s.runtimeLibs);
  args.insert(args.end(), {"-Wl,--no-whole-archive", "-nostdlib"});
  return runTool(s.cc, args);
}

static std::optional<std::string> link(const LinkSetup &s, StringRef objectPath,
                                       StringRef out, ArtifactKind kind) {
  switch (kind) {
  case ArtifactKind::Object:
    return linkRelocatable(s, objectPath, out);
  case ArtifactKind::Archive: {
    SmallString<128> merged;
    if (auto ec =
            llvm::sys::fs::createTemporaryFile("quant-merged", "o", merged))
      return "cannot create a temporary file: " + ec.message();
    llvm::FileRemover removeMerged(merged);
    if (std::optional<std::string> error =
            linkRelocatable(s, objectPath, merged))
      return error;
    llvm::sys::fs::remove(out);
    return runTool(s.ar, {"rcs", out.str(), merged.str().str()});
  }
  case ArtifactKind::SharedLibrary: {
    std::vector<std::string> args = {"-shared", "-o", out.str(),
                                     objectPath.str()};
    llvm::append_range(args, s.runtimeLibs);
    llvm::append_range(args, s.systemArgs);
    args.push_back("-lm");
    return runTool(s.cc, args);
  }
  case ArtifactKind::Executable: {
    std::vector<std::string> args = {"-o", out.str(), objectPath.str(),
                                     s.driverLib};
    llvm::append_range(args, s.runtimeLibs);
    llvm::append_range(args, s.systemArgs);
    args.insert(args.end(), {"-lstdc++", "-lm"});
    return runTool(s.cc, args);
  }
  }
  llvm_unreachable("every artifact kind handled");
}

LogicalResult quant_compiler::packageModel(StringRef objectPath,
                                           StringRef outputFile,
                                           ArtifactKind kind,
                                           ArtifactTarget target,
                                           const ModelSignature &signature,
                                           std::string &error) {
  FailureOr<LinkSetup> setup = linkSetup(target, error);
  if (failed(setup))
    return failure();
  if (std::optional<std::string> linkError =
          link(*setup, objectPath, outputFile, kind)) {
    error = *linkError;
    return failure();
  }
  // The header, next to the artifact: OUT.h with OUT's extension replaced.
  SmallString<128> headerPath(outputFile);
  llvm::sys::path::replace_extension(headerPath, "h");
  if (headerPath == outputFile)
    headerPath += ".h";
  auto header = openOutputFile(headerPath, &error);
  if (!header)
    return failure();
  header->os() << generateHeader(signature, setup->headerLinkFlags);
  header->keep();
  return success();
}
