/*===- quant_runtime_internal.h - Between the runtime's parts -------------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 * Not part of the ABI: what quant_cuda_runtime.c uses of quant_runtime.c.
 *
 *===----------------------------------------------------------------------===*/

#ifndef QUANT_RUNTIME_INTERNAL_H
#define QUANT_RUNTIME_INTERNAL_H

#include "quant_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The argument checks of quant_model_run, alone. */
int quant_check_model_arguments(const quant_model_info *model,
                                const void *const *inputs,
                                const size_t *input_bytes,
                                void *const *outputs,
                                const size_t *output_bytes);

/* quant_model_run after its checks, for a model whose entry reads and
   writes the given buffers (CUDA models: managed copies of the caller's). */
int quant_model_run_on_host(const quant_model_info *model,
                            const void *const *inputs,
                            const size_t *input_bytes, void *const *outputs,
                            const size_t *output_bytes);

/* Later scratch blocks come from `alloc` and go back through `release`
   (blocks already cached keep their own allocator). */
void quant_use_scratch_allocator(void *(*alloc)(size_t),
                                 void (*release)(void *));

#ifdef __cplusplus
}
#endif

#endif /* QUANT_RUNTIME_INTERNAL_H */
