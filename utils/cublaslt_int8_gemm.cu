// cuBLASLt int8 GEMM throughput: the anchor for quant's tensor-core kernels
// (utils/bench_gpu.sh runs it on a machine with a GPU).
//
//   nvcc -O2 -o cublaslt_int8_gemm utils/cublaslt_int8_gemm.cu -lcublasLt
//   ./cublaslt_int8_gemm M K N [runs]
//
// int8 A (M x K, row-major) times int8 W (N x K, row-major: the layout of
// quant's weights) into int32 C: cuBLASLt's "TN" int8 product, column-major
// C^T = W * A^T, CUBLAS_COMPUTE_32I. Prints the median time and TOPS.
#include <cublasLt.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CHECK_CUDA(x)                                                          \
  do {                                                                         \
    cudaError_t e = (x);                                                       \
    if (e != cudaSuccess) {                                                    \
      std::fprintf(stderr, "%s: %s\n", #x, cudaGetErrorString(e));             \
      return 1;                                                                \
    }                                                                          \
  } while (0)
#define CHECK_LT(x)                                                            \
  do {                                                                         \
    cublasStatus_t s = (x);                                                    \
    if (s != CUBLAS_STATUS_SUCCESS) {                                          \
      std::fprintf(stderr, "%s: status %d\n", #x, (int)s);                     \
      return 1;                                                                \
    }                                                                          \
  } while (0)

int main(int argc, char **argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s M K N [runs]\n", argv[0]);
    return 2;
  }
  long m = std::atol(argv[1]), k = std::atol(argv[2]), n = std::atol(argv[3]);
  int runs = argc > 4 ? std::atoi(argv[4]) : 50;
  std::vector<int8_t> a(m * k), w(n * k);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = (int8_t)(i * 7 % 255 - 127);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = (int8_t)(i * 13 % 255 - 127);
  int8_t *da, *dw;
  int32_t *dc;
  CHECK_CUDA(cudaMalloc(&da, a.size()));
  CHECK_CUDA(cudaMalloc(&dw, w.size()));
  CHECK_CUDA(cudaMalloc(&dc, m * n * sizeof(int32_t)));
  CHECK_CUDA(cudaMemcpy(da, a.data(), a.size(), cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dw, w.data(), w.size(), cudaMemcpyHostToDevice));

  cublasLtHandle_t lt;
  CHECK_LT(cublasLtCreate(&lt));
  cublasLtMatmulDesc_t desc;
  CHECK_LT(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32I, CUDA_R_32I));
  cublasOperation_t transA = CUBLAS_OP_T, transB = CUBLAS_OP_N;
  CHECK_LT(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA,
                                          &transA, sizeof transA));
  CHECK_LT(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB,
                                          &transB, sizeof transB));
  // Column-major: W^T is K x N stored as W (N x K row-major = K x N
  // col-major, transposed by op T gives N x K); A^T is K x M col-major.
  cublasLtMatrixLayout_t lw, la, lc;
  CHECK_LT(cublasLtMatrixLayoutCreate(&lw, CUDA_R_8I, k, n, k));
  CHECK_LT(cublasLtMatrixLayoutCreate(&la, CUDA_R_8I, k, m, k));
  CHECK_LT(cublasLtMatrixLayoutCreate(&lc, CUDA_R_32I, n, m, n));
  int32_t alpha = 1, beta = 0;
  auto launch = [&] {
    return cublasLtMatmul(lt, desc, &alpha, dw, lw, da, la, &beta, dc, lc, dc,
                          lc, nullptr, nullptr, 0, 0);
  };
  for (int i = 0; i < 5; ++i)
    CHECK_LT(launch());
  CHECK_CUDA(cudaDeviceSynchronize());
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  std::vector<float> ms(runs);
  for (int i = 0; i < runs; ++i) {
    cudaEventRecord(start);
    CHECK_LT(launch());
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    cudaEventElapsedTime(&ms[i], start, stop);
  }
  std::sort(ms.begin(), ms.end());
  double median = ms[runs / 2];
  std::printf("cublasLt int8 %ldx%ldx%ld: median %.4f ms, %.1f TOPS\n", m, k,
              n, median, 2.0 * m * n * k / median / 1e9);
  return 0;
}
