/*===- utils/stream_read.c - The machine's memory read bandwidth --------===*
 *
 * Part of the quant project. Built and run by utils/bench_gemv.py: a
 * STREAM-like loop that sums a buffer far larger than the caches
 * (default 1 GiB of int64) on every thread, 64-byte-aligned, and prints
 * the best of 8 passes as `read X.X GB/s`. A GEMV reads its weights once
 * and writes almost nothing, so the read rate (not STREAM's copy or
 * triad) is its ceiling.
 *
 *   cc -O2 -march=native -fopenmp utils/stream_read.c -o stream_read
 *   ./stream_read THREADS [MIB]
 *
 *===---------------------------------------------------------------------===*/
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  long mib = argc > 2 ? atol(argv[2]) : 1024;
  long n = mib * (1L << 20) / (long)sizeof(int64_t);
  int64_t *a = aligned_alloc(64, (size_t)n * sizeof(int64_t));
  if (!a || threads < 1) {
    fprintf(stderr, "stream_read: cannot allocate %ld MiB\n", mib);
    return 1;
  }
#pragma omp parallel for num_threads(threads) schedule(static)
  for (long i = 0; i < n; ++i)
    a[i] = i;
  double best = 0;
  int64_t total = 0;
  for (int pass = 0; pass < 8; ++pass) {
    int64_t sum = 0;
    double start = now();
#pragma omp parallel for num_threads(threads) schedule(static) reduction(+ : sum)
    for (long i = 0; i < n; ++i)
      sum += a[i];
    double seconds = now() - start;
    total += sum;
    double rate = (double)n * sizeof(int64_t) / seconds / 1e9;
    if (rate > best)
      best = rate;
  }
  printf("read %.1f GB/s (%d threads, %ld MiB, check %lld)\n", best, threads,
         mib, (long long)total);
  free(a);
  return 0;
}
