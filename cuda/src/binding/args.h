// Argument readers for the Context methods: each throws a TypeError or RangeError naming the
// method and argument, so a bad call never reaches a kernel.
#pragma once

#include <napi.h>

#include <string>

#include "../dtype.h"
#include "buffer.h"

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* method, int device) : info_(info), method_(method), device_(device) {}

  /** A non-negative integer below 2^31. */
  int count(size_t i, const char* name) const;
  /** A non-negative integer below 2^53 (byte sizes and offsets). */
  size_t size(size_t i, const char* name) const;
  double number(size_t i, const char* name) const;
  DType dtype(size_t i) const;
  /** A live DeviceBuffer of this context's device. */
  DeviceBuffer& buffer(size_t i, const char* name) const;
  /** As buffer(), or nullptr for null/undefined. */
  DeviceBuffer* optional_buffer(size_t i, const char* name) const;
  /** The address of `buf` at byte `offset`, after checking that `bytes` fit. */
  void* span(DeviceBuffer& buf, size_t offset, size_t bytes, const char* name) const;
  Napi::TypedArray typed_array(size_t i, const char* name) const;

  [[noreturn]] void fail(const std::string& what) const;

 private:
  const Napi::CallbackInfo& info_;
  const char* method_;
  int device_;
};
