/*===- quant_cuda_runtime.c - Running nvptx models on the CUDA driver -----===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 * Linked (before quant_runtime) into artifacts built with --target=nvptx.
 * It provides:
 *   - the mgpu* functions MLIR's gpu-to-llvm lowering calls (module loading
 *     from the embedded PTX, kernel launches, streams);
 *   - managed-memory scratch blocks for the generated code, through
 *     quant_runtime.c's scratch cache (host code may touch a buffer between
 *     two kernels, so every buffer is reachable from both sides);
 *   - quant_cuda_constant(): a device copy of a weight constant, made once;
 *   - quant_cuda_model_run(): what quant_model_run calls for a model with
 *     the QUANT_MODEL_CUDA flag, after checking the arguments. It stages
 *     the caller's buffers through managed memory and returns
 *     QUANT_ERROR_NO_DEVICE, with the reason on stderr, where there is no
 *     driver or no GPU.
 *
 * With QUANT_CUDA_PROFILE=1 in the environment, each kernel's launches
 * are timed (wall clock from launch to the end of its stream's
 * synchronization; one thread's runs at a time) and a table goes to stderr
 * at exit, the slowest kernel first. Kernels outlined from different ops
 * can share a name (NAME_impl_kernel, each in its own module): their rows
 * are separate.
 *
 * MLIR's own CUDA wrappers (libmlir_cuda_runtime) are not in Debian's
 * packages, link libcuda directly and abort on errors; these are written for
 * artifacts that must start without a driver.
 *
 * The driver is opened with dlopen (libcuda.so.1, or $QUANT_CUDA_DRIVER), so
 * an artifact starts, and fails cleanly, on a machine without one. Types
 * come from the toolkit's cuda.h. Launches are synchronous (gpu-to-llvm
 * synchronizes each launch's stream), so host code after a launch sees its
 * results.
 *
 *===----------------------------------------------------------------------===*/

#include "quant_runtime.h"
#include "quant_runtime_internal.h"

