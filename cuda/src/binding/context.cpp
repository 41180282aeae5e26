#include "context.h"

#include <cstdint>

#include "addon.h"
#include "args.h"
#include "errors.h"
#include "event.h"

Napi::Function Context::Define(Napi::Env env) {
  return DefineClass(env, "Context",
                     {
                         InstanceAccessor<&Context::GetDevice>("device"),
                         InstanceMethod<&Context::Alloc>("alloc"),
                         InstanceMethod<&Context::Upload>("upload"),
                         InstanceMethod<&Context::Download>("download"),
                         InstanceMethod<&Context::Copy>("copy"),
                         InstanceMethod<&Context::CopyFromAddress>("copyFromAddress"),
                         InstanceMethod<&Context::Copy2d>("copy2d"),
                         InstanceMethod<&Context::Fill>("fill"),
                         InstanceMethod<&Context::Synchronize>("synchronize"),
                         InstanceMethod<&Context::Record>("record"),
                         InstanceMethod<&Context::GemmF32>("gemmF32"),
                         InstanceMethod<&Context::GemmBf16>("gemmBf16"),
                         InstanceMethod<&Context::RmsNorm>("rmsNorm"),
                         InstanceMethod<&Context::Rope>("rope"),
                         InstanceMethod<&Context::SiluMul>("siluMul"),
                         InstanceMethod<&Context::Add>("add"),
                         InstanceMethod<&Context::SumBlocks>("sumBlocks"),
                         InstanceMethod<&Context::Argmax>("argmax"),
                         InstanceMethod<&Context::GatherRows>("gatherRows"),
                         InstanceMethod<&Context::SelectCols>("selectCols"),
                         InstanceMethod<&Context::SwapBlocks>("swapBlocks"),
                         InstanceMethod<&Context::WriteKv>("writeKv"),
                         InstanceMethod<&Context::Attention>("attention"),
                     });
}

// new Context(device): makes the device current, creates the stream, and lets the device's
// default memory pool keep freed memory (the default threshold of 0 would hand it back to
// the driver at every synchronisation, and the next allocation would pay for it again).
Context::Context(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Context>(info) {
  Napi::Env env = info.Env();
  const int device = Args(info, "constructor", -1).count(0, "device");
  check(env, cudaSetDevice(device), "cudaSetDevice");
  cudaMemPool_t pool;
  check(env, cudaDeviceGetDefaultMemPool(&pool, device), "cudaDeviceGetDefaultMemPool");
  uint64_t keep = UINT64_MAX;
  check(env, cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep), "cudaMemPoolSetAttribute");
  // Pool memory is private to its device unless shared: let every peer that can reach this
  // device read it (the collectives of ranks on different GPUs copy from each other's tensors).
  int devices = 0;
  check(env, cudaGetDeviceCount(&devices), "cudaGetDeviceCount");
  for (int peer = 0; peer < devices; peer++) {
    int can = 0;
    if (peer == device) continue;
    check(env, cudaDeviceCanAccessPeer(&can, peer, device), "cudaDeviceCanAccessPeer");
    if (!can) continue;
    cudaMemAccessDesc access{};
    access.location.type = cudaMemLocationTypeDevice;
    access.location.id = peer;
    access.flags = cudaMemAccessFlagsProtReadWrite;
    check(env, cudaMemPoolSetAccess(pool, &access, 1), "cudaMemPoolSetAccess");
  }
  cudaStream_t stream;
  check(env, cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  stream_ = std::make_shared<StreamHandle>(StreamHandle{device, stream});
}

void Context::use(Napi::Env env) const { check(env, cudaSetDevice(stream_->device), "cudaSetDevice"); }

Napi::Value Context::GetDevice(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), stream_->device); }

// alloc(bytes) → DeviceBuffer (at least 16 bytes are reserved so even an empty tensor has an address).
Napi::Value Context::Alloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t bytes = Args(info, "alloc", stream_->device).size(0, "bytes");
  use(env);
  void* ptr = nullptr;
  check(env, cudaMallocAsync(&ptr, bytes < 16 ? 16 : bytes, stream_->stream), "cudaMallocAsync");
  DeviceBuffer::Init init{ptr, bytes, stream_};
  return addon_data(env).buffer.New({Napi::External<DeviceBuffer::Init>::New(env, &init)});
}

static void* host_bytes(Napi::TypedArray a) { return static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset(); }

// upload(buffer, offset, typedArray): host → device. Pageable host memory is staged before the
// call returns, so the typed array may change right after.
Napi::Value Context::Upload(const Napi::CallbackInfo& info) {
  Args a(info, "upload", stream_->device);
  DeviceBuffer& buf = a.buffer(0, "buffer");
  Napi::TypedArray src = a.typed_array(2, "data");
  void* dst = a.span(buf, a.size(1, "offset"), src.ByteLength(), "buffer");
  use(info.Env());
  check(info.Env(), cudaMemcpyAsync(dst, host_bytes(src), src.ByteLength(), cudaMemcpyHostToDevice, stream_->stream),
        "cudaMemcpyAsync (host to device)");
  return info.Env().Undefined();
}

