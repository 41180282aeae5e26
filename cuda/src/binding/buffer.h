// Device memory owned by a JS object. A DeviceBuffer is made by Context.alloc (stream-ordered
// cudaMallocAsync on the context's stream) and released by free() or, failing that, when the
// object is garbage-collected. Its stream outlives it (shared ownership), whatever order the
// finalizers run in when a worker thread exits.
#pragma once

#include <cuda_runtime.h>
#include <napi.h>

#include <memory>

/** A non-blocking CUDA stream on one device, destroyed with its last owner. */
struct StreamHandle {
  int device;
  cudaStream_t stream;
  ~StreamHandle();
};

class DeviceBuffer : public Napi::ObjectWrap<DeviceBuffer> {
 public:
  /** What Context.alloc hands to the constructor (through an External). */
  struct Init {
    void* ptr;
    size_t bytes;
    std::shared_ptr<StreamHandle> stream;
  };

  static Napi::Function Define(Napi::Env env);
  static bool Is(Napi::Env env, Napi::Value v);

  explicit DeviceBuffer(const Napi::CallbackInfo& info);
  ~DeviceBuffer() override;

  /** The device address; throws if the buffer was freed. */
  void* ptr(Napi::Env env) const;
  size_t bytes() const { return bytes_; }
  int device() const { return stream_ ? stream_->device : -1; }

 private:
  Napi::Value Free(const Napi::CallbackInfo& info);
  Napi::Value GetBytes(const Napi::CallbackInfo& info);
  Napi::Value GetAddress(const Napi::CallbackInfo& info);
  Napi::Value GetFreed(const Napi::CallbackInfo& info);
  cudaError_t release();

  void* ptr_ = nullptr;
  size_t bytes_ = 0;
  std::shared_ptr<StreamHandle> stream_;
};
