// Runs one small ONNX-text model on the reference kernels and reads its
// values: the fixture of the kernel families' tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/exec/run.h"
#include "model/load/loader.h"

// Expects `part` inside the text (a failure's message).
#define EXPECT_HAS(text, part) EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

namespace onnxscope::exec::test {

template <class T>
Tensor typed(DType dt, std::vector<int64_t> shape, std::vector<T> v) {
  Tensor t(dt, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) t.data<T>()[i] = v[i];
  return t;
}
inline Tensor floats(std::vector<int64_t> shape, std::vector<float> v) {
  return typed(DType::Float32, std::move(shape), std::move(v));
}
inline Tensor i64(std::vector<int64_t> shape, std::vector<int64_t> v) {
  return typed(DType::Int64, std::move(shape), std::move(v));
}

// A tensor's elements.
template <class T>
std::vector<T> values(const Tensor& t) {
  const T* p = t.data<T>();
  return p ? std::vector<T>(p, p + t.count()) : std::vector<T>{};
}

// A model and its run; feed, run, then read outputs or the failure.
struct Trial {
  std::unique_ptr<ir::Model> model;
  std::unique_ptr<TrialRun> run;
  Stop stop = Stop::Ran;

  explicit Trial(std::string_view text, RunOptions opts = {})
      : model(load::load_model_text(text)), run(new TrialRun(*model, nullptr, opts)) {}
  Trial& feed(std::string name, Tensor t) {
    run->feed(std::move(name), std::move(t));
    return *this;
  }
  Stop go() { return stop = run->run(); }
  bool failed() const { return stop == Stop::Failed; }
  const Tensor& out(std::string_view name) const {
    const Value* v = run->value(run->graph().find(name));
    EXPECT_TRUE(v && value::tensor_of(*v)) << name << (failed() ? " (" + message() + ")" : "");
    static const Tensor none;
    return v && value::tensor_of(*v) ? *value::tensor_of(*v) : none;
  }
  std::vector<float> floats_of(std::string_view name) const { return values<float>(out(name)); }
  std::string message() const { return run->failure() ? run->failure()->message : std::string(); }
  facts::Code code() const { return run->failure() ? run->failure()->code : facts::Code{}; }
};

// The model run on these feeds.
inline Trial run_model(std::string_view text, std::vector<std::pair<std::string, Tensor>> feeds) {
  Trial t(text);
  for (auto& [name, x] : feeds) t.feed(name, std::move(x));
  t.go();
  return t;
}

}  // namespace onnxscope::exec::test
