// BF16 GEMM on the tensor cores: C [M, N] = A [M, K] · B [K, N], FP32 accumulation.
//
//   A  activations, row-major bf16 (K contiguous)
//   B  weights, row-major bf16 [K, N] (N contiguous) — the x·W convention of src/model/weights.ts
//   C  bf16, or FP32 partials [split, M, N] when K is split across CTAs
//
// One CTA computes a BM×BN tile of C. K advances in BK = 32 steps through a STAGES-deep ring
// of shared-memory tiles filled by cp.async (16-byte chunks), so loads of tile k+STAGES-1
// overlap the math of tile k. Each warp owns a WM×WN sub-tile: fragments come from shared
// memory with ldmatrix (A as stored; B with .trans, because mma wants B column-major and the
// weights are row-major), and mma.sync.m16n8k16 accumulates into registers.
//
// Shared-memory rows are padded by 8 elements (16 bytes): the 8 row addresses of one ldmatrix
// phase then fall in 8 different 16-byte bank groups (row strides 80 B for A, 272 B for B).
//
// Small M (decode) leaves most tiles of a plain grid idle, so the host splits K (split-K) until
// the grid covers the GPU; the FP32 partials are summed in a fixed order (deterministic).
#include "common.cuh"
#include "launch.h"

namespace {

constexpr int BK = 32;
constexpr int PAD = 8;

template <int BM_, int BN_, int WM_, int WN_, int STAGES_>
struct Tile {
  static constexpr int BM = BM_, BN = BN_, WM = WM_, WN = WN_, STAGES = STAGES_;
  static constexpr int WARPS_M = BM / WM, WARPS_N = BN / WN;
  static constexpr int THREADS = WARPS_M * WARPS_N * 32;
  static constexpr int MI = WM / 16;  // m16 fragments per warp
  static constexpr int NI = WN / 8;   // n8 fragments per warp
  static constexpr int A_LD = BK + PAD;  // A tile row stride (elements)
  static constexpr int B_LD = BN + PAD;  // B tile row stride (elements)
  static constexpr int A_STAGE = BM * A_LD;
  static constexpr int B_STAGE = BK * B_LD;
  static constexpr size_t SMEM = size_t(STAGES) * (A_STAGE + B_STAGE) * sizeof(bf16);
  static_assert(WM % 16 == 0 && WN % 16 == 0, "warp tiles are whole m16 × (2·n8) fragments");
};

// The three shapes GemmTile names: M ≤ 16 (decode, weight streaming), M ≤ 64, larger M.
using TileM16 = Tile<16, 128, 16, 16, 4>;
using TileM64 = Tile<64, 128, 32, 32, 4>;
using TileM128 = Tile<128, 128, 64, 32, 4>;

__device__ __forceinline__ unsigned smem_addr(const void* p) { return static_cast<unsigned>(__cvta_generic_to_shared(p)); }

/** Four 8×8 b16 matrices; lane i supplies the row address of matrix i/8, row i%8. */
__device__ __forceinline__ void ldmatrix_x4(unsigned (&r)[4], const bf16* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_addr(p)));
}

/** As ldmatrix_x4, each matrix transposed on the way (row-major [k][n] → mma's B layout). */
__device__ __forceinline__ void ldmatrix_x4_trans(unsigned (&r)[4], const bf16* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_addr(p)));
}

