// The module: classes Context, DeviceBuffer, Event, and the functions init, probe, deviceInfo.
// Loading it touches no CUDA API, so it loads on a machine without a driver; probe() then
// reports why no device is usable.
#include <cuda_runtime.h>
#include <napi.h>

#include "addon.h"
#include "buffer.h"
#include "context.h"
#include "errors.h"
#include "event.h"

namespace {

// init(CudaError): the class that CUDA failures are thrown as, new CudaError(message, code, name).
Napi::Value Init(const Napi::CallbackInfo& info) {
  if (info.Length() != 1 || !info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "init(CudaError): a class is required");
  addon_data(info.Env()).cuda_error = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

// probe() → { available, devices, code, error, message, driverVersion, runtimeVersion }.
Napi::Value Probe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int devices = 0, driver = 0, runtime = 0;
  const cudaError_t e = cudaGetDeviceCount(&devices);
  cudaDriverGetVersion(&driver);  // 0 when no driver is installed
  cudaRuntimeGetVersion(&runtime);
  cudaGetLastError();
  Napi::Object r = Napi::Object::New(env);
  r.Set("available", e == cudaSuccess && devices > 0);
  r.Set("devices", e == cudaSuccess ? devices : 0);
  r.Set("code", int(e));
  r.Set("error", cudaGetErrorName(e));
  r.Set("message", cudaGetErrorString(e));
  r.Set("driverVersion", driver);
  r.Set("runtimeVersion", runtime);
  return r;
}

// deviceInfo(device) → the properties the planners and the benchmarks need.
Napi::Value DeviceInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "deviceInfo(device): device must be a number");
  const int device = info[0].As<Napi::Number>().Int32Value();
  cudaDeviceProp p;
  check(env, cudaGetDeviceProperties(&p, device), "cudaGetDeviceProperties");
  int clock_khz = 0, mem_clock_khz = 0;
  check(env, cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, device), "cudaDeviceGetAttribute");
  check(env, cudaDeviceGetAttribute(&mem_clock_khz, cudaDevAttrMemoryClockRate, device), "cudaDeviceGetAttribute");
  Napi::Object r = Napi::Object::New(env);
  r.Set("name", p.name);
  r.Set("major", p.major);
  r.Set("minor", p.minor);
  r.Set("sms", p.multiProcessorCount);
  r.Set("memoryBytes", double(p.totalGlobalMem));
  r.Set("l2Bytes", p.l2CacheSize);
  r.Set("sharedPerBlockOptin", double(p.sharedMemPerBlockOptin));
  r.Set("memoryBusBits", p.memoryBusWidth);
  r.Set("clockKHz", clock_khz);
  r.Set("memoryClockKHz", mem_clock_khz);
  return r;
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData(data);  // deleted by Node-API with the environment
  Napi::Function buffer = DeviceBuffer::Define(env);
  Napi::Function event = Event::Define(env);
  data->buffer = Napi::Persistent(buffer);
  data->event = Napi::Persistent(event);
  exports.Set("DeviceBuffer", buffer);
  exports.Set("Event", event);
  exports.Set("Context", Context::Define(env));
  exports.Set("init", Napi::Function::New<Init>(env, "init"));
  exports.Set("probe", Napi::Function::New<Probe>(env, "probe"));
  exports.Set("deviceInfo", Napi::Function::New<DeviceInfo>(env, "deviceInfo"));
  return exports;
}

}  // namespace

NODE_API_MODULE(shiftlab_cuda, Module)
