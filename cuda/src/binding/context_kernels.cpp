// Context methods that launch kernels: argument checks, then one call into launch.h.
// Buffer sizes are checked here; index contents (ids, rows, slots, block tables) are checked
// by the TypeScript caller before upload, since they are host data there.
#include <string>

#include "../launch.h"
#include "args.h"
#include "context.h"
#include "errors.h"

namespace {

constexpr size_t F32 = 4, I32 = 4;

size_t es(DType t) { return size_t(dtype_bytes(t)); }

int elem_bytes(const Args& a, size_t i) {
  const int v = a.count(i, "elemBytes");
  if (v != 2 && v != 4) a.fail("elemBytes must be 2 or 4");
  return v;
}

}  // namespace

// gemmF32(out, x, w, M, N, K): out [M, N] = x [M, K] · w [K, N], float32.
Napi::Value Context::GemmF32(const Napi::CallbackInfo& info) {
  Args a(info, "gemmF32", stream_->device);
  const size_t M = a.count(3, "M"), N = a.count(4, "N"), K = a.count(5, "K");
  auto* out = static_cast<float*>(a.span(a.buffer(0, "out"), 0, M * N * F32, "out"));
  auto* x = static_cast<const float*>(a.span(a.buffer(1, "x"), 0, M * K * F32, "x"));
  auto* w = static_cast<const float*>(a.span(a.buffer(2, "w"), 0, K * N * F32, "w"));
  if (M == 0 || N == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), gemm_f32(out, x, w, int(M), int(N), int(K), stream_->stream), "gemm_f32 launch");
  return info.Env().Undefined();
}

// gemmBf16(out, x, w, M, N, K, tile, splits, kTilesPerSplit, workspace | null): bf16 tensor cores.
Napi::Value Context::GemmBf16(const Napi::CallbackInfo& info) {
  Args a(info, "gemmBf16", stream_->device);
  const size_t M = a.count(3, "M"), N = a.count(4, "N"), K = a.count(5, "K");
  const int tile = a.count(6, "tile"), splits = a.count(7, "splits"), per = a.count(8, "kTilesPerSplit");
  if (K % 8 != 0 || N % 8 != 0) a.fail("K and N must be multiples of 8 (16-byte rows), got K " + std::to_string(K) + ", N " + std::to_string(N));
  if (tile > int(GemmTile::M128)) a.fail("tile must be 0 (M16), 1 (M64) or 2 (M128)");
  const int k_tiles = int((K + 31) / 32);
  if (splits < 1 || splits > 65535 || per < 1 || size_t(splits) * per < size_t(k_tiles)) {
    a.fail("splits × kTilesPerSplit must cover the " + std::to_string(k_tiles) + " K tiles");
  }
  void* out = a.span(a.buffer(0, "out"), 0, M * N * 2, "out");
  const void* x = a.span(a.buffer(1, "x"), 0, M * K * 2, "x");
  const void* w = a.span(a.buffer(2, "w"), 0, K * N * 2, "w");
  DeviceBuffer* ws = a.optional_buffer(9, "workspace");
  float* workspace = nullptr;
  if (splits > 1) {
    if (!ws) a.fail("split-K needs a workspace of splits·M·N floats");
    workspace = static_cast<float*>(a.span(*ws, 0, size_t(splits) * M * N * F32, "workspace"));
  }
  if (M == 0 || N == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), gemm_bf16(out, x, w, int(M), int(N), int(K), GemmTile(tile), splits, per, workspace, stream_->stream),
        "gemm_bf16 launch");
  return info.Env().Undefined();
}