/** d += a · b for one m16n8k16 fragment (a: 4 regs of bf16 pairs, b: 2, d: 4 floats). */
__device__ __forceinline__ void mma_bf16(float (&d)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ void store_pair(float* p, float x, float y) { *reinterpret_cast<float2*>(p) = make_float2(x, y); }
__device__ __forceinline__ void store_pair(bf16* p, float x, float y) {
  *reinterpret_cast<__nv_bfloat162*>(p) = __floats2bfloat162_rn(x, y);
}

/**
 * Grouped rasterization: consecutive CTAs walk GROUP_M row tiles down one column band before
 * moving right, so a wave of CTAs shares both its A rows and its B columns in L2.
 */
__device__ __forceinline__ void tile_coords(int pid, int tiles_m, int tiles_n, int& tm, int& tn) {
  constexpr int GROUP_M = 8;
  const int per_group = GROUP_M * tiles_n;
  const int first_m = (pid / per_group) * GROUP_M;
  const int group_rows = min(tiles_m - first_m, GROUP_M);
  tm = first_m + (pid % per_group) % group_rows;
  tn = (pid % per_group) / group_rows;
}

// grid: (tiles_m · tiles_n, splits); block: Cfg::THREADS; dynamic smem: Cfg::SMEM.
template <class Cfg, typename TOut>
__global__ void __launch_bounds__(Cfg::THREADS) gemm_bf16_kernel(const bf16* __restrict__ A, const bf16* __restrict__ B,
                                                                   TOut* __restrict__ C, int M, int N, int K,
                                                                   int k_tiles_per_split, int tiles_m, int tiles_n) {
  extern __shared__ __align__(16) unsigned char smem[];
  bf16* As = reinterpret_cast<bf16*>(smem);   // [STAGES][BM][A_LD]
  bf16* Bs = As + Cfg::STAGES * Cfg::A_STAGE;  // [STAGES][BK][B_LD]

  int tm, tn;
  tile_coords(blockIdx.x, tiles_m, tiles_n, tm, tn);
  const int m0 = tm * Cfg::BM, n0 = tn * Cfg::BN;
  const int kt_begin = blockIdx.y * k_tiles_per_split;
  const int k_tiles = min(k_tiles_per_split, (K + BK - 1) / BK - kt_begin);
  C += size_t(blockIdx.y) * M * N;  // split s writes its own [M, N] slab (s = 0 without split-K)

  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
  const int wm = warp / Cfg::WARPS_N, wn = warp % Cfg::WARPS_N;

  // Tile kt of this split → stage `stage`; chunks past M, N or K are zero-filled.
  auto load_tile = [&](int stage, int kt) {
    const int k0 = (kt_begin + kt) * BK;
    bf16* as = As + stage * Cfg::A_STAGE;
    bf16* bs = Bs + stage * Cfg::B_STAGE;
    for (int c = tid; c < Cfg::BM * (BK / 8); c += Cfg::THREADS) {
      const int r = c / (BK / 8), col = (c % (BK / 8)) * 8;
      const bool ok = m0 + r < M && k0 + col < K;
      cp_async16(as + r * Cfg::A_LD + col, ok ? A + size_t(m0 + r) * K + k0 + col : A, ok);
    }
    for (int c = tid; c < BK * (Cfg::BN / 8); c += Cfg::THREADS) {
      const int r = c / (Cfg::BN / 8), col = (c % (Cfg::BN / 8)) * 8;
      const bool ok = k0 + r < K && n0 + col < N;
      cp_async16(bs + r * Cfg::B_LD + col, ok ? B + size_t(k0 + r) * N + n0 + col : B, ok);
    }
  };

  float acc[Cfg::MI][Cfg::NI][4] = {};

  // Prologue: STAGES-1 tiles in flight. Every iteration commits one group (possibly empty), so
  // "wait until STAGES-2 groups remain" always means "tile kt has landed".
#pragma unroll
  for (int s = 0; s < Cfg::STAGES - 1; s++) {
    if (s < k_tiles) load_tile(s, s);
    cp_async_commit();
  }

  for (int kt = 0; kt < k_tiles; kt++) {
    cp_async_wait<Cfg::STAGES - 2>();
    __syncthreads();  // tile kt visible to all; every warp is done with tile kt-1's stage
    const int next = kt + Cfg::STAGES - 1;
    if (next < k_tiles) load_tile(next % Cfg::STAGES, next);
    cp_async_commit();

    const bf16* as = As + (kt % Cfg::STAGES) * Cfg::A_STAGE + (wm * Cfg::WM) * Cfg::A_LD;
    const bf16* bs = Bs + (kt % Cfg::STAGES) * Cfg::B_STAGE + wn * Cfg::WN;
#pragma unroll
    for (int kk = 0; kk < BK; kk += 16) {
      unsigned a[Cfg::MI][4];
      unsigned b[Cfg::NI][2];
      // A fragment mi: rows mi·16 + (lane % 16), columns kk + 8·(lane / 16).
#pragma unroll
      for (int mi = 0; mi < Cfg::MI; mi++) ldmatrix_x4(a[mi], as + (mi * 16 + lane % 16) * Cfg::A_LD + kk + (lane / 16) * 8);
      // B fragments 2j, 2j+1: k rows kk + (lane % 16), columns j·16 + 8·(lane / 16).
#pragma unroll
      for (int j = 0; j < Cfg::NI / 2; j++) {
        unsigned r[4];
        ldmatrix_x4_trans(r, bs + (kk + lane % 16) * Cfg::B_LD + j * 16 + (lane / 16) * 8);
        b[2 * j][0] = r[0];
        b[2 * j][1] = r[1];
        b[2 * j + 1][0] = r[2];
        b[2 * j + 1][1] = r[3];
      }
#pragma unroll
      for (int mi = 0; mi < Cfg::MI; mi++)
#pragma unroll
        for (int ni = 0; ni < Cfg::NI; ni++) mma_bf16(acc[mi][ni], a[mi], b[ni][0], b[ni][1]);
    }
  }
  cp_async_wait<0>();

  // Accumulator layout of m16n8: d0,d1 at (row lane/4, columns 2·(lane%4) + {0,1}); d2,d3 8 rows down.
#pragma unroll
  for (int mi = 0; mi < Cfg::MI; mi++) {
    const int row = m0 + wm * Cfg::WM + mi * 16 + lane / 4;
#pragma unroll
    for (int ni = 0; ni < Cfg::NI; ni++) {
      const int col = n0 + wn * Cfg::WN + ni * 8 + (lane % 4) * 2;
      if (col >= N) continue;
      if (row < M) store_pair(C + size_t(row) * N + col, acc[mi][ni][0], acc[mi][ni][1]);
      if (row + 8 < M) store_pair(C + size_t(row + 8) * N + col, acc[mi][ni][2], acc[mi][ni][3]);
    }
  }
}

// C [n] = Σ_s partial[s, n] in split order, four elements per thread (n % 4 == 0 since N % 8 == 0).
__global__ void splitk_sum_kernel(bf16* __restrict__ C, const float* __restrict__ partial, int splits, long long n) {
  const long long i = (blockIdx.x * (long long)blockDim.x + threadIdx.x) * 4;
  if (i >= n) return;
  float4 s = reinterpret_cast<const float4*>(partial + i)[0];
  for (int k = 1; k < splits; k++) {
    const float4 p = reinterpret_cast<const float4*>(partial + size_t(k) * n + i)[0];
    s.x += p.x, s.y += p.y, s.z += p.z, s.w += p.w;
  }
  store_pair(C + i, s.x, s.y);
  store_pair(C + i + 2, s.z, s.w);
}

template <class Cfg>
cudaError_t launch(void* c, const void* a, const void* b, int M, int N, int K, int splits, int k_tiles_per_split,
                   float* workspace, cudaStream_t stream) {
  const int tiles_m = (M + Cfg::BM - 1) / Cfg::BM, tiles_n = (N + Cfg::BN - 1) / Cfg::BN;
  const dim3 grid(tiles_m * tiles_n, splits);
  const auto* A = static_cast<const bf16*>(a);
  const auto* B = static_cast<const bf16*>(b);
  if (splits == 1) {
    auto kernel = gemm_bf16_kernel<Cfg, bf16>;
    cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(Cfg::SMEM));
    if (e != cudaSuccess) return e;
    kernel<<<grid, Cfg::THREADS, Cfg::SMEM, stream>>>(A, B, static_cast<bf16*>(c), M, N, K, k_tiles_per_split, tiles_m,
                                                      tiles_n);
    return cudaGetLastError();
  }
  auto kernel = gemm_bf16_kernel<Cfg, float>;
  cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(Cfg::SMEM));
  if (e != cudaSuccess) return e;
  kernel<<<grid, Cfg::THREADS, Cfg::SMEM, stream>>>(A, B, workspace, M, N, K, k_tiles_per_split, tiles_m, tiles_n);
  if ((e = cudaGetLastError()) != cudaSuccess) return e;
  const long long n = (long long)M * N;
  splitk_sum_kernel<<<blocks_for(n / 4, 256), 256, 0, stream>>>(static_cast<bf16*>(c), workspace, splits, n);
  return cudaGetLastError();
}

}  // namespace

cudaError_t gemm_bf16(void* c, const void* a, const void* b, int M, int N, int K, GemmTile tile, int splits,
                      int k_tiles_per_split, float* workspace, cudaStream_t stream) {
  switch (tile) {
    case GemmTile::M16: return launch<TileM16>(c, a, b, M, N, K, splits, k_tiles_per_split, workspace, stream);
    case GemmTile::M64: return launch<TileM64>(c, a, b, M, N, K, splits, k_tiles_per_split, workspace, stream);
    case GemmTile::M128: return launch<TileM128>(c, a, b, M, N, K, splits, k_tiles_per_split, workspace, stream);
  }
  return cudaErrorInvalidValue;
}
