// Device helpers shared by every kernel: element types, conversions, warp reductions, vector
// copies and the asynchronous global→shared copy (cp.async) of sm_80+.
//
// Element types: activations, weights and the KV cache are either float (the exact mode the
// tests compare with the CPU reference) or __nv_bfloat16; all arithmetic is in float.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "dtype.h"

using bf16 = __nv_bfloat16;

__device__ __forceinline__ float to_float(float x) { return x; }
__device__ __forceinline__ float to_float(bf16 x) { return __bfloat162float(x); }

template <typename T>
__device__ __forceinline__ T from_float(float x);
template <>
__device__ __forceinline__ float from_float<float>(float x) { return x; }
template <>
__device__ __forceinline__ bf16 from_float<bf16>(float x) { return __float2bfloat16_rn(x); }

constexpr unsigned FULL_MASK = 0xffffffffu;

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
  return v;
}

__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, o));
  return v;
}

/** Loads N consecutive elements as floats with the widest aligned accesses (16, 8, 4 bytes). */
template <typename T, int N>
__device__ __forceinline__ void load_floats(const T* src, float (&dst)[N]) {
  constexpr int BYTES = N * int(sizeof(T));
  alignas(16) T tmp[N];
  if constexpr (BYTES % 16 == 0) {
#pragma unroll
    for (int i = 0; i < BYTES / 16; i++) reinterpret_cast<uint4*>(tmp)[i] = reinterpret_cast<const uint4*>(src)[i];
  } else if constexpr (BYTES % 8 == 0) {
#pragma unroll
    for (int i = 0; i < BYTES / 8; i++) reinterpret_cast<uint2*>(tmp)[i] = reinterpret_cast<const uint2*>(src)[i];
  } else {
#pragma unroll
    for (int i = 0; i < N; i++) tmp[i] = src[i];
  }
#pragma unroll
  for (int i = 0; i < N; i++) dst[i] = to_float(tmp[i]);
}

/** Stores N floats as consecutive elements with the widest aligned accesses. */
template <typename T, int N>
__device__ __forceinline__ void store_floats(T* dst, const float (&src)[N]) {
  constexpr int BYTES = N * int(sizeof(T));
  alignas(16) T tmp[N];
#pragma unroll
  for (int i = 0; i < N; i++) tmp[i] = from_float<T>(src[i]);
  if constexpr (BYTES % 16 == 0) {
#pragma unroll
    for (int i = 0; i < BYTES / 16; i++) reinterpret_cast<uint4*>(dst)[i] = reinterpret_cast<const uint4*>(tmp)[i];
  } else if constexpr (BYTES % 8 == 0) {
#pragma unroll
    for (int i = 0; i < BYTES / 8; i++) reinterpret_cast<uint2*>(dst)[i] = reinterpret_cast<const uint2*>(tmp)[i];
  } else {
#pragma unroll
    for (int i = 0; i < N; i++) dst[i] = tmp[i];
  }
}

/** Elements of T in one 16-byte access. */
template <typename T>
constexpr int vec16 = 16 / int(sizeof(T));

/**
 * 16-byte asynchronous copy global → shared (cp.async.cg: bypasses L1, lands in L2 and shared).
 * With `valid` false nothing is read and the 16 destination bytes are zero-filled, so padding
 * rows and columns past a matrix edge hold zeros, never stale data.
 */
__device__ __forceinline__ void cp_async16(void* smem, const void* gmem, bool valid) {
  const unsigned dst = static_cast<unsigned>(__cvta_generic_to_shared(smem));
  const int bytes = valid ? 16 : 0;
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(gmem), "r"(bytes));
}

__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }

/** Waits until at most N of this thread's committed cp.async groups are still in flight. */
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

/** Grid size for `n` work items of `per_block` each, as the launch's unsigned. */
inline unsigned blocks_for(long long n, int per_block) { return static_cast<unsigned>((n + per_block - 1) / per_block); }

/** Calls f(T{}) with T = float or bf16 for a run-time DType (generic-lambda dispatch). */
template <class F>
cudaError_t with_dtype(DType t, F&& f) {
  return t == DType::F32 ? f(float{}) : f(bf16{});
}

/**
 * Calls f(V{}) with V the widest word (16, 8, 4 or 2 bytes) dividing `bytes`, for kernels that
 * only move data: a row of `bytes` bytes is then bytes / sizeof(V) words.
 */
template <class F>
cudaError_t with_word(long long bytes, F&& f) {
  if (bytes % 16 == 0) return f(uint4{});
  if (bytes % 8 == 0) return f(uint2{});
  if (bytes % 4 == 0) return f(unsigned{});
  return f(static_cast<unsigned short>(0));
}
