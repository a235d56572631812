// Hostile bytes: the loader must answer every mutation of a real model with a
// model or an onnxscope::Error; never a crash, another exception, a hang, or
// memory beyond its limit. (A libFuzzer target in tests/fuzz drives the same
// entry point for longer runs.)
#include <gtest/gtest.h>

#include <random>

#include "model/load/loader.h"
#include "model/util/error.h"
#include "tests/support/support.h"

namespace onnxscope {
namespace {

// Loads `bytes`; returns "" on success, the error code on Error, and fails
// the test on anything else.
std::string try_load(const std::string& bytes) {
  load::LoadOptions opts;
  opts.max_structure_bytes = 64 << 20;
  opts.data_dir = "/nonexistent-onnxscope-dir";
  try {
    auto m = load::load_model_bytes(bytes, opts);
    // Touch what a front end would read.
    for (const auto& t : m->graph->initializers) {
      if (t.dtype != DType::String && !t.is_external()) (void)t.data();
    }
    return "";
  } catch (const Error& e) {
    EXPECT_FALSE(e.code().empty());
    EXPECT_LT(std::string(e.what()).size(), 4096u) << "error messages stay readable";
    return e.code();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected exception: " << e.what();
    return "exception";
  }
}

std::vector<std::filesystem::path> sample_models(size_t every) {
  auto all = test::testdata_models();
  std::vector<std::filesystem::path> out;
  for (size_t i = 0; i < all.size(); i += every) out.push_back(all[i]);
  // Models with subgraphs, sequences and many attributes are the interesting ones.
  for (const char* name : {"node/test_loop13_seq", "node/test_if_seq", "node/test_scan9_sum",
                           "node/test_optional_get_element_sequence", "pytorch-converted/test_GRU_seq_length",
                           "simple/test_expand_shape_model1", "node/test_resize_downsample_scales_linear"}) {
    auto p = test::testdata_root() / name / "model.onnx";
    if (std::filesystem::exists(p)) out.push_back(p);
  }
  return out;
}

TEST(Robustness, EveryTruncationIsAnError) {
  for (const char* name : {"node/test_loop13_seq", "node/test_conv_with_strides_padding"}) {
    auto p = test::testdata_root() / name / "model.onnx";
    ASSERT_TRUE(std::filesystem::exists(p)) << p;
    std::string bytes = test::read_file(p);
    size_t ok = 0;
    for (size_t n = 1; n < bytes.size(); ++n) ok += try_load(bytes.substr(0, n)).empty();
    // A prefix may happen to end between fields and still be a valid model;
    // most prefixes are not.
    EXPECT_LT(ok, bytes.size() / 4) << name;
  }
}

TEST(Robustness, RandomMutationsNeverCrash) {
  std::mt19937_64 rng(20261125);
  size_t cases = 0, errors = 0;
  for (const auto& p : sample_models(40)) {
    std::string original = test::read_file(p);
    for (int round = 0; round < 60; ++round) {
      std::string b = original;
      int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !b.empty(); ++e) {
        size_t at = rng() % b.size();
        switch (rng() % 6) {
          case 0: b[at] = static_cast<char>(rng()); break;                       // overwrite a byte
          case 1: b[at] = static_cast<char>(b[at] ^ (1u << (rng() % 8))); break;  // flip a bit
          case 2: b.erase(at, 1 + rng() % 8); break;                              // delete
          case 3: b.insert(at, std::string(1 + rng() % 8, static_cast<char>(rng()))); break;
          case 4: b[at] = static_cast<char>(0xFF); break;                          // huge varints
          case 5: b.resize(at); break;                                             // truncate
        }
      }
      ++cases;
      errors += !try_load(b).empty();
    }
  }
  EXPECT_GT(cases, 1000u);
  EXPECT_GT(errors, cases / 10) << "mutations should mostly be detected";
}

TEST(Robustness, RandomBytesAreNotAModel) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 500; ++i) {
    std::string b(1 + rng() % 4096, '\0');
    for (auto& c : b) c = static_cast<char>(rng());
    EXPECT_FALSE(try_load(b).empty());
  }
}

TEST(Robustness, DeeplyNestedTypesHitTheLimit) {
  // seq(seq(seq(...))) 10,000 deep in a graph input's type.
  std::string type = "\x0a\x02\x08\x01";  // tensor_type { elem_type: FLOAT }
  for (int i = 0; i < 10000; ++i) {
    std::string seq;
    test::append_len_field(seq, 1, type);  // Sequence.elem_type
    std::string t;
    test::append_len_field(t, 4, seq);  // TypeProto.sequence_type
    type = std::move(t);
  }
  std::string vi = "\x0a\x01x";
  test::append_len_field(vi, 2, type);
  std::string graph;
  test::append_len_field(graph, 11, vi);
  std::string model = "\x08\x08";
  test::append_len_field(model, 7, graph);
  EXPECT_EQ(try_load(model), "too-deep");
}

TEST(Robustness, StructureMemoryIsBounded) {
  // A million empty nodes: 2 bytes each on disk, far more in memory.
  std::string graph;
  graph.reserve(2'000'000);
  for (int i = 0; i < 1'000'000; ++i) graph += std::string("\x0a\x00", 2);
  std::string model = "\x08\x08";
  test::append_len_field(model, 7, graph);
  load::LoadOptions opts;
  opts.max_structure_bytes = 16 << 20;
  try {
    load::load_model_bytes(model, opts);
    FAIL() << "expected the structure limit to trip";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "too-large") << e.what();
  }
}

}  // namespace
}  // namespace onnxscope