#include <cuda.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The driver entry points, by their versioned names. */
#define QUANT_CUDA_FUNCTIONS(X)                                               \
  X(cuInit, "cuInit", CUresult, (unsigned))                                   \
  X(cuDeviceGetCount, "cuDeviceGetCount", CUresult, (int *))                  \
  X(cuDeviceGet, "cuDeviceGet", CUresult, (CUdevice *, int))                  \
  X(cuDeviceGetAttribute, "cuDeviceGetAttribute", CUresult,                  \
    (int *, CUdevice_attribute, CUdevice))                                    \
  X(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain", CUresult,           \
    (CUcontext *, CUdevice))                                                  \
  X(cuCtxSetCurrent, "cuCtxSetCurrent", CUresult, (CUcontext))                \
  X(cuCtxSynchronize, "cuCtxSynchronize", CUresult, (void))                   \
  X(cuGetErrorString, "cuGetErrorString", CUresult, (CUresult, const char **)) \
  X(cuMemAllocManaged, "cuMemAllocManaged", CUresult,                        \
    (CUdeviceptr *, size_t, unsigned))                                        \
  X(cuMemFree, "cuMemFree_v2", CUresult, (CUdeviceptr))                       \
  X(cuModuleLoadData, "cuModuleLoadData", CUresult, (CUmodule *, const void *)) \
  X(cuModuleLoadDataEx, "cuModuleLoadDataEx", CUresult,                       \
    (CUmodule *, const void *, unsigned, CUjit_option *, void **))            \
  X(cuModuleUnload, "cuModuleUnload", CUresult, (CUmodule))                   \
  X(cuModuleGetFunction, "cuModuleGetFunction", CUresult,                     \
    (CUfunction *, CUmodule, const char *))                                   \
  X(cuLaunchKernel, "cuLaunchKernel", CUresult,                               \
    (CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,  \
     unsigned, CUstream, void **, void **))                                   \
  X(cuStreamCreate, "cuStreamCreate", CUresult, (CUstream *, unsigned))       \
  X(cuStreamSynchronize, "cuStreamSynchronize", CUresult, (CUstream))

static struct {
#define QUANT_CUDA_FIELD(field, symbol, result, params) result(*field) params;
  QUANT_CUDA_FUNCTIONS(QUANT_CUDA_FIELD)
#undef QUANT_CUDA_FIELD
} cu;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int driver_ready;         /* 1 once a context is current */
static char driver_error[512];   /* why not, otherwise */
static CUcontext context;
static CUstream stream;          /* every launch's, shared */

static const char *cuda_error(CUresult r) {
  const char *text = NULL;
  if (cu.cuGetErrorString && cu.cuGetErrorString(r, &text) == CUDA_SUCCESS &&
      text)
    return text;
  return "unknown CUDA error";
}

static void initialize(void) {
  const char *path = getenv("QUANT_CUDA_DRIVER");
  if (!path || !*path)
    path = "libcuda.so.1";
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    snprintf(driver_error, sizeof driver_error,
             "cannot load the CUDA driver %s (%s): this model was compiled "
             "for --target=nvptx and needs an NVIDIA GPU and its driver",
             path, dlerror());
    return;
  }
#define QUANT_CUDA_LOOKUP(field, symbol, result, params)                      \
  *(void **)&cu.field = dlsym(handle, symbol);                                \
  if (!cu.field) {                                                            \
    snprintf(driver_error, sizeof driver_error,                               \
             "the CUDA driver %s has no %s (too old a driver?)", path,        \
             symbol);                                                         \
    return;                                                                   \
  }
  QUANT_CUDA_FUNCTIONS(QUANT_CUDA_LOOKUP)
#undef QUANT_CUDA_LOOKUP
  CUresult r = cu.cuInit(0);
  int count = 0;
  if (r == CUDA_SUCCESS)
    r = cu.cuDeviceGetCount(&count);
  if (r != CUDA_SUCCESS || count == 0) {
    snprintf(driver_error, sizeof driver_error,
             "no CUDA device is available (%s)",
             r != CUDA_SUCCESS ? cuda_error(r) : "the driver sees no GPU");
    return;
  }
  CUdevice device;
  if ((r = cu.cuDeviceGet(&device, 0)) != CUDA_SUCCESS ||
      (r = cu.cuDevicePrimaryCtxRetain(&context, device)) != CUDA_SUCCESS ||
      (r = cu.cuCtxSetCurrent(context)) != CUDA_SUCCESS ||
      (r = cu.cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING)) !=
          CUDA_SUCCESS) {
    snprintf(driver_error, sizeof driver_error,
             "cannot set up CUDA device 0: %s", cuda_error(r));
    return;
  }
  driver_ready = 1;
}

/* Whether the driver and device 0 are usable from the calling thread. */
static int ensure_driver(void) {
  pthread_once(&init_once, initialize);
  if (!driver_ready)
    return 0;
  cu.cuCtxSetCurrent(context);
  return 1;
}

/* A CUDA call inside a run cannot report an error through the generated
   code: it ends the program with the reason. */
static void check(CUresult r, const char *what) {
  if (r == CUDA_SUCCESS)
    return;
  fprintf(stderr, "quant: CUDA error in %s: %s\n", what, cuda_error(r));
  exit(70);
}

/*===----------------------------------------------------------------------===*
 * What gpu-to-llvm calls
 *===----------------------------------------------------------------------===*/

/* Called from a global constructor of the artifact: without a driver it
   returns NULL and quant_cuda_model_run reports why. */
void *mgpuModuleLoadJIT(void *data, int optLevel) {
  if (!ensure_driver())
    return NULL;
  CUmodule module = NULL;
  CUjit_option options[] = {CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {(void *)(intptr_t)optLevel};
  CUresult r = cu.cuModuleLoadDataEx(&module, data, 1, options, values);
  if (r != CUDA_SUCCESS) {
    snprintf(driver_error, sizeof driver_error,
             "the driver cannot load the model's PTX: %s (is the GPU older "
             "than the --mcpu the model was compiled for?)",
             cuda_error(r));
    driver_ready = 0;
    return NULL;
  }
  return module;
}

void *mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  if (!ensure_driver())
    return NULL;
  CUmodule module = NULL;
  CUresult r = cu.cuModuleLoadData(&module, data);
  if (r != CUDA_SUCCESS) {
    snprintf(driver_error, sizeof driver_error,
             "the driver cannot load the model's cubin: %s", cuda_error(r));
    driver_ready = 0;
    return NULL;
  }
  return module;
}

