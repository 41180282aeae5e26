// Every CUDA call is checked; a failure becomes a JS exception carrying the CUDA error's code
// and name (e.g. 35 cudaErrorInsufficientDriver, 100 cudaErrorNoDevice).
#pragma once

#include <cuda_runtime.h>
#include <napi.h>

/** Throws the registered CudaError class (or an Error with the same fields) for `e`. */
[[noreturn]] void throw_cuda(Napi::Env env, cudaError_t e, const char* call);

inline void check(Napi::Env env, cudaError_t e, const char* call) {
  if (e != cudaSuccess) throw_cuda(env, e, call);
}
