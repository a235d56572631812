// A one-graph trial run for the kernel tests: a model in ONNX text, feeds,
// the run, its outputs and its failure.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/exec/run.h"
#include "model/load/loader.h"

namespace onnxscope::exec::test {

template <class T>
Tensor make(DType dt, std::vector<int64_t> shape, std::vector<T> v) {
  Tensor t(dt, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) t.data<T>()[i] = v[i];
  return t;
}
inline Tensor f32(std::vector<int64_t> shape, std::vector<float> v) { return make(DType::Float32, std::move(shape), std::move(v)); }
inline Tensor i64(std::vector<int64_t> shape, std::vector<int64_t> v) { return make(DType::Int64, std::move(shape), std::move(v)); }

template <class T>
std::vector<T> values(const Tensor& t) {
  const T* p = t.data<T>();
  return p ? std::vector<T>(p, p + t.count()) : std::vector<T>{};
}

struct Ran {
  std::unique_ptr<ir::Model> model;
  std::unique_ptr<TrialRun> run;
  Stop stop = Stop::Done;

  const Tensor& out(std::string_view name) const {
    const Value* v = run->value(run->graph().find(name));
    static const Tensor none;
    EXPECT_TRUE(v && value::tensor_of(*v)) << name << (failed() ? " (" + message() + ")" : "");
    return v && value::tensor_of(*v) ? *value::tensor_of(*v) : none;
  }
  bool failed() const { return stop == Stop::Failed; }
  facts::Code code() const { return run->failure() ? run->failure()->code : facts::Code{}; }
  std::string message() const { return run->failure() ? run->failure()->message : std::string(); }
};

inline Ran run_model(std::string_view text, std::vector<std::pair<std::string, Tensor>> feeds) {
  Ran r;
  r.model = load::load_model_text(text);
  r.run = std::make_unique<TrialRun>(*r.model, nullptr);
  for (auto& [name, t] : feeds) r.run->feed(name, std::move(t));
  r.stop = r.run->run();
  return r;
}

}  // namespace onnxscope::exec::test
