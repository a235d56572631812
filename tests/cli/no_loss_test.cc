// Nothing lost: a command killed in the middle of writing leaves no partial
// file under the final name (the previous file stays whole), and the model
// and its data file are never changed. The kill comes at a controlled point:
// a file-size limit (RLIMIT_FSIZE, `prlimit --fsize`) below the size of the
// output, so the kernel kills onnxscope with SIGXFSZ during the write.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/support.h"

namespace onnxscope {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kLimit = 4096;         // bytes a child may write into one file
constexpr uint64_t kReportLimit = 256;    // a report of this model is about 800 bytes

class NoLoss : public ::testing::Test {
 protected:
  void SetUp() override {
    // y = Add(x, w) over float[64,64]: w's 16 KiB in weights.bin beside it.
    auto m = test::parse_text(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[64,64] x) => (float[64,64] y) { y = Add(x, w) })");
    m.mutable_graph()->mutable_node(0)->set_name("/add");
    auto* w = m.mutable_graph()->add_initializer();
    w->set_name("w");
    w->set_data_type(onnx::TensorProto::FLOAT);
    w->add_dims(64);
    w->add_dims(64);
    w->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* e = w->add_external_data();
    e->set_key("location");
    e->set_value("weights.bin");
    model_ = dir_.write("model.onnx", test::serialize(m));
    weights_ = dir_.write("weights.bin", std::string(64 * 64 * 4, '\x01'));
    model_bytes_ = test::read_file(model_);
    weights_bytes_ = test::read_file(weights_);
  }
  void TearDown() override {
    EXPECT_EQ(test::read_file(model_), model_bytes_) << "the model changed";
    EXPECT_EQ(test::read_file(weights_), weights_bytes_) << "its data file changed";
  }
  // Runs killed by SIGXFSZ during a write, then again without the limit.
  test::RunResult killed(const std::vector<std::string>& args, uint64_t limit = kLimit) {
    auto r = test::run_onnxscope(args, dir_.path(), 60, {.file_size = limit});
    EXPECT_EQ(r.exit_code, -1000 - SIGXFSZ) << r.out << r.err;
    return r;
  }
  // The temporary files a killed write left: hidden, beside the target,
  // holding the limit's worth of the bytes (the kill came mid-write).
  std::vector<fs::path> leftovers(const fs::path& folder) const {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(folder)) {
      std::string name = e.path().filename().string();
      if (name[0] == '.' && name.ends_with(".tmp")) out.push_back(e.path());
    }
    return out;
  }

  test::TempDir dir_;
  fs::path model_, weights_;
  std::string model_bytes_, weights_bytes_;
};

TEST_F(NoLoss, ReportKilledWhileWritingKeepsThePreviousReport) {
  const fs::path out = dir_.path() / "report.md";
  test::write_file(out, "the previous report\n");
  killed({"report", "model.onnx", "-o", "report.md"}, kReportLimit);
  EXPECT_EQ(test::read_file(out), "the previous report\n");
  auto left = leftovers(dir_.path());
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(fs::file_size(left[0]), kReportLimit);
  EXPECT_TRUE(left[0].filename().string().starts_with(".report.md.")) << left[0];

  auto r = test::run_onnxscope({"report", "model.onnx", "-o", "report.md"}, dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string report = test::read_file(out);
  EXPECT_GT(report.size(), kReportLimit);
  EXPECT_NE(report.find("session.run(None, {'x': np.zeros((64, 64), np.float32)})"), std::string::npos);
}

TEST_F(NoLoss, ExtractKilledWhileWritingLeavesNoPartialModel) {
  const fs::path out = dir_.path() / "ex";
  fs::create_directories(out);
  test::write_file(out / "model.onnx", "the previous extract");
  killed({"extract", "model.onnx", "--node", "/add", "--random", "-o", "ex"});
  EXPECT_EQ(test::read_file(out / "model.onnx"), "the previous extract");
  // feeds.npz (x's 16 KiB) is written first: the kill came in it.
  EXPECT_FALSE(fs::exists(out / "feeds.npz"));
  auto left = leftovers(out);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_TRUE(left[0].filename().string().starts_with(".feeds.npz.")) << left[0];
  EXPECT_EQ(fs::file_size(left[0]), kLimit);

  auto r = test::run_onnxscope({"extract", "model.onnx", "--node", "/add", "--random", "-o", "ex"}, dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(fs::file_size(out / "feeds.npz"), 64u * 64 * 4);
  r = test::run_onnxscope({"run", "ex/model.onnx", "--input", "ex/feeds.npz"}, dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(NoLoss, SavedOutputsKilledWhileWritingLeaveNoPartialArray) {
  for (const char* option : {"--save-outputs", "--save-all"}) {
    SCOPED_TRACE(option);
    const fs::path out = dir_.path() / (std::string("out") + option);
    fs::create_directories(out);
    test::write_file(out / "y.npy", "the previous y");
    killed({"run", "model.onnx", "--random", option, out.filename().string()});
    EXPECT_EQ(test::read_file(out / "y.npy"), "the previous y");
    auto left = leftovers(out);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_TRUE(left[0].filename().string().starts_with(".y.npy.")) << left[0];
    EXPECT_EQ(fs::file_size(left[0]), kLimit);
  }
  const fs::path out = dir_.path() / "npz";
  killed({"run", "model.onnx", "--random", "--save", "npz"});
  EXPECT_FALSE(fs::exists(out / "feeds.npz"));
  EXPECT_FALSE(fs::exists(out / "outputs.npz"));
  ASSERT_EQ(leftovers(out).size(), 1u);
  EXPECT_TRUE(leftovers(out)[0].filename().string().starts_with(".feeds.npz.")) << leftovers(out)[0];

  auto r = test::run_onnxscope({"run", "model.onnx", "--random", "--save-outputs", "out--save-outputs"}, dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fs::file_size(dir_.path() / "out--save-outputs" / "y.npy"), 128u + 64 * 64 * 4);
}

}  // namespace
}  // namespace onnxscope
