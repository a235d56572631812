// Feeds for a trial run: tensors read from .npy, .npz (numpy) and .pb
// (TensorProto, as the ONNX test data stores them) files, or drawn at random
// from the declared input types with the symbols bound.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "model/analysis/infer.h"
#include "model/ir/graph.h"
#include "model/value/tensor.h"

namespace onnxscope::exec {

// Largest feed file read (and largest array inside an .npz).
inline constexpr uint64_t kMaxFeedBytes = uint64_t{4} << 30;

// One array of a .npy file. Throws Error ("feed-file") naming the file and
// what is wrong: not numpy, an element type onnxscope does not hold,
// Fortran order, a size that does not match the header.
value::Tensor read_npy(const std::filesystem::path& path);
value::Tensor parse_npy(std::string_view bytes, const std::string& where);
// Every array of an .npz archive (stored or deflated), by name without ".npy".
std::map<std::string, value::Tensor> read_npz(const std::filesystem::path& path);
// Writes tensors as an .npz archive (stored, as np.savez writes it) that
// numpy, onnxscope and bench/ort read back. Strings are written as numpy
// unicode arrays. Throws Error "write" when the file cannot be written.
void write_npz(const std::filesystem::path& path, const std::map<std::string, const value::Tensor*>& arrays);
std::string npy_bytes(const value::Tensor& t);

// A .pb file of the ONNX test data as the value `type` declares: a tensor,
// a sequence of tensors, or an optional (None when empty).
value::Value read_value_pb(const std::filesystem::path& path, const ir::Type& type, std::string* name = nullptr);

// A TensorProto file; its name (may be empty) in `name`.
value::Tensor read_pb(const std::filesystem::path& path, std::string* name = nullptr);

// `--input NAME=FILE` or a bare FILE: the tensors a file holds, by input
// name. A .npy or unnamed .pb feeds `name` (or, when empty, the graph's only
// input without a default); an .npz feeds its arrays by name.
std::map<std::string, value::Tensor> read_feed_file(const ir::Graph& g, const std::string& name,
                                                     const std::filesystem::path& path);

// Random feeds for every graph input without a default value, from its
// declared type: symbolic dims from `bindings` (Error "feed-random" naming
// the symbols that are not bound), floats uniform in [-1, 1), integers that
// index a Gather's data within that dimension (when the analysis knows it),
// other integers in [0, 10), bools fair. Deterministic for a seed.
// Inputs in `fed` are skipped. The inputs drawn may take `max_bytes` in all
// (0: half of physical memory): one that would take more is refused before
// it is allocated (Error "exec-memory" naming the input, its shape and
// bytes).
std::map<std::string, value::Tensor> random_feeds(const ir::Model& m, const analysis::Analysis* a,
                                                  const std::map<std::string, int64_t, std::less<>>& bindings,
                                                  uint64_t seed = 1,
                                                  const std::map<std::string, value::Tensor>* fed = nullptr,
                                                  uint64_t max_bytes = 0);

// The feeds of a trial run as a front end asks for them: each spec
// "NAME=FILE" or "FILE" read (an Error names the spec), then, with `random`,
// every input still without a feed drawn at random, its symbols bound by
// `bindings` and by the shapes of the inputs fed from files.
struct Feeds {
  std::map<std::string, value::Tensor> tensors;
  std::vector<std::pair<std::string, std::string>> sources;  // input, "x.npy" / "b.npz:ids" / "random"
};
// `max_bytes` bounds the inputs drawn at random, as in random_feeds.
Feeds assemble_feeds(const ir::Model& m, const analysis::Analysis* a, const std::vector<std::string>& specs,
                     bool random, std::map<std::string, int64_t, std::less<>> bindings, uint64_t seed = 1,
                     uint64_t max_bytes = 0);

}  // namespace onnxscope::exec
