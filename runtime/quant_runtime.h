/*===- quant_runtime.h - The C ABI of models compiled by quant ------------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 * Every artifact quant-compile writes (object, archive, shared library,
 * executable) exposes one model through this ABI. The generated model header
 * (`quant-compile --emit=... -o model.o` also writes `model.h`) includes the
 * same declarations, so a program needs only that header and the artifact.
 *
 * ABI version 1:
 *   - `NAME_info()` describes the model: input and output names, element
 *     types (ONNX TensorProto codes), shapes and byte sizes.
 *   - `NAME_run(inputs, input_bytes, outputs, output_bytes)` runs it on
 *     caller-owned, dense, row-major buffers and returns a quant_status. It
 *     checks every count and byte size first and never aborts on a wrong
 *     argument. It is re-entrant: scratch memory is per call, taken from
 *     a small per-thread cache of blocks earlier runs on the same thread
 *     freed (at most 1024 blocks; `quant_release_scratch()` empties it, and
 *     so does the end of the thread). Runs from several threads at once,
 *     each with its own buffers, are independent.
 *   - `quant_set_num_threads(n)` sets the OpenMP threads used by later runs
 *     from the calling thread. Without it OpenMP's default applies
 *     (OMP_NUM_THREADS, else one thread per core).
 *
 *===----------------------------------------------------------------------===*/

#ifndef QUANT_RUNTIME_H
#define QUANT_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QUANT_ABI_VERSION 1

typedef enum quant_status {
  QUANT_OK = 0,
  QUANT_ERROR_NULL_ARGUMENT = 1, /* a model, buffer or size pointer is NULL */
  QUANT_ERROR_BAD_SIZE = 2,      /* a buffer's byte size is not the tensor's */
  QUANT_ERROR_ABI_MISMATCH = 3,  /* the model was built for another ABI */
  QUANT_ERROR_OUT_OF_MEMORY = 4,
  QUANT_ERROR_NO_DEVICE = 5, /* compiled for a GPU: no driver or no device */
  QUANT_ERROR_BAD_MODEL = 6  /* a tensor description is inconsistent: its
                                num_bytes is not product(shape) * element
                                size, or that product exceeds 2^63 - 1 */
} quant_status;

/* Element types use the ONNX TensorProto.DataType codes. */
typedef enum quant_dtype {
  QUANT_DTYPE_FLOAT32 = 1,
  QUANT_DTYPE_UINT8 = 2, /* ONNX uint8: the model computes on its bits */
  QUANT_DTYPE_INT8 = 3,
  QUANT_DTYPE_INT32 = 6,
  QUANT_DTYPE_INT64 = 7,
  QUANT_DTYPE_BOOL = 9
} quant_dtype;

typedef struct quant_tensor_info {
  const char *name;     /* the ONNX value name */
  int32_t dtype;        /* a quant_dtype */
  int32_t rank;
  const int64_t *shape; /* rank dims */
  uint64_t num_bytes;   /* product(shape) * element size */
} quant_tensor_info;

/* quant_model_info.flags: the model's kernels run on an NVIDIA GPU
   (--target=nvptx); quant_model_run stages the buffers through the CUDA
   runtime linked into the artifact. */
#define QUANT_MODEL_CUDA 1u

typedef struct quant_model_info {
  uint32_t abi_version; /* QUANT_ABI_VERSION of the compiler that built it */
  uint32_t num_inputs;
  uint32_t num_outputs;
  uint32_t flags;       /* QUANT_MODEL_* bits */
  const char *name;
  const quant_tensor_info *inputs;
  const quant_tensor_info *outputs;
  /* The compiled function: one memref descriptor pointer per input, then
     per output. Call it through quant_model_run, which builds them. */
  void (*entry)(void **descriptors);
} quant_model_info;

/* Runs `model`: checks the counts' buffers and byte sizes, then computes. */
int quant_model_run(const quant_model_info *model, const void *const *inputs,
                    const size_t *input_bytes, void *const *outputs,
                    const size_t *output_bytes);

/* The number of threads later runs use (OpenMP); n < 1 means 1. */
void quant_set_num_threads(int n);

/* Frees the scratch blocks cached for the calling thread (the memory later
 * runs on this thread would otherwise reuse). */
void quant_release_scratch(void);

/* A short English description of a quant_status. */
const char *quant_status_string(int status);

#ifdef __cplusplus
}
#endif

#endif /* QUANT_RUNTIME_H */
