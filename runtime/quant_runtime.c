/*===- quant_runtime.c - Argument checking and descriptors ----------------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 * Linked into every artifact (and into quant-run for the JIT). Symbols are
 * weak so that programs linking several models get one copy.
 *
 *===----------------------------------------------------------------------===*/

#include "quant_runtime.h"
#include "quant_runtime_internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

/* Weak: sequential models (AArch64 artifacts, --no-threads) are linked
   without an OpenMP runtime, and then there are no threads to set. */
extern void omp_set_num_threads(int) __attribute__((weak));

__attribute__((weak)) const char *quant_status_string(int status) {
  switch (status) {
  case QUANT_OK:
    return "ok";
  case QUANT_ERROR_NULL_ARGUMENT:
    return "a required pointer argument is NULL";
  case QUANT_ERROR_BAD_SIZE:
    return "a buffer's byte size does not match the tensor";
  case QUANT_ERROR_ABI_MISMATCH:
    return "the model was compiled for another ABI version";
  case QUANT_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  case QUANT_ERROR_NO_DEVICE:
    return "no usable GPU or driver for a model compiled for one";
  case QUANT_ERROR_BAD_MODEL:
    return "the model's tensor description is inconsistent (a size that "
           "overflows or disagrees with its shape)";
  default:
    return "unknown status";
  }
}

__attribute__((weak)) void quant_set_num_threads(int n) {
  if (omp_set_num_threads)
    omp_set_num_threads(n < 1 ? 1 : n);
}

/* A memref descriptor of rank r is, on 64-bit targets, 3 + 2r words:
   allocated pointer, aligned pointer, offset, sizes[r], strides[r]. */
static void fill_descriptor(int64_t *desc, void *data,
                            const quant_tensor_info *info) {
  void **ptrs = (void **)desc;
  ptrs[0] = data;
  ptrs[1] = data;
  desc[2] = 0;
  int64_t stride = 1;
  for (int32_t d = info->rank - 1; d >= 0; --d) {
    desc[3 + d] = info->shape[d];
    desc[3 + info->rank + d] = stride;
    /* Only a tensor with a zero dim can overflow here (its byte size was
       checked): it addresses no element, so any stride will do. */
    if (__builtin_mul_overflow(stride, info->shape[d], &stride))
      stride = 0;
  }
}

/* Bytes per element of an ABI dtype; 0 for a code the ABI does not have. */
static uint64_t element_size(int32_t dtype) {
  switch (dtype) {
  case QUANT_DTYPE_FLOAT32:
  case QUANT_DTYPE_INT32:
    return 4;
  case QUANT_DTYPE_UINT8:
  case QUANT_DTYPE_INT8:
  case QUANT_DTYPE_BOOL:
    return 1;
  case QUANT_DTYPE_INT64:
    return 8;
  default:
    return 0;
  }
}

/* Whether `info` describes a tensor the descriptors can address: known
   dtype, rank 0..QUANT_MAX_RANK, dims >= 0, and num_bytes equal to
   product(shape) * element size formed without wrapping and at most
   2^63 - 1. The compiler only emits such descriptions; this keeps a
   hand-made or corrupted one from passing a wrapped size check. */
#define QUANT_MAX_RANK 64
static int describes_tensor(const quant_tensor_info *info) {
  uint64_t bytes = element_size(info->dtype);
  if (bytes == 0 || info->rank < 0 || info->rank > QUANT_MAX_RANK ||
      (info->rank > 0 && !info->shape))
    return 0;
  for (int32_t d = 0; d < info->rank; ++d) {
    if (info->shape[d] < 0 ||
        __builtin_mul_overflow(bytes, (uint64_t)info->shape[d], &bytes))
      return 0;
  }
  return bytes <= (uint64_t)INT64_MAX && bytes == info->num_bytes;
}

static int check(const quant_tensor_info *infos, uint32_t count,
                 const void *const *buffers, const size_t *bytes) {
  if (count == 0)
    return QUANT_OK;
  if (!infos)
    return QUANT_ERROR_BAD_MODEL;
  for (uint32_t i = 0; i < count; ++i)
    if (!describes_tensor(&infos[i]))
      return QUANT_ERROR_BAD_MODEL;
  if (!buffers || !bytes)
    return QUANT_ERROR_NULL_ARGUMENT;
  for (uint32_t i = 0; i < count; ++i) {
    if (bytes[i] != infos[i].num_bytes)
      return QUANT_ERROR_BAD_SIZE;
    if (!buffers[i] && infos[i].num_bytes != 0)
      return QUANT_ERROR_NULL_ARGUMENT;
  }
  return QUANT_OK;
}

