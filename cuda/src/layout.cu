// Data movement for the Ops layout operators; element size is all that matters here, so rows
// move as the widest words that divide their byte length (see with_word).
//
//   gather_rows   out [count, width] = src[rows[r], :]        embedding, selectRows
//   select_cols   out [rows, count]  = x[:, cols[j]]           Ulysses pack: heads in send order
//   swap_blocks   x [a, b, w] → out [b, a, w]                  colBlocksToRows (a = n, b = s) and
//                                                               rowBlocksToCols (a = s, b = n)
#include "common.cuh"
#include "launch.h"

namespace {

// One thread per word of the output. grid: ceil(count · words / 256); block: 256.
template <typename W>
__global__ void gather_rows_kernel(W* __restrict__ out, const W* __restrict__ src, const int* __restrict__ rows,
                                   int count, int words) {
  const long long idx = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (idx >= (long long)count * words) return;
  const long long r = idx / words, c = idx % words;
  out[idx] = src[(long long)rows[r] * words + c];
}

// One thread per output element; consecutive threads read mostly consecutive columns.
template <typename E>
__global__ void select_cols_kernel(E* __restrict__ out, const E* __restrict__ x, const int* __restrict__ cols, int rows,
                                   int in_cols, int count) {
  const long long idx = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (idx >= (long long)rows * count) return;
  const long long r = idx / count, j = idx % count;
  out[idx] = x[r * in_cols + cols[j]];
}

// out[j, i, :] = x[i, j, :], one thread per output word.
template <typename W>
__global__ void swap_blocks_kernel(W* __restrict__ out, const W* __restrict__ x, int a, int b, int words) {
  const long long idx = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (idx >= (long long)a * b * words) return;
  const long long c = idx % words, i = (idx / words) % a, j = idx / words / a;
  out[idx] = x[(i * b + j) * words + c];
}

}  // namespace

cudaError_t gather_rows(int elem_bytes, void* out, const void* src, const int* rows, int count, int width,
                        cudaStream_t stream) {
  const long long bytes = (long long)width * elem_bytes;
  return with_word(bytes, [&](auto tag) {
    using W = decltype(tag);
    const int words = int(bytes / sizeof(W));
    gather_rows_kernel<W><<<blocks_for((long long)count * words, 256), 256, 0, stream>>>(
        static_cast<W*>(out), static_cast<const W*>(src), rows, count, words);
    return cudaGetLastError();
  });
}

cudaError_t select_cols(int elem_bytes, void* out, const void* x, const int* cols, int rows, int in_cols, int count,
                        cudaStream_t stream) {
  const unsigned grid = blocks_for((long long)rows * count, 256);
  if (elem_bytes == 4) {
    select_cols_kernel<unsigned><<<grid, 256, 0, stream>>>(static_cast<unsigned*>(out), static_cast<const unsigned*>(x),
                                                           cols, rows, in_cols, count);
  } else {
    select_cols_kernel<unsigned short><<<grid, 256, 0, stream>>>(
        static_cast<unsigned short*>(out), static_cast<const unsigned short*>(x), cols, rows, in_cols, count);
  }
  return cudaGetLastError();
}

cudaError_t swap_blocks(int elem_bytes, void* out, const void* x, int a, int b, int w, cudaStream_t stream) {
  const long long bytes = (long long)w * elem_bytes;
  return with_word(bytes, [&](auto tag) {
    using W = decltype(tag);
    const int words = int(bytes / sizeof(W));
    swap_blocks_kernel<W><<<blocks_for((long long)a * b * words, 256), 256, 0, stream>>>(
        static_cast<W*>(out), static_cast<const W*>(x), a, b, words);
    return cudaGetLastError();
  });
}
