#include "args.h"

#include <cmath>

void Args::fail(const std::string& what) const {
  throw Napi::RangeError::New(info_.Env(), std::string("Context.") + method_ + ": " + what);
}

double Args::number(size_t i, const char* name) const {
  if (i >= info_.Length() || !info_[i].IsNumber()) {
    throw Napi::TypeError::New(info_.Env(), std::string("Context.") + method_ + ": " + name + " must be a number");
  }
  return info_[i].As<Napi::Number>().DoubleValue();
}

int Args::count(size_t i, const char* name) const {
  const double v = number(i, name);
  if (!(v >= 0 && v < 2147483648.0 && std::floor(v) == v)) fail(std::string(name) + " must be an integer in [0, 2^31)");
  return int(v);
}

size_t Args::size(size_t i, const char* name) const {
  const double v = number(i, name);
  if (!(v >= 0 && v <= 9007199254740991.0 && std::floor(v) == v)) fail(std::string(name) + " must be a non-negative integer");
  return size_t(v);
}

DType Args::dtype(size_t i) const {
  const int v = count(i, "dtype");
  if (v != int(DType::F32) && v != int(DType::BF16)) fail("dtype must be 0 (float32) or 1 (bfloat16)");
  return DType(v);
}

DeviceBuffer& Args::buffer(size_t i, const char* name) const {
  DeviceBuffer* b = optional_buffer(i, name);
  if (!b) throw Napi::TypeError::New(info_.Env(), std::string("Context.") + method_ + ": " + name + " must be a DeviceBuffer");
  return *b;
}

DeviceBuffer* Args::optional_buffer(size_t i, const char* name) const {
  if (i >= info_.Length() || info_[i].IsNull() || info_[i].IsUndefined()) return nullptr;
  if (!DeviceBuffer::Is(info_.Env(), info_[i])) {
    throw Napi::TypeError::New(info_.Env(), std::string("Context.") + method_ + ": " + name + " must be a DeviceBuffer");
  }
  DeviceBuffer* b = DeviceBuffer::Unwrap(info_[i].As<Napi::Object>());
  if (b->device() != device_) {
    fail(std::string(name) + " lives on device " + std::to_string(b->device()) + ", this context on device " +
         std::to_string(device_));
  }
  b->ptr(info_.Env());  // throws if freed
  return b;
}

void* Args::span(DeviceBuffer& buf, size_t offset, size_t bytes, const char* name) const {
  if (offset > buf.bytes() || bytes > buf.bytes() - offset) {
    fail(std::string(name) + ": " + std::to_string(bytes) + " bytes at offset " + std::to_string(offset) +
         " exceed its " + std::to_string(buf.bytes()) + "-byte buffer");
  }
  return static_cast<char*>(buf.ptr(info_.Env())) + offset;
}

Napi::TypedArray Args::typed_array(size_t i, const char* name) const {
  if (i >= info_.Length() || !info_[i].IsTypedArray()) {
    throw Napi::TypeError::New(info_.Env(), std::string("Context.") + method_ + ": " + name + " must be a typed array");
  }
  return info_[i].As<Napi::TypedArray>();
}