// rmsNorm(dtype, out, x, gain, rows, cols, group, eps).
Napi::Value Context::RmsNorm(const Napi::CallbackInfo& info) {
  Args a(info, "rmsNorm", stream_->device);
  const DType t = a.dtype(0);
  const size_t rows = a.count(4, "rows"), cols = a.count(5, "cols"), group = a.count(6, "group");
  const float eps = float(a.number(7, "eps"));
  if (group == 0 || cols % group != 0) a.fail("cols must be a multiple of group");
  void* out = a.span(a.buffer(1, "out"), 0, rows * cols * es(t), "out");
  const void* x = a.span(a.buffer(2, "x"), 0, rows * cols * es(t), "x");
  auto* gain = static_cast<const float*>(a.span(a.buffer(3, "gain"), 0, group * F32, "gain"));
  if (rows == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), rms_norm(t, out, x, gain, int(rows), int(cols), int(group), eps, stream_->stream), "rms_norm launch");
  return info.Env().Undefined();
}

// rope(dtype, out, x, positions, invFreq, rows, cols, headDim): invFreq is float64 [headDim / 2].
Napi::Value Context::Rope(const Napi::CallbackInfo& info) {
  Args a(info, "rope", stream_->device);
  const DType t = a.dtype(0);
  const size_t rows = a.count(5, "rows"), cols = a.count(6, "cols"), d = a.count(7, "headDim");
  if (d == 0 || d % 2 != 0 || cols % d != 0) a.fail("headDim must be even and divide cols");
  void* out = a.span(a.buffer(1, "out"), 0, rows * cols * es(t), "out");
  const void* x = a.span(a.buffer(2, "x"), 0, rows * cols * es(t), "x");
  auto* pos = static_cast<const int*>(a.span(a.buffer(3, "positions"), 0, rows * I32, "positions"));
  auto* inv = static_cast<const double*>(a.span(a.buffer(4, "invFreq"), 0, d / 2 * sizeof(double), "invFreq"));
  if (rows == 0 || cols == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), rope(t, out, x, pos, inv, int(rows), int(cols), int(d), stream_->stream), "rope launch");
  return info.Env().Undefined();
}

// siluMul(dtype, out, x, rows, f): x [rows, 2f] → out [rows, f].
Napi::Value Context::SiluMul(const Napi::CallbackInfo& info) {
  Args a(info, "siluMul", stream_->device);
  const DType t = a.dtype(0);
  const size_t rows = a.count(3, "rows"), f = a.count(4, "f");
  void* out = a.span(a.buffer(1, "out"), 0, rows * f * es(t), "out");
  const void* x = a.span(a.buffer(2, "x"), 0, rows * 2 * f * es(t), "x");
  if (rows == 0 || f == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), silu_mul(t, out, x, int(rows), int(f), stream_->stream), "silu_mul launch");
  return info.Env().Undefined();
}

// add(dtype, out, a, b, n).
Napi::Value Context::Add(const Napi::CallbackInfo& info) {
  Args a(info, "add", stream_->device);
  const DType t = a.dtype(0);
  const size_t n = a.size(4, "n");
  void* out = a.span(a.buffer(1, "out"), 0, n * es(t), "out");
  const void* x = a.span(a.buffer(2, "a"), 0, n * es(t), "a");
  const void* y = a.span(a.buffer(3, "b"), 0, n * es(t), "b");
  if (n == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), add(t, out, x, y, (long long)n, stream_->stream), "add launch");
  return info.Env().Undefined();
}

// sumBlocks(dtype, out, src, blocks, n): out [n] = Σ_k src[k, :].
Napi::Value Context::SumBlocks(const Napi::CallbackInfo& info) {
  Args a(info, "sumBlocks", stream_->device);
  const DType t = a.dtype(0);
  const size_t blocks = a.count(3, "blocks"), n = a.size(4, "n");
  if (blocks == 0) a.fail("blocks must be at least 1");
  void* out = a.span(a.buffer(1, "out"), 0, n * es(t), "out");
  const void* src = a.span(a.buffer(2, "src"), 0, blocks * n * es(t), "src");
  if (n == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), sum_blocks(t, out, src, int(blocks), (long long)n, stream_->stream), "sum_blocks launch");
  return info.Env().Undefined();
}

