// Host entry points of the kernels. Each enqueues its work on `stream` and returns the launch's
// error (cudaGetLastError after the launch); none synchronizes. Shapes are in elements, matrices
// row-major. The binding (binding/*.cpp) checks buffer sizes before calling these.
#pragma once

#include <cuda_runtime.h>

#include "dtype.h"

// --- GEMM: C [M, N] = A [M, K] · B [K, N] -------------------------------------------------------

/** Float32 on the CUDA cores, one thread per 4×4 outputs; deterministic k order. */
cudaError_t gemm_f32(float* c, const float* a, const float* b, int M, int N, int K, cudaStream_t stream);

/** CTA tile shapes of the BF16 tensor-core GEMM, picked per M by src/ops/cuda-plan.ts. */
enum class GemmTile : int { M16 = 0, M64 = 1, M128 = 2 };

/**
 * BF16 in, FP32 accumulate, BF16 out (mma.sync m16n8k16). Needs K % 8 == 0 and N % 8 == 0
 * (16-byte row chunks). With splits > 1 each of the `splits` K ranges (k_tiles_per_split tiles
 * of 32) writes FP32 partials to `workspace` [splits, M, N], summed in split order into C.
 */
cudaError_t gemm_bf16(void* c, const void* a, const void* b, int M, int N, int K, GemmTile tile, int splits,
                      int k_tiles_per_split, float* workspace, cudaStream_t stream);

// --- Elementwise and normalisation --------------------------------------------------------------

/** RMSNorm over each contiguous group of `group` columns of x [rows, cols]; gain [group] float. */
cudaError_t rms_norm(DType t, void* out, const void* x, const float* gain, int rows, int cols, int group, float eps,
                     cudaStream_t stream);

/** Rotate-half RoPE on x [rows, cols] (heads of head_dim) at positions [rows] with inverse frequencies
 *  inv_freq [head_dim / 2] (float64); angles in float64. */
cudaError_t rope(DType t, void* out, const void* x, const int* positions, const double* inv_freq, int rows, int cols,
                 int head_dim, cudaStream_t stream);

/** x [rows, 2f] → out [rows, f] = silu(x[:, :f]) · x[:, f:]. */
cudaError_t silu_mul(DType t, void* out, const void* x, int rows, int f, cudaStream_t stream);

/** out [n] = a + b. */
cudaError_t add(DType t, void* out, const void* a, const void* b, long long n, cudaStream_t stream);

/** out [n] = Σ_k src[k·n + e] over `blocks` blocks, in block order (the collectives' reduction). */
cudaError_t sum_blocks(DType t, void* out, const void* src, int blocks, long long n, cudaStream_t stream);

/** Row-wise argmax of x [rows, cols] into out [rows]; the first maximum wins. */
cudaError_t argmax_rows(DType t, int* out, const void* x, int rows, int cols, cudaStream_t stream);

// --- Data movement (element size only matters) --------------------------------------------------

/** out [count, width] = src[rows[r], :] (embedding lookup, selectRows). */
cudaError_t gather_rows(int elem_bytes, void* out, const void* src, const int* rows, int count, int width,
                        cudaStream_t stream);

/** out [rows, count] = x [rows, in_cols][:, cols[j]] (Ulysses pack column selection). */
cudaError_t select_cols(int elem_bytes, void* out, const void* x, const int* cols, int rows, int in_cols, int count,
                        cudaStream_t stream);

/** x viewed [a, b, w] → out [b, a, w] (Ulysses colBlocksToRows / rowBlocksToCols). */
cudaError_t swap_blocks(int elem_bytes, void* out, const void* x, int a, int b, int w, cudaStream_t stream);

/** k, v [n, width] → cache rows slots[i] of one layer's [slots, width] K and V; slot -1 skipped. */
cudaError_t write_kv(int elem_bytes, void* k_cache, void* v_cache, const void* k, const void* v, const int* slots, int n,
                     int width, cudaStream_t stream);

// --- Attention over the paged KV cache ----------------------------------------------------------

/**
 * Causal attention of q [N, q_heads·head_dim] over one layer's paged cache [slots, kv_heads,
 * head_dim] (K and V), written to out [N, q_heads·head_dim]. The work list comes from
 * src/ops/cuda-plan.ts (planAttention), whose comment describes the int layouts:
 *   items   [num_items, 9]   one CTA each: a tile of query rows × heads of one KV head, over a
 *                            context range; item[8] ≥ 0 routes it to a partial slot
 *   seqs    [seqs, 4]        rowStart, queryLen, contextLen, offset of its block table
 *   tables                   block tables, concatenated
 *   combine [num_combine, 8] merges the partials of a context-split item into out
 * `rows` (8 or 16) is the query-row capacity of one item; partials holds
 * [partials, rows, head_dim + 2] floats.
 */
struct AttentionArgs {
  DType dtype;
  void* out;
  const void* q;
  const void* k_cache;
  const void* v_cache;
  const int* items;
  int num_items;
  const int* seqs;
  const int* tables;
  const int* combine;
  int num_combine;
  float* partials;
  int q_heads;
  int kv_heads;
  int head_dim;
  int block_size;
  int rows;
  float scale;
};

cudaError_t paged_attention(const AttentionArgs& args, cudaStream_t stream);
