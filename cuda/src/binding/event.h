// A CUDA event recorded on a context's stream (Context.record()), for timing with device clocks.
#pragma once

#include <cuda_runtime.h>
#include <napi.h>

#include <memory>

#include "buffer.h"

class Event : public Napi::ObjectWrap<Event> {
 public:
  struct Init {
    cudaEvent_t event;
    std::shared_ptr<StreamHandle> stream;
  };

  static Napi::Function Define(Napi::Env env);
  explicit Event(const Napi::CallbackInfo& info);
  ~Event() override;

 private:
  /** Milliseconds from this event to `later`, waiting for `later` to complete. */
  Napi::Value ElapsedMs(const Napi::CallbackInfo& info);

  cudaEvent_t event_ = nullptr;
  std::shared_ptr<StreamHandle> stream_;
};
