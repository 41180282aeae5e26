// Per-environment state of the addon (one per main thread or worker thread that loads it): the
// JS constructors the C++ side instantiates. Node-API keeps it with the environment.
#pragma once

#include <napi.h>

struct AddonData {
  Napi::FunctionReference buffer;      // DeviceBuffer
  Napi::FunctionReference event;       // Event
  Napi::FunctionReference cuda_error;  // the CudaError class handed to init(), if any
};

inline AddonData& addon_data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }
