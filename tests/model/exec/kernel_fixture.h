// Runs one small ONNX-text model on the reference kernels and reads its
// values: the fixture of the kernel families' tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/exec/run.h"
#include "model/load/loader.h"

// Expects `part` inside the text (a failure's message).
#define EXPECT_HAS(text, part) EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

namespace onnxscope::exec::test {

inline Tensor floats(std::vector<int64_t> shape, std::vector<float> v) {
  Tensor t(DType::Float32, std::move(shape));
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

template <class T>
Tensor typed(DType dt, std::vector<int64_t> shape, std::vector<T> v) {
  Tensor t(dt, std::move(shape));
  std::copy(v.begin(), v.end(), t.data<T>());
  return t;
}

// A model and its run; feed, run, then read outputs or the failure.
struct Trial {
  std::unique_ptr<ir::Model> model;
  std::unique_ptr<TrialRun> run;
  explicit Trial(std::string_view text, RunOptions opts = {})
      : model(load::load_model_text(text)), run(new TrialRun(*model, nullptr, opts)) {}
  Trial& feed(std::string name, Tensor t) {
    run->feed(std::move(name), std::move(t));
    return *this;
  }
  Stop go() { return run->run(); }
  const Tensor& out(std::string_view name) const {
    const Value* v = run->value(run->graph().find(name));
    EXPECT_NE(v, nullptr) << name;
    static Tensor none;
    return v && value::tensor_of(*v) ? *value::tensor_of(*v) : none;
  }
  std::vector<float> floats_of(std::string_view name) const {
    const Tensor& t = out(name);
    if (t.dtype() != DType::Float32) return {};
    return std::vector<float>(t.data<float>(), t.data<float>() + t.count());
  }
  std::string message() const { return run->failure() ? run->failure()->message : std::string(); }
  facts::Code code() const { return run->failure() ? run->failure()->code : facts::Code{}; }
};

}  // namespace onnxscope::exec::test
