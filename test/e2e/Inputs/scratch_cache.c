/* Exercises the runtime's scratch-buffer cache (runtime/quant_runtime.c),
 * which generated code calls for every memref.alloc/dealloc. */
#include "quant_runtime.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *ptr);

static int aligned(void *p, size_t alignment) {
  return ((uintptr_t)p % alignment) == 0;
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
  printf("done\n");
  return 0;
}
