/* Exercises the runtime's scratch-buffer cache (runtime/quant_runtime.c),
 * which generated code calls for every memref.alloc/dealloc, its
 * pluggable block allocator (CUDA models' managed memory), and the
 * dispatch of QUANT_MODEL_CUDA models without a CUDA runtime linked. */
#include "quant_runtime.h"
#include "quant_runtime_internal.h"

#include <stdlib.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *ptr);

static int aligned(void *p, size_t alignment) {
  return ((uintptr_t)p % alignment) == 0;
}

/* A backend whose blocks are only 8-byte aligned, counting its calls. */
static int backend_allocs, backend_releases;
static void *backend_alloc(size_t size) {
  ++backend_allocs;
  char *p = malloc(size + 8);
  return p ? p + 8 : NULL;
}
static void backend_release(void *p) {
  ++backend_releases;
  free((char *)p - 8);
}

static int entry_called;
static void entry(void **descriptors) {
  (void)descriptors;
  entry_called = 1;
}

int main(void) {
  char *a = _mlir_memref_to_llvm_alloc(1000);
  printf("alloc 64-byte aligned: %d\n", a && aligned(a, 64));
  memset(a, 1, 1000);
  _mlir_memref_to_llvm_free(a);

  /* A freed block serves a later request of at least half its size. */
  char *b = _mlir_memref_to_llvm_alloc(900);
  printf("900 reuses the freed 1000: %d\n", b == a);
  _mlir_memref_to_llvm_free(b);
  /* ... but not a much smaller one, nor a larger one. */
  char *c = _mlir_memref_to_llvm_alloc(100);
  printf("100 reuses the freed 1000: %d\n", c == a);
  char *d = _mlir_memref_to_llvm_alloc(2000);
  printf("2000 reuses the freed 1000: %d\n", d == a);
  _mlir_memref_to_llvm_free(c);
  _mlir_memref_to_llvm_free(d);

  /* Alignments above 64 are honored (and such blocks are not cached). */
  void *e = _mlir_memref_to_llvm_aligned_alloc(256, 100);
  printf("aligned_alloc 256-byte aligned: %d\n", e && aligned(e, 256));
  _mlir_memref_to_llvm_free(e);
  _mlir_memref_to_llvm_free(NULL);

  /* More frees than cache slots: the extra blocks go back to the system. */
  enum { N = 1100 };
  static void *many[N];
  for (int i = 0; i < N; ++i)
    many[i] = _mlir_memref_to_llvm_alloc(64);
  for (int i = 0; i < N; ++i)
    _mlir_memref_to_llvm_free(many[i]);
  quant_release_scratch();

  /* Blocks cached before a backend is set keep their own allocator. */
  char *old = _mlir_memref_to_llvm_alloc(3000);
  _mlir_memref_to_llvm_free(old);
  quant_use_scratch_allocator(backend_alloc, backend_release);
  char *f = _mlir_memref_to_llvm_alloc(5000);
  printf("backend alloc: %d, 64-byte aligned: %d\n", backend_allocs,
         f && aligned(f, 64));
  void *g = _mlir_memref_to_llvm_aligned_alloc(512, 100);
  printf("backend aligned_alloc: %d, 512-byte aligned: %d\n", backend_allocs,
         g && aligned(g, 512));
  memset(f, 2, 5000);
  _mlir_memref_to_llvm_free(g); /* over-aligned: back at once */
  _mlir_memref_to_llvm_free(f); /* cached */
  printf("released after frees: %d\n", backend_releases);
  char *h = _mlir_memref_to_llvm_alloc(4000);
  printf("4000 reuses the backend's 5000: %d\n", h == f);
  _mlir_memref_to_llvm_free(h);
  quant_release_scratch(); /* the old block by free, f by the backend */
  printf("released after quant_release_scratch: %d\n", backend_releases);

  /* A GPU model where no CUDA runtime is linked: refused, not run. */
  static const quant_model_info gpu = {QUANT_ABI_VERSION, 0, 0,
                                       QUANT_MODEL_CUDA, "gpu", NULL, NULL,
                                       entry};
  int status = quant_model_run(&gpu, NULL, NULL, NULL, NULL);
  printf("cuda model: %s, entry called: %d\n", quant_status_string(status),
         entry_called);
  printf("done\n");
  return 0;
}
