/*===- quant_driver.h - The command line of quant-run and executables ----===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 * `quant-run MODEL ARGS...` and an executable from `quant-compile
 * --emit=exe` share this driver, so their command lines are the same:
 *
 *   --input NAME=FILE   an input as .npy or ONNX TensorProto .pb (repeat per
 *                       input; a model with one input also takes FILE alone)
 *   --output-dir DIR    write each output as DIR/NAME.npy
 *   --bench N           time N runs after warm-up; print median/min/max
 *   --threads T         OpenMP threads (default 1)
 *
 * It depends on the C++ standard library only.
 *
 *===----------------------------------------------------------------------===*/

#ifndef QUANT_DRIVER_H
#define QUANT_DRIVER_H

#include "quant_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Runs the command line `args` (without the program and model arguments)
   against `model`; `program` names the tool in messages. Returns the exit
   code. */
int quant_driver_main(const char *program, const quant_model_info *model,
                      int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* QUANT_DRIVER_H */
