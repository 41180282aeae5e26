// One rank's view of one GPU: a device, a non-blocking stream, and the methods that enqueue
// copies and kernels on that stream. Worker threads of one process each make their own
// Context; device addresses are valid across them (one CUDA context per device and process).
//
// Kernel methods take element counts, DeviceBuffers and, for dtype-generic kernels, a dtype
// code (0 float32, 1 bfloat16); they check every buffer is large enough, then enqueue and
// return. Nothing synchronizes except download, synchronize and Event.elapsedMs.
#pragma once

#include <napi.h>

#include <memory>

#include "buffer.h"

class Context : public Napi::ObjectWrap<Context> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Context(const Napi::CallbackInfo& info);

 private:
  /** Makes this context's device current on the calling thread. */
  void use(Napi::Env env) const;

  // Memory and synchronisation (context.cpp).
  Napi::Value GetDevice(const Napi::CallbackInfo& info);
  Napi::Value Alloc(const Napi::CallbackInfo& info);
  Napi::Value Upload(const Napi::CallbackInfo& info);
  Napi::Value Download(const Napi::CallbackInfo& info);
  Napi::Value Copy(const Napi::CallbackInfo& info);
  Napi::Value CopyFromAddress(const Napi::CallbackInfo& info);
  Napi::Value Copy2d(const Napi::CallbackInfo& info);
  Napi::Value Fill(const Napi::CallbackInfo& info);
  Napi::Value Synchronize(const Napi::CallbackInfo& info);
  Napi::Value Record(const Napi::CallbackInfo& info);

  // Kernels (context_kernels.cpp).
  Napi::Value GemmF32(const Napi::CallbackInfo& info);
  Napi::Value GemmBf16(const Napi::CallbackInfo& info);
  Napi::Value RmsNorm(const Napi::CallbackInfo& info);
  Napi::Value Rope(const Napi::CallbackInfo& info);
  Napi::Value SiluMul(const Napi::CallbackInfo& info);
  Napi::Value Add(const Napi::CallbackInfo& info);
  Napi::Value SumBlocks(const Napi::CallbackInfo& info);
  Napi::Value Argmax(const Napi::CallbackInfo& info);
  Napi::Value GatherRows(const Napi::CallbackInfo& info);
  Napi::Value SelectCols(const Napi::CallbackInfo& info);
  Napi::Value SwapBlocks(const Napi::CallbackInfo& info);
  Napi::Value WriteKv(const Napi::CallbackInfo& info);
  Napi::Value Attention(const Napi::CallbackInfo& info);

  std::shared_ptr<StreamHandle> stream_;
};
