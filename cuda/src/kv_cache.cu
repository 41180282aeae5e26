// Writes this step's K and V rows into one layer of the paged cache.
//
//   cache (per layer, K and V alike): [blocks · block_size slots, g·d]   slot-major, as the
//   CPU backend and the reference keep it; slot = block_table[pos / bs] · bs + pos mod bs
//
// slots[n] = -1 marks a padding row (sequence parallelism pads the batch): nothing is written.
#include "common.cuh"
#include "launch.h"

namespace {

// One thread per word of a row, K and V together. grid: ceil(n · words / 256); block: 256.
template <typename W>
__global__ void write_kv_kernel(W* __restrict__ k_cache, W* __restrict__ v_cache, const W* __restrict__ k,
                                const W* __restrict__ v, const int* __restrict__ slots, int n, int words) {
  const long long idx = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (idx >= (long long)n * words) return;
  const long long row = idx / words, c = idx % words;
  const int slot = slots[row];
  if (slot < 0) return;
  k_cache[(long long)slot * words + c] = k[idx];
  v_cache[(long long)slot * words + c] = v[idx];
}

}  // namespace

cudaError_t write_kv(int elem_bytes, void* k_cache, void* v_cache, const void* k, const void* v, const int* slots, int n,
                     int width, cudaStream_t stream) {
  const long long bytes = (long long)width * elem_bytes;
  return with_word(bytes, [&](auto tag) {
    using W = decltype(tag);
    const int words = int(bytes / sizeof(W));
    write_kv_kernel<W><<<blocks_for((long long)n * words, 256), 256, 0, stream>>>(
        static_cast<W*>(k_cache), static_cast<W*>(v_cache), static_cast<const W*>(k), static_cast<const W*>(v), slots, n,
        words);
    return cudaGetLastError();
  });
}
