#include "errors.h"

#include <string>

#include "addon.h"

void throw_cuda(Napi::Env env, cudaError_t e, const char* call) {
  cudaGetLastError();  // clear the runtime's last error unless it is sticky
  const std::string name = cudaGetErrorName(e);
  const std::string message = std::string(call) + " failed: " + name + " (" + std::to_string(int(e)) + "): " +
                              cudaGetErrorString(e);
  AddonData& data = addon_data(env);
  if (!data.cuda_error.IsEmpty()) {
    Napi::Object err = data.cuda_error.New({Napi::String::New(env, message), Napi::Number::New(env, int(e)),
                                            Napi::String::New(env, name)});
    throw Napi::Error(env, err);
  }
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("name", "CudaError");
  err.Set("code", Napi::Number::New(env, int(e)));
  err.Set("cudaError", Napi::String::New(env, name));
  throw err;
}
