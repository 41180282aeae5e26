// Rotary position embedding, rotate-half convention, on x [rows, heads·d]:
//   (x1, x2) = (x[i], x[i + d/2])  →  (x1·cos θ − x2·sin θ,  x2·cos θ + x1·sin θ),
//   θ = position · inv_freq[i],  i < d/2.
// The host computes inv_freq (float64: base^(−2i/d), with Llama 3 scaling where the model has it;
// src/model/rope.ts), so one kernel serves every frequency scheme.
// The angle and its sine/cosine are computed in float64, as the CPU reference does: in float32
// the angle alone loses ~pos·6e-8 radians, already 2.4e-4 at position 4096. sincospi takes the
// angle in half-turns, whose range reduction is exact (sincos on radians needs a slow path
// with a local-memory table for large arguments).
//
// One thread per (row, i) computes sincos once and applies it to every head of the row.
#include "common.cuh"
#include "launch.h"

namespace {

// grid: ceil(rows · d/2 / 256); block: 256.
template <typename T>
__global__ void rope_kernel(T* __restrict__ out, const T* __restrict__ x, const int* __restrict__ positions,
                            const double* __restrict__ inv_freq, int rows, int cols, int d) {
  const int half = d / 2;
  const long long idx = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (idx >= (long long)rows * half) return;
  const int row = int(idx / half), i = int(idx % half);
  constexpr double PI = 3.141592653589793;
  double s, c;
  sincospi(double(positions[row]) * inv_freq[i] / PI, &s, &c);
  const float sn = float(s), cs = float(c);
  const size_t base = size_t(row) * cols;
  for (int h = 0; h < cols / d; h++) {
    const size_t a = base + size_t(h) * d + i;
    const float x1 = to_float(x[a]), x2 = to_float(x[a + half]);
    out[a] = from_float<T>(x1 * cs - x2 * sn);
    out[a + half] = from_float<T>(x2 * cs + x1 * sn);
  }
}

}  // namespace

cudaError_t rope(DType t, void* out, const void* x, const int* positions, const double* inv_freq, int rows, int cols,
                 int head_dim, cudaStream_t stream) {
  return with_dtype(t, [&](auto tag) {
    using T = decltype(tag);
    rope_kernel<T><<<blocks_for((long long)rows * (head_dim / 2), 256), 256, 0, stream>>>(
        static_cast<T*>(out), static_cast<const T*>(x), positions, inv_freq, rows, cols, head_dim);
    return cudaGetLastError();
  });
}
