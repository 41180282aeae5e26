// Causal attention over the paged KV cache, prefill chunks and decodes alike, with online
// softmax (one pass over the context) and GQA (the query heads of one KV head share its loads).
//
//   q      [N, hq·d]              this rank's query heads, rows of all sequences concatenated
//   cache  [slots, g, d]          one layer's K (and V): slot = table[pos / bs]·bs + pos mod bs
//   out    [N, hq·d]
//
// Work item = one CTA (planned on the host, src/ops/cuda-plan.ts): the R = nq·nh query rows made
// of nq consecutive queries × nh heads of KV head `kvh`, over context positions [c0, c1).
// Rows r = qi·nh + hh (query qi, head kvh·G + h0 + hh), at position
//   ctx − qlen + q0 + qi, which sees positions ≤ that (causal).
//
// Inside a CTA of NW warps, warp w takes the 32-position tiles base = c0 + 32·(w + NW·i):
//   1. cp.async gathers the tile's K and V rows (16-byte chunks, zero-filled past c1) into
//      the warp's own shared buffers; rows come from wherever the block table points.
//   2. lane = position: scores s[r] = q_r · k_lane for all R rows (q pre-scaled, in smem).
//   3. online softmax per row over the 32 lanes (warp max and sum): running max m, sum l.
//   4. lane = head dims: o[r][·] += Σ_t p[r][t] · v_t, p broadcast by shuffle.
// Then the warps' (m, l, o) are merged through shared memory. A context split into several
// items (flash-decoding, when there are too few items to fill the GPU) writes (o/l, m, l) to a
// partial slot instead, and combine_kernel merges the slots of one split in order.
//
// The math is float32 for both element types (bf16 values widen on load). CUDA-core SIMT: the
// decode path is bound by KV bytes; long prefills are FLOP-bound here (no tensor cores).
#include "common.cuh"
#include "launch.h"

