// Greedy sampling: the argmax of each row of logits x [rows, cols], first maximum wins (as
// tf.argMax and the reference's loop). NaN never wins a comparison.
//
// One CTA of 256 threads per row: each thread scans strided chunks of V elements (16 bytes when
// cols % V == 0) keeping its first maximum, then (value, index) pairs are reduced preferring
// the larger value, and on ties the smaller index.
#include "common.cuh"
#include "launch.h"

namespace {

__device__ __forceinline__ void better(float& v, int& i, float v2, int i2) {
  if (v2 > v || (v2 == v && i2 < i)) v = v2, i = i2;
}

// grid: rows; block: 256.
template <typename T, int V>
__global__ void argmax_kernel(int* __restrict__ out, const T* __restrict__ x, int cols) {
  __shared__ float vals[8];
  __shared__ int idxs[8];
  const T* row = x + size_t(blockIdx.x) * cols;
  float best = -INFINITY;
  int at = cols;  // "none yet": loses every tie
  for (int c = threadIdx.x * V; c < cols; c += blockDim.x * V) {
    float v[V];
    load_floats<T, V>(row + c, v);
#pragma unroll
    for (int i = 0; i < V; i++) {
      if ((v[i] > best || at == cols) && v[i] == v[i]) best = v[i], at = c + i;  // NaN never wins
    }
  }
  for (int o = 16; o > 0; o >>= 1) better(best, at, __shfl_xor_sync(FULL_MASK, best, o), __shfl_xor_sync(FULL_MASK, at, o));
  if (threadIdx.x % 32 == 0) vals[threadIdx.x / 32] = best, idxs[threadIdx.x / 32] = at;
  __syncthreads();
  if (threadIdx.x == 0) {
    for (int w = 1; w < int(blockDim.x / 32); w++) better(best, at, vals[w], idxs[w]);
    out[blockIdx.x] = at < cols ? at : 0;  // an all-NaN row samples token 0
  }
}

}  // namespace

cudaError_t argmax_rows(DType t, int* out, const void* x, int rows, int cols, cudaStream_t stream) {
  return with_dtype(t, [&](auto tag) {
    using T = decltype(tag);
    auto launch = [&](auto v) {
      constexpr int V = decltype(v)::value;
      argmax_kernel<T, V><<<rows, 256, 0, stream>>>(out, static_cast<const T*>(x), cols);
      return cudaGetLastError();
    };
    return cols % vec16<T> == 0 ? launch(std::integral_constant<int, vec16<T>>{}) : launch(std::integral_constant<int, 1>{});
  });
}