__attribute__((weak)) int
quant_check_model_arguments(const quant_model_info *model,
                            const void *const *inputs,
                            const size_t *input_bytes, void *const *outputs,
                            const size_t *output_bytes) {
  if (!model)
    return QUANT_ERROR_NULL_ARGUMENT;
  if (model->abi_version != QUANT_ABI_VERSION)
    return QUANT_ERROR_ABI_MISMATCH;
  if (!model->entry)
    return QUANT_ERROR_BAD_MODEL;
  int status = check(model->inputs, model->num_inputs, inputs, input_bytes);
  if (status == QUANT_OK)
    status = check(model->outputs, model->num_outputs,
                   (const void *const *)outputs, output_bytes);
  return status;
}

/* Defined by quant_cuda_runtime.c in artifacts of GPU models. */
extern int quant_cuda_model_run(const quant_model_info *model,
                                const void *const *inputs,
                                const size_t *input_bytes,
                                void *const *outputs,
                                const size_t *output_bytes)
    __attribute__((weak));

__attribute__((weak)) int
quant_model_run(const quant_model_info *model, const void *const *inputs,
                const size_t *input_bytes, void *const *outputs,
                const size_t *output_bytes) {
  int status = quant_check_model_arguments(model, inputs, input_bytes, outputs,
                                           output_bytes);
  if (status != QUANT_OK)
    return status;
  if (model->flags & QUANT_MODEL_CUDA)
    return quant_cuda_model_run ? quant_cuda_model_run(model, inputs,
                                                       input_bytes, outputs,
                                                       output_bytes)
                                : QUANT_ERROR_NO_DEVICE;
  return quant_model_run_on_host(model, inputs, input_bytes, outputs,
                                 output_bytes);
}

__attribute__((weak)) int
quant_model_run_on_host(const quant_model_info *model,
                        const void *const *inputs, const size_t *input_bytes,
                        void *const *outputs, const size_t *output_bytes) {
  (void)input_bytes;
  (void)output_bytes;

  uint32_t n = model->num_inputs + model->num_outputs;
  size_t words = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const quant_tensor_info *info = i < model->num_inputs
                                        ? &model->inputs[i]
                                        : &model->outputs[i - model->num_inputs];
    words += 3 + 2 * (size_t)info->rank;
  }
  int64_t *storage = (int64_t *)malloc(words * sizeof(int64_t) + 1);
  void **args = (void **)malloc(n * sizeof(void *) + 1);
  if (!storage || !args) {
    free(storage);
    free(args);
    return QUANT_ERROR_OUT_OF_MEMORY;
  }
  int64_t *next = storage;
  for (uint32_t i = 0; i < n; ++i) {
    const quant_tensor_info *info;
    void *data;
    if (i < model->num_inputs) {
      info = &model->inputs[i];
      data = (void *)inputs[i];
    } else {
      info = &model->outputs[i - model->num_inputs];
      data = outputs[i - model->num_inputs];
    }
    fill_descriptor(next, data, info);
    args[i] = next;
    next += 3 + 2 * info->rank;
  }
  model->entry(args);
  free(storage);
  free(args);
  return QUANT_OK;
}

/*===----------------------------------------------------------------------===*
 * Scratch buffers of the generated code
 *
 * The lowering (finalize-memref-to-llvm with use-generic-functions) calls
 * these for every memref.alloc/dealloc. Blocks freed by a run are kept in a
 * small per-thread cache and handed out again to later allocations of a
 * similar size, so repeated runs do not pay for fresh pages (glibc maps
 * large blocks with mmap and unmaps them on free: a page fault per 4 KiB on
 * every run). The cache holds at most QUANT_CACHE_SLOTS blocks per thread;
 * quant_release_scratch() returns the calling thread's to the system, and
 * so does the end of the thread (thread_exit_release below), so that
 * programs that run models from short-lived threads do not leak each
 * thread's blocks.
 *===----------------------------------------------------------------------===*/

#define QUANT_CACHE_SLOTS 1024
#define QUANT_HEADER 64 /* bytes before each block: keeps 64-byte alignment */

typedef struct scratch_header {
  void *base;                 /* what the allocator returned */
  size_t size;                /* usable bytes after the header */
  void (*release)(void *);    /* how `base` is freed */
} scratch_header;