// argmax(dtype, out: int32 [rows], x [rows, cols], rows, cols).
Napi::Value Context::Argmax(const Napi::CallbackInfo& info) {
  Args a(info, "argmax", stream_->device);
  const DType t = a.dtype(0);
  const size_t rows = a.count(3, "rows"), cols = a.count(4, "cols");
  if (cols == 0) a.fail("cols must be at least 1");
  auto* out = static_cast<int*>(a.span(a.buffer(1, "out"), 0, rows * I32, "out"));
  const void* x = a.span(a.buffer(2, "x"), 0, rows * cols * es(t), "x");
  if (rows == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), argmax_rows(t, out, x, int(rows), int(cols), stream_->stream), "argmax launch");
  return info.Env().Undefined();
}

// gatherRows(elemBytes, out, src, rows: int32 [count], count, width, srcRows).
Napi::Value Context::GatherRows(const Napi::CallbackInfo& info) {
  Args a(info, "gatherRows", stream_->device);
  const int eb = elem_bytes(a, 0);
  const size_t count = a.count(4, "count"), width = a.count(5, "width"), src_rows = a.count(6, "srcRows");
  void* out = a.span(a.buffer(1, "out"), 0, count * width * eb, "out");
  const void* src = a.span(a.buffer(2, "src"), 0, src_rows * width * eb, "src");
  auto* rows = static_cast<const int*>(a.span(a.buffer(3, "rows"), 0, count * I32, "rows"));
  if (count == 0 || width == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), gather_rows(eb, out, src, rows, int(count), int(width), stream_->stream), "gather_rows launch");
  return info.Env().Undefined();
}

// selectCols(elemBytes, out, x, cols: int32 [count], rows, inCols, count).
Napi::Value Context::SelectCols(const Napi::CallbackInfo& info) {
  Args a(info, "selectCols", stream_->device);
  const int eb = elem_bytes(a, 0);
  const size_t rows = a.count(4, "rows"), in_cols = a.count(5, "inCols"), count = a.count(6, "count");
  void* out = a.span(a.buffer(1, "out"), 0, rows * count * eb, "out");
  const void* x = a.span(a.buffer(2, "x"), 0, rows * in_cols * eb, "x");
  auto* cols = static_cast<const int*>(a.span(a.buffer(3, "cols"), 0, count * I32, "cols"));
  if (rows == 0 || count == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), select_cols(eb, out, x, cols, int(rows), int(in_cols), int(count), stream_->stream), "select_cols launch");
  return info.Env().Undefined();
}

// swapBlocks(elemBytes, out, x, a, b, w): x [a, b, w] → out [b, a, w].
Napi::Value Context::SwapBlocks(const Napi::CallbackInfo& info) {
  Args a(info, "swapBlocks", stream_->device);
  const int eb = elem_bytes(a, 0);
  const size_t na = a.count(3, "a"), nb = a.count(4, "b"), w = a.count(5, "w");
  void* out = a.span(a.buffer(1, "out"), 0, na * nb * w * eb, "out");
  const void* x = a.span(a.buffer(2, "x"), 0, na * nb * w * eb, "x");
  if (na * nb * w == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), swap_blocks(eb, out, x, int(na), int(nb), int(w), stream_->stream), "swap_blocks launch");
  return info.Env().Undefined();
}

// writeKv(elemBytes, kCache, vCache, cacheOffset, cacheSlots, k, v, slots: int32 [n], n, width):
// one layer's K/V region starts cacheOffset bytes into each cache buffer and holds cacheSlots rows.
Napi::Value Context::WriteKv(const Napi::CallbackInfo& info) {
  Args a(info, "writeKv", stream_->device);
  const int eb = elem_bytes(a, 0);
  const size_t offset = a.size(3, "cacheOffset"), cache_slots = a.count(4, "cacheSlots");
  const size_t n = a.count(8, "n"), width = a.count(9, "width");
  void* kc = a.span(a.buffer(1, "kCache"), offset, cache_slots * width * eb, "kCache");
  void* vc = a.span(a.buffer(2, "vCache"), offset, cache_slots * width * eb, "vCache");
  const void* k = a.span(a.buffer(5, "k"), 0, n * width * eb, "k");
  const void* v = a.span(a.buffer(6, "v"), 0, n * width * eb, "v");
  auto* slots = static_cast<const int*>(a.span(a.buffer(7, "slots"), 0, n * I32, "slots"));
  if (n == 0 || width == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), write_kv(eb, kc, vc, k, v, slots, int(n), int(width), stream_->stream), "write_kv launch");
  return info.Env().Undefined();
}

