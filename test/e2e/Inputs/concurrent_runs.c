/* One compiled model run from 8 threads at once through the C ABI
 * (test/e2e/concurrent-runs.test): every thread has its own input and
 * output buffers and runs the model many times on inputs shared by all
 * threads; every result must equal, bit for bit, what one thread computed
 * for the same input before the threads started.
 *
 * Scratch memory is counted through the runtime's block allocator hook
 * (quant_use_scratch_allocator): which thread allocated how many blocks,
 * and how many are alive. That shows the per-thread scratch cache at work
 * (after its first run a thread allocates no more blocks, however many
 * other threads run beside it) and that the cache of a thread that ends is
 * given back (no block is alive once the threads are joined).
 *
 *   concurrent_runs RUNS OMP_THREADS
 *
 * RUNS runs per thread; OMP_THREADS OpenMP threads for each run
 * (quant_set_num_threads). The allocation counts are only exact with 1:
 * with more, OpenMP's pool threads allocate and cache blocks too, and they
 * outlive the program's threads.
 *
 * Built against the model's object (--name cnn) and, for ThreadSanitizer,
 * against an instrumented copy of runtime/quant_runtime.c.
 */
#include "cnn.h"
#include "quant_runtime.h"
#include "quant_runtime_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { THREADS = 8, INPUTS = 8 };

/* The block allocator hook: every scratch block the runtime takes from the
   system, and every one it gives back. */
static atomic_long blocks_allocated, blocks_live;
static _Thread_local long thread_blocks_allocated;

static void *counting_alloc(size_t size) {
  void *p = malloc(size);
  if (p) {
    atomic_fetch_add(&blocks_allocated, 1);
    atomic_fetch_add(&blocks_live, 1);
    ++thread_blocks_allocated;
  }
  return p;
}

static void counting_release(void *p) {
  atomic_fetch_sub(&blocks_live, 1);
  free(p);
}

static const quant_model_info *model;
static float *inputs[INPUTS];     /* shared, read-only while threads run */
static float *references[INPUTS]; /* one thread's results, before */
static size_t in_bytes, out_bytes;
static int runs, omp_threads;

/* Deterministic inputs in [-1, 1), different for each index. */
static void fill_input(float *x, size_t n, unsigned seed) {
  uint32_t state = 2654435761u * (seed + 1);
  for (size_t i = 0; i < n; ++i) {
    state = state * 1664525u + 1013904223u;
    x[i] = (float)(state >> 8) / (float)(1u << 23) - 1.0f;
  }
}

static int run(const float *x, float *y) {
  const void *in[1] = {x};
  void *out[1] = {y};
  size_t in_sizes[1] = {in_bytes}, out_sizes[1] = {out_bytes};
  return cnn_run(in, in_sizes, out, out_sizes);
}

typedef struct {
  int index;
  long mismatches, errors;
  long first_run_blocks, later_blocks;
} thread_result;

static void *worker(void *arg) {
  thread_result *r = (thread_result *)arg;
  quant_set_num_threads(omp_threads);
  /* Own buffers: a copy of the inputs and an output. */
  float *x = (float *)malloc(in_bytes);
  float *y = (float *)malloc(out_bytes);
  for (int i = 0; i < runs; ++i) {
    int k = (r->index + i) % INPUTS;
    memcpy(x, inputs[k], in_bytes);
    memset(y, 0xff, out_bytes);
    if (run(x, y) != QUANT_OK)
      ++r->errors;
    else if (memcmp(y, references[k], out_bytes) != 0)
      ++r->mismatches;
    if (i == 0)
      r->first_run_blocks = thread_blocks_allocated;
  }
  r->later_blocks = thread_blocks_allocated - r->first_run_blocks;
  free(x);
  free(y);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: concurrent_runs RUNS OMP_THREADS\n");
    return 2;
  }
  runs = atoi(argv[1]);
  omp_threads = atoi(argv[2]);
  quant_use_scratch_allocator(counting_alloc, counting_release);
  quant_set_num_threads(omp_threads);
  model = cnn_info();
  in_bytes = model->inputs[0].num_bytes;
  out_bytes = model->outputs[0].num_bytes;

  /* The references, on this thread alone. */
  for (int k = 0; k < INPUTS; ++k) {
    inputs[k] = (float *)malloc(in_bytes);
    references[k] = (float *)malloc(out_bytes);
    fill_input(inputs[k], in_bytes / sizeof(float), (unsigned)k);
    if (run(inputs[k], references[k]) != QUANT_OK) {
      printf("reference run %d failed\n", k);
      return 1;
    }
  }
  int distinct = 1;
  for (int k = 1; k < INPUTS; ++k)
    distinct &= memcmp(references[k], references[0], out_bytes) != 0;
  /* The cache: more runs on this thread take no new block. */
  long before = thread_blocks_allocated;
  float *y = (float *)malloc(out_bytes);
  for (int i = 0; i < 20; ++i)
    run(inputs[i % INPUTS], y);
  free(y);
  printf("one thread: %ld blocks in %d runs, then %ld in 20 more; "
         "distinct results: %d\n",
         before, INPUTS, thread_blocks_allocated - before, distinct);
  quant_release_scratch();
  long live_before = atomic_load(&blocks_live);

  pthread_t threads[THREADS];
  thread_result results[THREADS];
  for (int t = 0; t < THREADS; ++t) {
    memset(&results[t], 0, sizeof results[t]);
    results[t].index = t;
    if (pthread_create(&threads[t], NULL, worker, &results[t]) != 0) {
      printf("pthread_create failed\n");
      return 1;
    }
  }
  long mismatches = 0, errors = 0, first = 0, later = 0;
  int every_thread_allocated = 1;
  for (int t = 0; t < THREADS; ++t) {
    pthread_join(threads[t], NULL);
    mismatches += results[t].mismatches;
    errors += results[t].errors;
    first += results[t].first_run_blocks;
    later += results[t].later_blocks;
    every_thread_allocated &= results[t].first_run_blocks > 0;
  }
  printf("%d threads x %d runs (%d OpenMP threads each): errors %ld, "
         "results that differ from one thread's: %ld\n",
         THREADS, runs, omp_threads, errors, mismatches);
  printf("blocks allocated in each thread's first run: %s; after it: %ld\n",
         every_thread_allocated ? "all > 0" : "some 0", later);
  printf("scratch blocks alive: %ld before the threads, %ld after they "
         "ended\n",
         live_before, atomic_load(&blocks_live));
  (void)first;
  for (int k = 0; k < INPUTS; ++k) {
    free(inputs[k]);
    free(references[k]);
  }
  return mismatches || errors ? 1 : 0;
}
