//===- ToolSupport.cpp - What every quant tool sets up --------------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/ToolSupport.h"

#include "quant/InitAll.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

void quant_compiler::installToolDiagnostics(MLIRContext &context,
                                            StringRef inputFile) {
  std::string file = inputFile.str();
  auto print = [file](Diagnostic &diag) {
    std::string where = file;
    Location loc = diag.getLocation();
    if (auto fused = dyn_cast<FusedLoc>(loc))
      if (!fused.getLocations().empty())
        loc = fused.getLocations().front();
    if (auto fileLoc = dyn_cast<FileLineColLoc>(loc))
      where = fileLoc.getLine() == 0
                  ? fileLoc.getFilename().str()
                  : (fileLoc.getFilename().str() + ":" +
                     std::to_string(fileLoc.getLine()) + ":" +
                     std::to_string(fileLoc.getColumn()));
    else if (auto nameLoc = dyn_cast<NameLoc>(loc))
      where = file + ": node '" + nameLoc.getName().str() + "'";
    StringRef kind = diag.getSeverity() == DiagnosticSeverity::Error ? "error"
                     : diag.getSeverity() == DiagnosticSeverity::Warning
                         ? "warning"
                         : "note";
    llvm::errs() << where << ": " << kind << ": " << diag.str() << "\n";
  };
  context.getDiagEngine().registerHandler([print](Diagnostic &diag) {
    print(diag);
    for (Diagnostic &note : diag.getNotes())
      print(note);
    return success();
  });
}

std::unique_ptr<MLIRContext>
quant_compiler::createToolContext(StringRef inputFile) {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllTranslations(registry);
  auto context = std::make_unique<MLIRContext>(registry);
  // Errors name the file and node; the op's generic form adds nothing a
  // user can act on.
  context->printOpOnDiagnostic(false);
  installToolDiagnostics(*context, inputFile);
  return context;
}
