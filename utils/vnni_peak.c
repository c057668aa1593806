/*===- utils/vnni_peak.c - The machine's int8 dot-product peak ----------===*
 *
 * Part of the quant project. Built and run by utils/bench_gemm.py: times
 * long chains of independent vpdpbusd (AVX-512 VNNI, zmm: 64 u8*s8
 * multiply-adds each) on every thread and prints the rate in GOPS (one
 * multiply-add = 2 ops), the ceiling any int8 GEMM on this CPU can reach.
 *
 *   cc -O2 -mavx512f -mavx512vnni -fopenmp utils/vnni_peak.c -o vnni_peak
 *   ./vnni_peak THREADS
 *
 *===---------------------------------------------------------------------===*/
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { CHAINS = 16, ITERATIONS = 20000000 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  volatile int sink = 0;
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    double start = now();
#pragma omp parallel num_threads(threads)
    {
      __m512i acc[CHAINS];
      __m512i a = _mm512_set1_epi8(1 + omp_get_thread_num());
      __m512i b = _mm512_set1_epi8(3);
      for (int c = 0; c < CHAINS; ++c)
        acc[c] = _mm512_set1_epi32(c);
      for (long i = 0; i < ITERATIONS; ++i) {
        for (int c = 0; c < CHAINS; ++c)
          acc[c] = _mm512_dpbusd_epi32(acc[c], a, b);
        __asm__ volatile("" : "+v"(a)); /* keep the loop */
      }
      int s = 0;
      for (int c = 0; c < CHAINS; ++c)
        s += _mm512_reduce_add_epi32(acc[c]);
#pragma omp atomic
      sink += s;
    }
    double seconds = now() - start;
    double ops = 2.0 * 64 * CHAINS * (double)ITERATIONS * threads;
    if (ops / seconds > best)
      best = ops / seconds;
  }
  printf("vpdpbusd peak %.1f GOPS (%d threads)\n", best / 1e9, threads);
  return sink == 42 ? 1 : 0;
}