// attention(dtype, out, q, kCache, vCache, cacheOffset, cacheSlots, items, numItems, seqs, numSeqs,
//           tables, tableLen, combine | null, numCombine, partials | null, numPartials,
//           N, qHeads, kvHeads, headDim, blockSize, rows, scale)
Napi::Value Context::Attention(const Napi::CallbackInfo& info) {
  Args a(info, "attention", stream_->device);
  AttentionArgs p{};
  p.dtype = a.dtype(0);
  const size_t e = es(p.dtype);
  const size_t offset = a.size(5, "cacheOffset"), cache_slots = a.count(6, "cacheSlots");
  p.num_items = a.count(8, "numItems");
  const size_t num_seqs = a.count(10, "numSeqs"), table_len = a.count(12, "tableLen");
  p.num_combine = a.count(14, "numCombine");
  const size_t num_partials = a.count(16, "numPartials"), N = a.count(17, "N");
  p.q_heads = a.count(18, "qHeads");
  p.kv_heads = a.count(19, "kvHeads");
  p.head_dim = a.count(20, "headDim");
  p.block_size = a.count(21, "blockSize");
  p.rows = a.count(22, "rows");
  p.scale = float(a.number(23, "scale"));
  if (p.kv_heads == 0 || p.q_heads % p.kv_heads != 0) a.fail("qHeads must be a multiple of kvHeads");
  if (p.head_dim != 16 && p.head_dim != 32 && p.head_dim != 64 && p.head_dim != 128) {
    a.fail("headDim " + std::to_string(p.head_dim) + " is not supported (16, 32, 64, 128)");
  }
  if (p.rows != 8 && p.rows != 16) a.fail("rows must be 8 or 16");
  if (p.block_size == 0) a.fail("blockSize must be positive");
  const size_t width = size_t(p.q_heads) * p.head_dim, kv_width = size_t(p.kv_heads) * p.head_dim;
  p.out = a.span(a.buffer(1, "out"), 0, N * width * e, "out");
  p.q = a.span(a.buffer(2, "q"), 0, N * width * e, "q");
  p.k_cache = a.span(a.buffer(3, "kCache"), offset, cache_slots * kv_width * e, "kCache");
  p.v_cache = a.span(a.buffer(4, "vCache"), offset, cache_slots * kv_width * e, "vCache");
  p.items = static_cast<const int*>(a.span(a.buffer(7, "items"), 0, size_t(p.num_items) * 9 * I32, "items"));
  p.seqs = static_cast<const int*>(a.span(a.buffer(9, "seqs"), 0, num_seqs * 4 * I32, "seqs"));
  p.tables = static_cast<const int*>(a.span(a.buffer(11, "tables"), 0, table_len * I32, "tables"));
  if (DeviceBuffer* c = a.optional_buffer(13, "combine")) {
    p.combine = static_cast<const int*>(a.span(*c, 0, size_t(p.num_combine) * 8 * I32, "combine"));
  } else if (p.num_combine > 0) {
    a.fail("numCombine > 0 needs a combine buffer");
  }
  if (DeviceBuffer* ps = a.optional_buffer(15, "partials")) {
    p.partials = static_cast<float*>(a.span(*ps, 0, num_partials * p.rows * (p.head_dim + 2) * F32, "partials"));
  } else if (num_partials > 0) {
    a.fail("numPartials > 0 needs a partials buffer");
  }
  if (p.num_items == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), paged_attention(p, stream_->stream), "paged_attention launch");
  return info.Env().Undefined();
}