void mgpuModuleUnload(void *module) {
  if (module && driver_ready)
    cu.cuModuleUnload((CUmodule)module);
}

/* QUANT_CUDA_PROFILE: kernel name, launches, milliseconds. */
typedef struct kernel_profile {
  void *function;
  char name[64];
  long launches;
  double ms;
} kernel_profile;
static kernel_profile *profiles;
static size_t num_profiles;
static int profiling = -1;
static kernel_profile *pending; /* launched, not yet synchronized */
static struct timespec pending_start;

static int by_time(const void *a, const void *b) {
  double x = ((const kernel_profile *)a)->ms, y = ((const kernel_profile *)b)->ms;
  return x < y ? 1 : x > y ? -1 : 0;
}

/* The total, then each kernel, the slowest first. */
static void print_profile(void) {
  qsort(profiles, num_profiles, sizeof(kernel_profile), by_time);
  pending = NULL;
  double total = 0;
  for (size_t i = 0; i < num_profiles; ++i)
    total += profiles[i].ms;
  fprintf(stderr, "quant: kernel time %.3f ms in %zu kernels\n", total,
          num_profiles);
  for (size_t i = 0; i < num_profiles; ++i)
    if (profiles[i].launches)
      fprintf(stderr, "quant:   %-40s %6ld launches %10.3f ms %9.4f ms each\n",
              profiles[i].name, profiles[i].launches, profiles[i].ms,
              profiles[i].ms / profiles[i].launches);
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  CUfunction function = NULL;
  check(cu.cuModuleGetFunction(&function, (CUmodule)module, name), name);
  if (profiling < 0) {
    const char *env = getenv("QUANT_CUDA_PROFILE");
    profiling = env && *env && strcmp(env, "0") != 0;
    if (profiling)
      atexit(print_profile);
  }
  if (profiling) {
    size_t i = 0;
    while (i < num_profiles && profiles[i].function != function)
      ++i;
    if (i == num_profiles) {
      kernel_profile *grown = (kernel_profile *)realloc(
          profiles, (num_profiles + 1) * sizeof(kernel_profile));
      if (grown) {
        profiles = grown;
        memset(&profiles[i], 0, sizeof(kernel_profile));
        profiles[i].function = function;
        snprintf(profiles[i].name, sizeof profiles[i].name, "%s", name);
        ++num_profiles;
      }
    }
  }
  return function;
}

static double elapsed_ms(const struct timespec *from) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - from->tv_sec) * 1e3 +
         (now.tv_nsec - from->tv_nsec) / 1e6;
}

void *mgpuStreamCreate(void) { return stream; }

void mgpuStreamSynchronize(void *s) {
  check(cu.cuStreamSynchronize((CUstream)s), "cuStreamSynchronize");
  if (pending) {
    pending->ms += elapsed_ms(&pending_start);
    ++pending->launches;
    pending = NULL;
  }
}

void mgpuStreamDestroy(void *s) { (void)s; }

void mgpuLaunchKernel(void *function, intptr_t gx, intptr_t gy, intptr_t gz,
                      intptr_t bx, intptr_t by, intptr_t bz, int32_t smem,
                      void *s, void **params, void **extra,
                      size_t paramsCount) {
  (void)paramsCount;
  if (profiling > 0) {
    for (size_t i = 0; i < num_profiles; ++i)
      if (profiles[i].function == function)
        pending = &profiles[i];
    clock_gettime(CLOCK_MONOTONIC, &pending_start);
  }
  check(cu.cuLaunchKernel((CUfunction)function, (unsigned)gx, (unsigned)gy,
                          (unsigned)gz, (unsigned)bx, (unsigned)by,
                          (unsigned)bz, (unsigned)smem, (CUstream)s, params,
                          extra),
        "cuLaunchKernel");
}

