// Element types of device tensors, shared by the kernels (nvcc) and the binding (g++).
#pragma once

enum class DType : int { F32 = 0, BF16 = 1 };

inline int dtype_bytes(DType t) { return t == DType::F32 ? 4 : 2; }
