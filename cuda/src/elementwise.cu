// Memory-bound elementwise kernels: SiLU·mul of the SwiGLU MLP, the residual add, and the
// block sum of the collectives. Each thread handles V consecutive elements (one 16-byte access
// per operand, V = 4 floats or 8 bf16) when the sizes allow, else one.
#include "common.cuh"
#include "launch.h"

namespace {

// x [rows, 2f] → out [rows, f]. grid: ceil(rows · f/V / 256); block: 256.
template <typename T, int V>
__global__ void silu_mul_kernel(T* __restrict__ out, const T* __restrict__ x, int rows, int f) {
  const long long idx = (blockIdx.x * (long long)blockDim.x + threadIdx.x) * V;
  if (idx >= (long long)rows * f) return;
  const long long row = idx / f, col = idx % f;
  float gate[V], up[V], y[V];
  load_floats<T, V>(x + row * 2 * f + col, gate);
  load_floats<T, V>(x + row * 2 * f + f + col, up);
#pragma unroll
  for (int i = 0; i < V; i++) y[i] = gate[i] / (1.f + expf(-gate[i])) * up[i];
  store_floats<T, V>(out + idx, y);
}

// out [n] = a + b. grid: ceil(n/V / 256); block: 256.
template <typename T, int V>
__global__ void add_kernel(T* __restrict__ out, const T* __restrict__ a, const T* __restrict__ b, long long n) {
  const long long idx = (blockIdx.x * (long long)blockDim.x + threadIdx.x) * V;
  if (idx >= n) return;
  float x[V], y[V];
  load_floats<T, V>(a + idx, x);
  load_floats<T, V>(b + idx, y);
#pragma unroll
  for (int i = 0; i < V; i++) x[i] += y[i];
  store_floats<T, V>(out + idx, x);
}

// out [n] = Σ_k src[k·n + ·] in k order. grid: ceil(n/V / 256); block: 256.
template <typename T, int V>
__global__ void sum_blocks_kernel(T* __restrict__ out, const T* __restrict__ src, int blocks, long long n) {
  const long long idx = (blockIdx.x * (long long)blockDim.x + threadIdx.x) * V;
  if (idx >= n) return;
  float s[V], x[V];
  load_floats<T, V>(src + idx, s);
  for (int k = 1; k < blocks; k++) {
    load_floats<T, V>(src + k * n + idx, x);
#pragma unroll
    for (int i = 0; i < V; i++) s[i] += x[i];
  }
  store_floats<T, V>(out + idx, s);
}

/** Runs launch(V) with V = 16-byte width when `divisible` holds, else 1. */
template <typename T, class F>
cudaError_t vectorized(bool divisible, F&& launch) {
  return divisible ? launch(std::integral_constant<int, vec16<T>>{}) : launch(std::integral_constant<int, 1>{});
}

}  // namespace

cudaError_t silu_mul(DType t, void* out, const void* x, int rows, int f, cudaStream_t stream) {
  return with_dtype(t, [&](auto tag) {
    using T = decltype(tag);
    return vectorized<T>(f % vec16<T> == 0, [&](auto v) {
      constexpr int V = decltype(v)::value;
      silu_mul_kernel<T, V><<<blocks_for((long long)rows * f / V, 256), 256, 0, stream>>>(
          static_cast<T*>(out), static_cast<const T*>(x), rows, f);
      return cudaGetLastError();
    });
  });
}

cudaError_t add(DType t, void* out, const void* a, const void* b, long long n, cudaStream_t stream) {
  return with_dtype(t, [&](auto tag) {
    using T = decltype(tag);
    return vectorized<T>(n % vec16<T> == 0, [&](auto v) {
      constexpr int V = decltype(v)::value;
      add_kernel<T, V><<<blocks_for(n / V, 256), 256, 0, stream>>>(static_cast<T*>(out), static_cast<const T*>(a),
                                                                   static_cast<const T*>(b), n);
      return cudaGetLastError();
    });
  });
}

cudaError_t sum_blocks(DType t, void* out, const void* src, int blocks, long long n, cudaStream_t stream) {
  return with_dtype(t, [&](auto tag) {
    using T = decltype(tag);
    return vectorized<T>(n % vec16<T> == 0, [&](auto v) {
      constexpr int V = decltype(v)::value;
      sum_blocks_kernel<T, V><<<blocks_for(n / V, 256), 256, 0, stream>>>(static_cast<T*>(out),
                                                                          static_cast<const T*>(src), blocks, n);
      return cudaGetLastError();
    });
  });
}
