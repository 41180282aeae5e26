// RMSNorm over groups of columns: x [rows, cols] is viewed as [rows, cols/group, group] and each
// group of `group` contiguous values is scaled by rsqrt(mean(x²) + eps) and the gain [group].
// group = cols is the layer norm of a Llama block; group = head_dim is Qwen3's per-head q/k norm.
//
// One CTA per group: it reads the group twice (sum of squares, then scale; the second read hits
// L1/L2), V consecutive elements per access (16 bytes when group % V == 0). Blocks of 32
// threads for short groups (head_dim), 256 for hidden-size rows.
#include "common.cuh"
#include "launch.h"

namespace {

// grid: rows · cols/group; block: 32 or 256.
template <typename T, int V>
__global__ void rms_norm_kernel(T* __restrict__ out, const T* __restrict__ x, const float* __restrict__ gain, int group,
                                float eps) {
  __shared__ float partial[8];
  const T* src = x + size_t(blockIdx.x) * group;
  T* dst = out + size_t(blockIdx.x) * group;
  float ss = 0.f;
  for (int c = threadIdx.x * V; c < group; c += blockDim.x * V) {
    float v[V];
    load_floats<T, V>(src + c, v);
#pragma unroll
    for (int i = 0; i < V; i++) ss += v[i] * v[i];
  }
  ss = warp_sum(ss);
  const int warps = blockDim.x / 32;
  if (warps > 1) {
    if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = ss;
    __syncthreads();
    ss = 0.f;
    for (int w = 0; w < warps; w++) ss += partial[w];
  }
  const float r = rsqrtf(ss / group + eps);
  for (int c = threadIdx.x * V; c < group; c += blockDim.x * V) {
    float v[V];
    load_floats<T, V>(src + c, v);
#pragma unroll
    for (int i = 0; i < V; i++) v[i] = v[i] * r * gain[c + i];
    store_floats<T, V>(dst + c, v);
  }
}

}  // namespace

cudaError_t rms_norm(DType t, void* out, const void* x, const float* gain, int rows, int cols, int group, float eps,
                     cudaStream_t stream) {
  const unsigned groups = unsigned(rows) * unsigned(cols / group);
  const int threads = group <= 256 ? 32 : 256;
  return with_dtype(t, [&](auto tag) {
    using T = decltype(tag);
    auto launch = [&](auto v) {
      constexpr int V = decltype(v)::value;
      rms_norm_kernel<T, V><<<groups, threads, 0, stream>>>(static_cast<T*>(out), static_cast<const T*>(x), gain, group, eps);
      return cudaGetLastError();
    };
    return group % vec16<T> == 0 ? launch(std::integral_constant<int, vec16<T>>{}) : launch(std::integral_constant<int, 1>{});
  });
}