namespace {

constexpr int NW = 4;     // warps per CTA
constexpr int TILE = 32;  // positions per warp per step (one per lane)

template <typename T, int D, int RMAX>
struct Layout {
  static constexpr int E = vec16<T>;                // elements per 16-byte chunk
  static constexpr int K_LD = D + E;                // K row stride: 16-byte pad, conflict-free rows
  static constexpr int DPL = D >= 32 ? D / 32 : 1;  // head dims per lane in step 4
  static constexpr size_t Q_BYTES = size_t(RMAX) * D * sizeof(float);
  static constexpr size_t WARP_ELEMS = size_t(TILE) * K_LD + size_t(TILE) * D;
  static constexpr size_t TILES_BYTES = NW * WARP_ELEMS * sizeof(T);
  static constexpr size_t MERGE_BYTES = size_t(NW) * RMAX * (D + 2) * sizeof(float);
  static constexpr size_t SMEM = Q_BYTES + (TILES_BYTES > MERGE_BYTES ? TILES_BYTES : MERGE_BYTES);
};

/** out element offset of row r of an item: query row, then head column block. */
struct RowMap {
  int row0, nh, head0, q_stride;
  __device__ __forceinline__ size_t at(int r, int D) const {
    return size_t(row0 + r / nh) * q_stride + size_t(head0 + r % nh) * D;
  }
};

// grid: num_items; block: NW·32; dynamic smem: Layout::SMEM.
template <typename T, int D, int RMAX>
__global__ void __launch_bounds__(NW * 32, 1) attention_kernel(AttentionArgs a) {
  using L = Layout<T, D, RMAX>;
  extern __shared__ __align__(16) unsigned char smem[];
  float* Qs = reinterpret_cast<float*>(smem);  // [RMAX][D], pre-scaled
  unsigned char* region = smem + L::Q_BYTES;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  T* Ks = reinterpret_cast<T*>(region) + warp * L::WARP_ELEMS;  // [TILE][K_LD]
  T* Vs = Ks + TILE * L::K_LD;                                  // [TILE][D]

  const int* it = a.items + blockIdx.x * 9;
  const int seq = it[0], kvh = it[1], q0 = it[2], nq = it[3], h0 = it[4], nh = it[5], c0 = it[6], c1 = it[7];
  const int part = it[8];
  const int* sq = a.seqs + seq * 4;
  const int qlen = sq[1], ctx = sq[2];
  const int* table = a.tables + sq[3];
  const int R = nq * nh;
  const RowMap map{sq[0] + q0, nh, kvh * (a.q_heads / a.kv_heads) + h0, a.q_heads * D};

  const T* q = static_cast<const T*>(a.q);
  for (int i = threadIdx.x; i < RMAX * D; i += NW * 32) {
    const int r = i / D, c = i % D;
    Qs[i] = r < R ? to_float(q[map.at(r, D) + c]) * a.scale : 0.f;
  }
  __syncthreads();

  int last[RMAX];  // last position row r may see
  float m[RMAX], l[RMAX], o[RMAX][L::DPL];
#pragma unroll
  for (int r = 0; r < RMAX; r++) {
    last[r] = r < R ? ctx - qlen + q0 + r / nh : -1;
    m[r] = -INFINITY;
    l[r] = 0.f;
#pragma unroll
    for (int j = 0; j < L::DPL; j++) o[r][j] = 0.f;
  }

  const T* kc = static_cast<const T*>(a.k_cache);
  const T* vc = static_cast<const T*>(a.v_cache);
  constexpr int CH = D / L::E;  // 16-byte chunks per K or V row
  for (int base = c0 + warp * TILE; base < c1; base += NW * TILE) {
    const int pos = base + lane;
    const bool valid = pos < c1;
    const long long slot = valid ? (long long)table[pos / a.block_size] * a.block_size + pos % a.block_size : 0;

    // 1. Gather: chunk i is row t = i / CH (slot from lane t), chunk i % CH of it.
#pragma unroll 4
    for (int i = lane; i < TILE * CH; i += 32) {
      const int t = i / CH, ch = i % CH;
      const long long st = __shfl_sync(FULL_MASK, slot, t);
      const bool vt = __shfl_sync(FULL_MASK, int(valid), t) != 0;
      const size_t off = (size_t(st) * a.kv_heads + kvh) * D + ch * L::E;
      cp_async16(Ks + t * L::K_LD + ch * L::E, kc + off, vt);
      cp_async16(Vs + t * D + ch * L::E, vc + off, vt);
    }
    cp_async_commit();
    cp_async_wait<0>();
    __syncwarp();

    // 2. Scores of this lane's position for every row.
    float s[RMAX];
#pragma unroll
    for (int r = 0; r < RMAX; r++) s[r] = 0.f;
#pragma unroll 4
    for (int c = 0; c < D; c += L::E) {
      float k[L::E];
      load_floats<T, L::E>(Ks + lane * L::K_LD + c, k);
#pragma unroll
      for (int r = 0; r < RMAX; r++) {
        if (r >= R) break;
        const float4* qv = reinterpret_cast<const float4*>(Qs + r * D + c);
#pragma unroll
        for (int e = 0; e < L::E / 4; e++) {
          const float4 x = qv[e];
          s[r] += x.x * k[4 * e] + x.y * k[4 * e + 1] + x.z * k[4 * e + 2] + x.w * k[4 * e + 3];
        }
      }
    }

    // 3. Online softmax; s[r] becomes p[r] (0 where masked).
#pragma unroll
    for (int r = 0; r < RMAX; r++) {
      if (r >= R) break;
      const bool ok = valid && pos <= last[r];
      const float sv = ok ? s[r] : -INFINITY;
      const float m_new = fmaxf(m[r], warp_max(sv));
      float p = 0.f, scale_old = 1.f;
      if (m_new != -INFINITY) {  // else nothing visible yet: keep l = 0, o = 0
        p = ok ? expf(sv - m_new) : 0.f;
        scale_old = expf(m[r] - m_new);  // 0 when m was -inf
      }
      l[r] = l[r] * scale_old + warp_sum(p);
      m[r] = m_new;
#pragma unroll
      for (int j = 0; j < L::DPL; j++) o[r][j] *= scale_old;
      s[r] = p;
    }

    // 4. o += p · V, lanes over head dims (lanes ≥ D idle when D < 32).
#pragma unroll 4
    for (int t = 0; t < TILE; t++) {
      float v[L::DPL];
      if (lane * L::DPL < D) {
        load_floats<T, L::DPL>(Vs + t * D + lane * L::DPL, v);
      } else {
#pragma unroll
        for (int j = 0; j < L::DPL; j++) v[j] = 0.f;
      }
#pragma unroll
      for (int r = 0; r < RMAX; r++) {
        if (r >= R) break;
        const float pt = __shfl_sync(FULL_MASK, s[r], t);
#pragma unroll
        for (int j = 0; j < L::DPL; j++) o[r][j] += pt * v[j];
      }
    }
    __syncwarp();  // the next tile's gather overwrites Ks and Vs
  }

  // Merge the warps' states (the tiles' shared memory is reused for it).
  __syncthreads();
  float* wm = reinterpret_cast<float*>(region);  // [NW][RMAX]
  float* wl = wm + NW * RMAX;                     // [NW][RMAX]
  float* wo = wl + NW * RMAX;                     // [NW][RMAX][D]
#pragma unroll
  for (int r = 0; r < RMAX; r++) {
    if (r >= R) break;
    if (lane == 0) wm[warp * RMAX + r] = m[r], wl[warp * RMAX + r] = l[r];
#pragma unroll
    for (int j = 0; j < L::DPL; j++)
      if (lane * L::DPL + j < D) wo[(warp * RMAX + r) * D + lane * L::DPL + j] = o[r][j];
  }
  __syncthreads();
  T* out = static_cast<T*>(a.out);
  float* slot_out = part >= 0 ? a.partials + size_t(part) * RMAX * (D + 2) : nullptr;  // [O: RMAX·D][M: RMAX][L: RMAX]
  for (int i = threadIdx.x; i < R * D; i += NW * 32) {
    const int r = i / D, c = i % D;
    float mx = -INFINITY;
    for (int w = 0; w < NW; w++) mx = fmaxf(mx, wm[w * RMAX + r]);
    float sum = 0.f, acc = 0.f;
    for (int w = 0; w < NW; w++) {
      if (wm[w * RMAX + r] == -INFINITY) continue;
      const float e = expf(wm[w * RMAX + r] - mx);
      sum += e * wl[w * RMAX + r];
      acc += e * wo[(w * RMAX + r) * D + c];
    }
    const float val = sum > 0.f ? acc / sum : 0.f;
    if (!slot_out) {
      out[map.at(r, D) + c] = from_float<T>(val);
    } else {
      slot_out[r * D + c] = val;
      if (c == 0) slot_out[RMAX * D + r] = mx, slot_out[RMAX * D + RMAX + r] = sum;
    }
  }
}

// Merges the `count` partial slots of one context-split item, in slot order.
// combine entry: seq, kvh, q0, nq, h0, nh, first slot, count. grid: num_combine; block: 128.
template <typename T>
__global__ void combine_kernel(AttentionArgs a) {
  const int* it = a.combine + blockIdx.x * 8;
  const int seq = it[0], kvh = it[1], q0 = it[2], nq = it[3], h0 = it[4], nh = it[5], first = it[6], count = it[7];
  const int D = a.head_dim, RMAX = a.rows, R = nq * nh;
  const RowMap map{a.seqs[seq * 4] + q0, nh, kvh * (a.q_heads / a.kv_heads) + h0, a.q_heads * D};
  const size_t stride = size_t(RMAX) * (D + 2);
  T* out = static_cast<T*>(a.out);
  for (int i = threadIdx.x; i < R * D; i += blockDim.x) {
    const int r = i / D, c = i % D;
    float mx = -INFINITY;
    for (int s = 0; s < count; s++) mx = fmaxf(mx, a.partials[(first + s) * stride + RMAX * D + r]);
    float sum = 0.f, acc = 0.f;
    for (int s = 0; s < count; s++) {
      const float* p = a.partials + (first + s) * stride;
      if (p[RMAX * D + r] == -INFINITY) continue;
      const float w = expf(p[RMAX * D + r] - mx) * p[RMAX * D + RMAX + r];
      sum += w;
      acc += w * p[r * D + c];
    }
    out[map.at(r, D) + c] = from_float<T>(sum > 0.f ? acc / sum : 0.f);
  }
}

template <typename T, int D, int RMAX>
cudaError_t launch(const AttentionArgs& a, cudaStream_t stream) {
  using L = Layout<T, D, RMAX>;
  auto kernel = attention_kernel<T, D, RMAX>;
  cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(L::SMEM));
  if (e != cudaSuccess) return e;
  kernel<<<a.num_items, NW * 32, L::SMEM, stream>>>(a);
  if ((e = cudaGetLastError()) != cudaSuccess || a.num_combine == 0) return e;
  combine_kernel<T><<<a.num_combine, 128, 0, stream>>>(a);
  return cudaGetLastError();
}

template <typename T, int RMAX>
cudaError_t by_head_dim(const AttentionArgs& a, cudaStream_t stream) {
  switch (a.head_dim) {
    case 16: return launch<T, 16, RMAX>(a, stream);
    case 32: return launch<T, 32, RMAX>(a, stream);
    case 64: return launch<T, 64, RMAX>(a, stream);
    case 128: return launch<T, 128, RMAX>(a, stream);
  }
  return cudaErrorInvalidValue;  // the binding only passes head dims listed here
}

}  // namespace

cudaError_t paged_attention(const AttentionArgs& a, cudaStream_t stream) {
  return with_dtype(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    return a.rows == 8 ? by_head_dim<T, 8>(a, stream) : by_head_dim<T, 16>(a, stream);
  });
}
