// Float32 GEMM on the CUDA cores: C [M, N] = A [M, K] · B [K, N], all row-major.
//
// The exact mode: every output is a plain float dot product accumulated in k order, so results
// match the CPU reference to rounding (the tests ask for relative error ≤ 1e-5). Not fast; the
// fast path is the BF16 tensor-core kernel.
//
// A 64×64 tile per CTA of 256 threads, K in steps of 16 through shared memory. Thread (ty, tx)
// owns rows ty + 16·i and columns tx + 16·j (i, j < 4): consecutive tx read consecutive Bs
// columns (no bank conflicts), and a warp's two ty rows read As as a broadcast.
#include "common.cuh"
#include "launch.h"

namespace {

constexpr int BM = 64, BN = 64, BK = 16;

// grid: (ceil(N/64), ceil(M/64)); block: 256.
__global__ void __launch_bounds__(256) gemm_f32_kernel(const float* __restrict__ A, const float* __restrict__ B,
                                                         float* __restrict__ C, int M, int N, int K) {
  __shared__ float As[BK][BM + 1];  // transposed: As[k][m]
  __shared__ float Bs[BK][BN];
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
  float acc[4][4] = {};

  for (int k0 = 0; k0 < K; k0 += BK) {
    // 64×16 elements of A and 16×64 of B: 4 each per thread, zero past the edges.
    for (int e = tid; e < BM * BK; e += 256) {
      const int m = e / BK, k = e % BK;
      As[k][m] = (m0 + m < M && k0 + k < K) ? A[size_t(m0 + m) * K + k0 + k] : 0.f;
    }
    for (int e = tid; e < BK * BN; e += 256) {
      const int k = e / BN, n = e % BN;
      Bs[k][n] = (k0 + k < K && n0 + n < N) ? B[size_t(k0 + k) * N + n0 + n] : 0.f;
    }
    __syncthreads();
#pragma unroll
    for (int k = 0; k < BK; k++) {
      float a[4], b[4];
#pragma unroll
      for (int i = 0; i < 4; i++) a[i] = As[k][ty + 16 * i];
#pragma unroll
      for (int j = 0; j < 4; j++) b[j] = Bs[k][tx + 16 * j];
#pragma unroll
      for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; i++) {
    const int row = m0 + ty + 16 * i;
    if (row >= M) continue;
#pragma unroll
    for (int j = 0; j < 4; j++) {
      const int col = n0 + tx + 16 * j;
      if (col < N) C[size_t(row) * N + col] = acc[i][j];
    }
  }
}

}  // namespace

cudaError_t gemm_f32(float* c, const float* a, const float* b, int M, int N, int K, cudaStream_t stream) {
  const dim3 grid(blocks_for(N, BN), blocks_for(M, BM));
  gemm_f32_kernel<<<grid, 256, 0, stream>>>(a, b, c, M, N, K);
  return cudaGetLastError();
}
