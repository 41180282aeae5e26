#include "buffer.h"

#include "addon.h"
#include "errors.h"

StreamHandle::~StreamHandle() {
  // Destructors cannot report errors; a failing device has already failed a checked call.
  cudaSetDevice(device);
  cudaStreamSynchronize(stream);
  cudaStreamDestroy(stream);
}

Napi::Function DeviceBuffer::Define(Napi::Env env) {
  return DefineClass(env, "DeviceBuffer",
                     {
                         InstanceMethod<&DeviceBuffer::Free>("free"),
                         InstanceAccessor<&DeviceBuffer::GetBytes>("bytes"),
                         InstanceAccessor<&DeviceBuffer::GetAddress>("address"),
                         InstanceAccessor<&DeviceBuffer::GetFreed>("freed"),
                     });
}

bool DeviceBuffer::Is(Napi::Env env, Napi::Value v) {
  return v.IsObject() && v.As<Napi::Object>().InstanceOf(addon_data(env).buffer.Value());
}

DeviceBuffer::DeviceBuffer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DeviceBuffer>(info) {
  if (info.Length() != 1 || !info[0].IsExternal()) {
    throw Napi::TypeError::New(info.Env(), "DeviceBuffer is created by Context.alloc(bytes), not directly");
  }
  const Init& init = *info[0].As<Napi::External<Init>>().Data();
  ptr_ = init.ptr;
  bytes_ = init.bytes;
  stream_ = init.stream;
}

DeviceBuffer::~DeviceBuffer() { release(); }

cudaError_t DeviceBuffer::release() {
  if (!ptr_) return cudaSuccess;
  cudaError_t e = cudaSetDevice(stream_->device);
  if (e == cudaSuccess) e = cudaFreeAsync(ptr_, stream_->stream);  // after the stream's pending work
  ptr_ = nullptr;
  return e;
}

void* DeviceBuffer::ptr(Napi::Env env) const {
  if (!ptr_) throw Napi::Error::New(env, "use of a freed device buffer");
  return ptr_;
}

Napi::Value DeviceBuffer::Free(const Napi::CallbackInfo& info) {
  check(info.Env(), release(), "cudaFreeAsync");
  return info.Env().Undefined();
}

Napi::Value DeviceBuffer::GetBytes(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), double(bytes_)); }

Napi::Value DeviceBuffer::GetAddress(const Napi::CallbackInfo& info) {
  return Napi::BigInt::New(info.Env(), uint64_t(reinterpret_cast<uintptr_t>(ptr(info.Env()))));
}

Napi::Value DeviceBuffer::GetFreed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), ptr_ == nullptr); }
