// Helpers for tests: ONNX text to ModelProto, temporary folders, running the
// onnxscope binary. Tests may use protobuf freely; it is the peer they check
// onnxscope's own decoder against.
#pragma once

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace onnxscope::test {

// Parses ONNX text format (onnx/defs/parser.h); throws std::runtime_error.
onnx::ModelProto parse_text(std::string_view text);
std::string serialize(const onnx::ModelProto& m);
// y = Add(x, w) over float[4], w's 16 bytes in the external file `location`
// (the caller writes that file).
onnx::ModelProto add_with_external_weights(const std::string& location);
// ONNX text of y = Loop(trips, true, x) over float[2] whose body negates its
// value and passes its condition through: a run of `trips` iterations that
// only the trip count (or a budget) ends.
std::string negating_loop(int64_t trips);
// Appends a length-delimited field (wire type 2) to serialized bytes.
void append_len_field(std::string& out, uint32_t field, std::string_view payload);

// A fresh folder under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, std::string_view bytes) const;

 private:
  std::filesystem::path path_;
};

void write_file(const std::filesystem::path& p, std::string_view bytes);
std::string read_file(const std::filesystem::path& p);

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  long max_rss_kib = 0;  // the child's peak resident memory (wait4's ru_maxrss)
};

// Whether this build (and so the onnxscope it runs) is AddressSanitizer's.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

// Runs the built onnxscope binary with `args` (no shell), in `cwd` if given,
// with NO_COLOR set; kills it after `timeout_s` seconds (exit_code -2).
// Limits the child starts with (0: inherited), as `prlimit` sets them.
struct RunLimits {
  uint64_t address_space = 0;  // RLIMIT_AS: an allocation past it fails
  uint64_t file_size = 0;      // RLIMIT_FSIZE: a write past it kills the child with SIGXFSZ
};
RunResult run_onnxscope(const std::vector<std::string>& args, const std::filesystem::path& cwd = {},
                        int timeout_s = 60, RunLimits limits = {});

// The ONNX backend test data, if installed.
std::filesystem::path testdata_root();
std::vector<std::filesystem::path> testdata_models();

// The onnx-light-models: $ONNXSCOPE_LIGHT_MODELS, else
// ../shared/reference/onnx-light-models beside the repository (may be absent).
std::filesystem::path light_models_dir();

// Compares `actual` with the golden file, or rewrites it when
// ONNXSCOPE_UPDATE_GOLDEN=1 (after checking the difference is intended).
void compare_golden(const std::filesystem::path& golden, const std::string& actual);

// Source folder of the tests (for fixtures and golden files).
std::filesystem::path source_dir();

}  // namespace onnxscope::test