static _Thread_local scratch_header *scratch_cache[QUANT_CACHE_SLOTS];
static _Thread_local int scratch_cached;
/* Whether this thread has asked for its cache to be released at its end. */
static _Thread_local int scratch_release_registered;

/* Where blocks come from: posix_memalign, or a backend (CUDA managed
   memory for nvptx models, quant_cuda_runtime.c). */
static void *(*backend_alloc)(size_t);
static void (*backend_free)(void *);

__attribute__((weak)) void quant_use_scratch_allocator(void *(*alloc)(size_t),
                                                        void (*release)(void *)) {
  backend_alloc = alloc;
  backend_free = release;
}

static void block_free(scratch_header *h) { h->release(h->base); }

/* Frees the calling thread's cached blocks. Static, so that a thread-exit
   release reaches this copy's cache even where another copy of the runtime
   (another model's) interposes the public quant_release_scratch. */
static void release_cached_blocks(void) {
  while (scratch_cached > 0)
    block_free(scratch_cache[--scratch_cached]);
}

/* Releasing a thread's cache when the thread ends. glibc's
   __cxa_thread_atexit_impl (what C++ thread_local destructors use) runs
   the function at the thread's exit, and at exit() for the main thread,
   and keeps a dlopen'ed model loaded until every thread that registered
   has ended, so a dlclose cannot leave a destructor pointing at unmapped
   code. Where the C library lacks it, a pthread key destructor does the
   same for threads other than the main one. */
extern int __cxa_thread_atexit_impl(void (*fn)(void *), void *arg,
                                    void *dso_handle) __attribute__((weak));
extern void *__dso_handle;

static void thread_exit_release(void *unused) {
  (void)unused;
  release_cached_blocks();
  /* Blocks a later destructor frees start a new registration. */
  scratch_release_registered = 0;
}

static pthread_key_t release_key;
static pthread_once_t release_key_once = PTHREAD_ONCE_INIT;
static int release_key_made;
static void make_release_key(void) {
  release_key_made =
      pthread_key_create(&release_key, thread_exit_release) == 0;
}

static void register_thread_exit_release(void) {
  if (scratch_release_registered)
    return;
  scratch_release_registered = 1;
  if (__cxa_thread_atexit_impl) {
    __cxa_thread_atexit_impl(thread_exit_release, NULL, &__dso_handle);
    return;
  }
  pthread_once(&release_key_once, make_release_key);
  if (release_key_made)
    pthread_setspecific(release_key, (void *)1);
}

static void *scratch_alloc(size_t alignment, size_t size) {
  size_t offset = alignment > QUANT_HEADER ? alignment : QUANT_HEADER;
  if (alignment <= QUANT_HEADER) {
    /* Best fit among cached blocks no more than twice the request. */
    int best = -1;
    for (int i = 0; i < scratch_cached; ++i) {
      size_t have = scratch_cache[i]->size;
      if (have >= size && have / 2 <= size &&
          (best < 0 || have < scratch_cache[best]->size))
        best = i;
    }
    if (best >= 0) {
      scratch_header *h = scratch_cache[best];
      scratch_cache[best] = scratch_cache[--scratch_cached];
      return (char *)h + QUANT_HEADER;
    }
  }
  void *base = NULL;
  char *start;
  if (size > SIZE_MAX - 2 * offset)
    return NULL;
  if (backend_alloc) {
    /* Over-allocated by `offset` and aligned here. */
    if (!(base = backend_alloc(2 * offset + size)))
      return NULL;
    start = (char *)base +
            ((offset - (uintptr_t)base % offset) % offset);
  } else {
    if (posix_memalign(&base, offset, offset + size) != 0)
      return NULL;
    start = (char *)base;
  }
  scratch_header *h = (scratch_header *)(start + offset - QUANT_HEADER);
  h->base = base;
  h->release = backend_alloc ? backend_free : free;
  h->size = alignment <= QUANT_HEADER ? size : 0; /* 0: never reused */
  return start + offset;
}

void *_mlir_memref_to_llvm_alloc(size_t size) {
  return scratch_alloc(QUANT_HEADER, size);
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  return scratch_alloc(alignment, size);
}

void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  scratch_header *h = (scratch_header *)((char *)ptr - QUANT_HEADER);
  if (h->size == 0 || scratch_cached == QUANT_CACHE_SLOTS) {
    block_free(h);
    return;
  }
  register_thread_exit_release();
  scratch_cache[scratch_cached++] = h;
}

void quant_release_scratch(void) { release_cached_blocks(); }