/*===----------------------------------------------------------------------===*
 * Memory
 *===----------------------------------------------------------------------===*/

static void *managed_alloc(size_t size) {
  CUdeviceptr p = 0;
  if (!ensure_driver() ||
      cu.cuMemAllocManaged(&p, size ? size : 1, CU_MEM_ATTACH_GLOBAL) !=
          CUDA_SUCCESS)
    return NULL;
  return (void *)(uintptr_t)p;
}

static void managed_free(void *p) {
  if (p && driver_ready)
    cu.cuMemFree((CUdeviceptr)(uintptr_t)p);
}

/* Device copies of the model's constants, keyed by their host address. */
typedef struct constant_copy {
  const void *host;
  void *device;
} constant_copy;
static constant_copy *constants;
static size_t num_constants, constants_capacity;
static pthread_mutex_t constants_lock = PTHREAD_MUTEX_INITIALIZER;

void *quant_cuda_constant(const void *host, int64_t bytes) {
  pthread_mutex_lock(&constants_lock);
  void *found = NULL;
  for (size_t i = 0; i < num_constants && !found; ++i)
    if (constants[i].host == host)
      found = constants[i].device;
  if (!found) {
    found = managed_alloc((size_t)bytes);
    if (!found) {
      fprintf(stderr, "quant: cannot allocate %lld bytes of CUDA memory for "
                      "a model constant\n",
              (long long)bytes);
      exit(71);
    }
    memcpy(found, host, (size_t)bytes);
    if (num_constants == constants_capacity) {
      constants_capacity = constants_capacity ? 2 * constants_capacity : 64;
      constants = (constant_copy *)realloc(
          constants, constants_capacity * sizeof(constant_copy));
      if (!constants)
        exit(71);
    }
    constants[num_constants].host = host;
    constants[num_constants].device = found;
    ++num_constants;
  }
  pthread_mutex_unlock(&constants_lock);
  return found;
}

/*===----------------------------------------------------------------------===*
 * Running a model
 *===----------------------------------------------------------------------===*/

int quant_cuda_model_run(const quant_model_info *model,
                         const void *const *inputs, const size_t *input_bytes,
                         void *const *outputs, const size_t *output_bytes) {
  if (!model)
    return QUANT_ERROR_NULL_ARGUMENT;
  if (!ensure_driver()) {
    fprintf(stderr, "quant: %s\n", driver_error);
    return QUANT_ERROR_NO_DEVICE;
  }
  quant_use_scratch_allocator(managed_alloc, managed_free);
  /* The kernels read and write managed copies of the caller's buffers. */
  uint32_t n = model->num_inputs + model->num_outputs;
  void **staged = (void **)calloc(n + 1, sizeof(void *));
  if (!staged)
    return QUANT_ERROR_OUT_OF_MEMORY;
  int status = QUANT_OK;
  for (uint32_t i = 0; i < n && status == QUANT_OK; ++i) {
    int isInput = i < model->num_inputs;
    const quant_tensor_info *info =
        isInput ? &model->inputs[i] : &model->outputs[i - model->num_inputs];
    staged[i] = managed_alloc(info->num_bytes);
    if (!staged[i])
      status = QUANT_ERROR_OUT_OF_MEMORY;
    else if (isInput && info->num_bytes) /* checked by quant_model_run */
      memcpy(staged[i], inputs[i], info->num_bytes);
  }
  if (status == QUANT_OK)
    status = quant_model_run_on_host(model, (const void *const *)staged,
                                     input_bytes, staged + model->num_inputs,
                                     output_bytes);
  if (status == QUANT_OK) {
    check(cu.cuCtxSynchronize(), "cuCtxSynchronize");
    for (uint32_t i = 0; i < model->num_outputs; ++i)
      memcpy(outputs[i], staged[model->num_inputs + i],
             model->outputs[i].num_bytes);
  }
  for (uint32_t i = 0; i < n; ++i)
    managed_free(staged[i]);
  free(staged);
  return status;
}