// download(buffer, offset, typedArray): device → host, after the stream's pending work; blocks.
Napi::Value Context::Download(const Napi::CallbackInfo& info) {
  Args a(info, "download", stream_->device);
  DeviceBuffer& buf = a.buffer(0, "buffer");
  Napi::TypedArray dst = a.typed_array(2, "data");
  const void* src = a.span(buf, a.size(1, "offset"), dst.ByteLength(), "buffer");
  use(info.Env());
  check(info.Env(), cudaMemcpyAsync(host_bytes(dst), src, dst.ByteLength(), cudaMemcpyDeviceToHost, stream_->stream),
        "cudaMemcpyAsync (device to host)");
  check(info.Env(), cudaStreamSynchronize(stream_->stream), "cudaStreamSynchronize");
  return info.Env().Undefined();
}

// copy(dst, dstOffset, src, srcOffset, bytes): device → device on this stream.
Napi::Value Context::Copy(const Napi::CallbackInfo& info) {
  Args a(info, "copy", stream_->device);
  const size_t bytes = a.size(4, "bytes");
  DeviceBuffer& d = a.buffer(0, "dst");
  DeviceBuffer& s = a.buffer(2, "src");
  void* dst = a.span(d, a.size(1, "dstOffset"), bytes, "dst");
  const void* src = a.span(s, a.size(3, "srcOffset"), bytes, "src");
  if (bytes == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream_->stream), "cudaMemcpyAsync");
  return info.Env().Undefined();
}

// copyFromAddress(dst, dstOffset, address: bigint, bytes): reads device memory another rank of
// this process owns (its DeviceBuffer.address), on any device (cudaMemcpyDefault, unified
// addressing). The caller guarantees the source is complete and stays alive until this stream
// has finished the copy (the collectives' barriers do).
Napi::Value Context::CopyFromAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args a(info, "copyFromAddress", stream_->device);
  const size_t bytes = a.size(3, "bytes");
  void* dst = a.span(a.buffer(0, "dst"), a.size(1, "dstOffset"), bytes, "dst");
  if (info.Length() < 3 || !info[2].IsBigInt()) throw Napi::TypeError::New(env, "Context.copyFromAddress: address must be a bigint");
  bool lossless = false;
  const uint64_t address = info[2].As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless || address == 0) throw Napi::RangeError::New(env, "Context.copyFromAddress: address is not a device address");
  if (bytes == 0) return env.Undefined();
  use(env);
  check(env, cudaMemcpyAsync(dst, reinterpret_cast<const void*>(uintptr_t(address)), bytes, cudaMemcpyDefault, stream_->stream),
        "cudaMemcpyAsync (peer)");
  return env.Undefined();
}

// copy2d(dst, dstOffset, dstPitch, src, srcOffset, srcPitch, widthBytes, height): strided rows.
Napi::Value Context::Copy2d(const Napi::CallbackInfo& info) {
  Args a(info, "copy2d", stream_->device);
  const size_t dpitch = a.size(2, "dstPitch"), spitch = a.size(5, "srcPitch");
  const size_t width = a.size(6, "widthBytes"), height = a.size(7, "height");
  if (width > dpitch || width > spitch) a.fail("widthBytes exceeds a pitch");
  if (width == 0 || height == 0) return info.Env().Undefined();
  void* dst = a.span(a.buffer(0, "dst"), a.size(1, "dstOffset"), (height - 1) * dpitch + width, "dst");
  const void* src = a.span(a.buffer(3, "src"), a.size(4, "srcOffset"), (height - 1) * spitch + width, "src");
  use(info.Env());
  check(info.Env(), cudaMemcpy2DAsync(dst, dpitch, src, spitch, width, height, cudaMemcpyDeviceToDevice, stream_->stream),
        "cudaMemcpy2DAsync");
  return info.Env().Undefined();
}

// fill(buffer, byteValue, offset, bytes): memset (0xff bytes make every float and bf16 a NaN).
Napi::Value Context::Fill(const Napi::CallbackInfo& info) {
  Args a(info, "fill", stream_->device);
  const int value = a.count(1, "value");
  if (value > 255) a.fail("value must be a byte (0-255)");
  const size_t bytes = a.size(3, "bytes");
  void* dst = a.span(a.buffer(0, "buffer"), a.size(2, "offset"), bytes, "buffer");
  if (bytes == 0) return info.Env().Undefined();
  use(info.Env());
  check(info.Env(), cudaMemsetAsync(dst, value, bytes, stream_->stream), "cudaMemsetAsync");
  return info.Env().Undefined();
}

// synchronize(): waits for this stream's work; surfaces asynchronous kernel faults.
Napi::Value Context::Synchronize(const Napi::CallbackInfo& info) {
  use(info.Env());
  check(info.Env(), cudaStreamSynchronize(stream_->stream), "cudaStreamSynchronize");
  return info.Env().Undefined();
}

// record() → Event marking this point of the stream.
Napi::Value Context::Record(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  use(env);
  cudaEvent_t ev;
  check(env, cudaEventCreate(&ev), "cudaEventCreate");
  const cudaError_t e = cudaEventRecord(ev, stream_->stream);
  if (e != cudaSuccess) {
    cudaEventDestroy(ev);
    throw_cuda(env, e, "cudaEventRecord");
  }
  Event::Init init{ev, stream_};
  return addon_data(env).event.New({Napi::External<Event::Init>::New(env, &init)});
}
