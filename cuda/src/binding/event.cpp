#include "event.h"

#include "addon.h"
#include "errors.h"

Napi::Function Event::Define(Napi::Env env) {
  return DefineClass(env, "Event", {InstanceMethod<&Event::ElapsedMs>("elapsedMs")});
}

Event::Event(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Event>(info) {
  if (info.Length() != 1 || !info[0].IsExternal()) {
    throw Napi::TypeError::New(info.Env(), "Event is created by Context.record(), not directly");
  }
  const Init& init = *info[0].As<Napi::External<Init>>().Data();
  event_ = init.event;
  stream_ = init.stream;
}

Event::~Event() {
  cudaSetDevice(stream_->device);
  cudaEventDestroy(event_);
}

Napi::Value Event::ElapsedMs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject() || !info[0].As<Napi::Object>().InstanceOf(addon_data(env).event.Value())) {
    throw Napi::TypeError::New(env, "Event.elapsedMs(later): later must be an Event");
  }
  Event* later = Event::Unwrap(info[0].As<Napi::Object>());
  check(env, cudaEventSynchronize(later->event_), "cudaEventSynchronize");
  float ms = 0.f;
  check(env, cudaEventElapsedTime(&ms, event_, later->event_), "cudaEventElapsedTime");
  return Napi::Number::New(env, ms);
}
