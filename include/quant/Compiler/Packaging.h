//===- Packaging.h - A model's object file into a deployable artifact -*- C++
//-*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// What quant-compile does after code generation: link the model's object
// with the runtime (runtime/) into a relocatable object, a static archive,
// a shared library or an executable, with the system's C compiler, and
// write the C header beside it.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_COMPILER_PACKAGING_H
#define QUANT_COMPILER_PACKAGING_H

#include "quant/Compiler/ModelCompiler.h"

#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::quant_compiler {

/// The artifact kinds packageModel makes.
enum class ArtifactKind {
  /// A relocatable object holding the model and the whole runtime.
  Object,
  /// A static archive of that object.
  Archive,
  /// A shared library.
  SharedLibrary,
  /// A program with quant-run's command line.
  Executable,
};

/// Where the model runs, which selects the runtime, the linker and the
/// libraries.
enum class ArtifactTarget { X86_64, AArch64, Nvptx };

/// Links `objectPath` (the model's code) with the runtime into `outputFile`
/// and writes the header beside it (OUT with its extension replaced by .h).
/// The C compiler is $QUANT_CC ($QUANT_AARCH64_CC for AArch64), else the
/// one quant was built with (aarch64-linux-gnu-gcc). `error` says what
/// failed.
LogicalResult packageModel(StringRef objectPath, StringRef outputFile,
                           ArtifactKind kind, ArtifactTarget target,
                           const ModelSignature &signature, std::string &error);

} // namespace mlir::quant_compiler

#endif // QUANT_COMPILER_PACKAGING_H
