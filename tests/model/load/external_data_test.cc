// External data (onnx-spec ExternalData.md, ExternalDataSecurity.md): resolved
// in the model's folder only, checked against the file size at load, mapped
// only when the bytes are asked for. The traversal cases are those of
// CVE-2022-25882 (../ paths), CVE-2024-27318 (a/../../x) and link attacks.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "model/load/loader.h"
#include "model/util/error.h"
#include "tests/support/support.h"

namespace onnxscope {
namespace {

namespace fs = std::filesystem;

constexpr const char* kModel = R"(
<ir_version: 8, opset_import: ["" : 17]>
g (float[4] x) => (float[4] y) <float[4] w = {0.0, 0.0, 0.0, 0.0}> { y = Add(x, w) }
)";

const float kWeights[4] = {1.5f, -2.0f, 3.25f, 8.0f};

std::string weight_bytes() { return std::string(reinterpret_cast<const char*>(kWeights), sizeof kWeights); }

// Writes model.onnx into `dir` with initializer w stored externally.
fs::path write_model(const fs::path& dir, const std::vector<std::pair<std::string, std::string>>& entries) {
  auto proto = test::parse_text(kModel);
  auto* w = proto.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  for (const auto& [k, v] : entries) {
    auto* e = w->add_external_data();
    e->set_key(k);
    e->set_value(v);
  }
  auto path = dir / "model.onnx";
  test::write_file(path, test::serialize(proto));
  return path;
}

std::pair<std::string, std::string> load_error(const fs::path& model) {
  try {
    load::load_model(model);
  } catch (const Error& e) {
    return {e.code(), e.what()};
  }
  return {"", ""};
}

TEST(ExternalData, LoadsWithoutReadingAndMapsOnDemand) {
  test::TempDir d;
  d.write("weights.bin", std::string(64, 'x') + weight_bytes());
  auto m = load::load_model(write_model(d.path(), {{"location", "weights.bin"}, {"offset", "64"}, {"length", "16"}}));
  const ir::Tensor& w = m->graph->initializers[0];
  ASSERT_TRUE(w.is_external());
  EXPECT_EQ(w.external.offset, 64u);
  EXPECT_EQ(w.external.length, 16u);
  EXPECT_EQ(w.external.file->location(), "weights.bin");
  EXPECT_EQ(w.external.file->size(), 80u);
  EXPECT_FALSE(w.external.file->mapped()) << "loading must not read external data";
  auto data = w.data();
  EXPECT_TRUE(w.external.file->mapped());
  ASSERT_EQ(data.bytes.size(), 16u);
  EXPECT_EQ(std::memcmp(data.bytes.data(), kWeights, 16), 0);
}

TEST(ExternalData, LengthDefaultsToTheRestOfTheFile) {
  test::TempDir d;
  d.write("w.bin", weight_bytes());
  auto m = load::load_model(write_model(d.path(), {{"location", "w.bin"}}));
  EXPECT_EQ(m->graph->initializers[0].external.length, 16u);
}

TEST(ExternalData, SubfoldersAndInnerDotDotAreFine) {
  test::TempDir d;
  d.write("data/w.bin", weight_bytes());
  EXPECT_NO_THROW(load::load_model(write_model(d.path(), {{"location", "data/w.bin"}})));
  EXPECT_NO_THROW(load::load_model(write_model(d.path(), {{"location", "./data/../data/w.bin"}})));
}

TEST(ExternalData, SharedFileIsOpenedOnce) {
  test::TempDir d;
  d.write("w.bin", weight_bytes() + weight_bytes());
  auto proto = test::parse_text(R"(
<ir_version: 8, opset_import: ["" : 17]>
g (float[4] x) => (float[4] y) <float[4] a = {0.0, 0.0, 0.0, 0.0}, float[4] b = {0.0, 0.0, 0.0, 0.0}> {
  t = Add(x, a)
  y = Add(t, b)
})");
  for (int i = 0; i < 2; ++i) {
    auto* t = proto.mutable_graph()->mutable_initializer(i);
    t->clear_float_data();
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* e = t->add_external_data();
    e->set_key("location");
    e->set_value("w.bin");
    e = t->add_external_data();
    e->set_key("offset");
    e->set_value(std::to_string(16 * i));
    e = t->add_external_data();
    e->set_key("length");
    e->set_value("16");
  }
  auto m = load::load_model(d.write("model.onnx", test::serialize(proto)));
  EXPECT_EQ(m->graph->initializers[0].external.file, m->graph->initializers[1].external.file);
}

TEST(ExternalData, AbsolutePathIsRefused) {
  test::TempDir d;
  auto [code, msg] = load_error(write_model(d.path(), {{"location", "/etc/passwd"}}));
  EXPECT_EQ(code, "external-path");
  EXPECT_NE(msg.find("absolute path"), std::string::npos) << msg;
  EXPECT_NE(msg.find("initializer[0] 'w'"), std::string::npos) << msg;
}

TEST(ExternalData, Cve2022_25882_ParentTraversalIsRefused) {
  test::TempDir d;
  auto sub = d.path() / "models";
  fs::create_directories(sub);
  test::write_file(d.path() / "secret.bin", weight_bytes());
  for (const char* loc : {"../secret.bin", "../../../../../../etc/passwd", "./../secret.bin"}) {
    auto [code, msg] = load_error(write_model(sub, {{"location", loc}}));
    EXPECT_EQ(code, "external-path") << loc;
    EXPECT_NE(msg.find("escapes the model's folder"), std::string::npos) << msg;
  }
}

TEST(ExternalData, Cve2024_27318_NestedTraversalIsRefused) {
  test::TempDir d;
  auto sub = d.path() / "models";
  fs::create_directories(sub / "a");
  test::write_file(d.path() / "x", weight_bytes());
  auto [code, msg] = load_error(write_model(sub, {{"location", "a/../../x"}}));
  EXPECT_EQ(code, "external-path");
  EXPECT_NE(msg.find("escapes"), std::string::npos) << msg;
}

TEST(ExternalData, SymlinkIsRefused) {
  test::TempDir d;
  auto sub = d.path() / "models";
  fs::create_directories(sub);
  test::write_file(d.path() / "outside.bin", weight_bytes());
  fs::create_symlink(d.path() / "outside.bin", sub / "w.bin");
  auto [code, msg] = load_error(write_model(sub, {{"location", "w.bin"}}));
  EXPECT_EQ(code, "external-path");
  EXPECT_NE(msg.find("symbolic link"), std::string::npos) << msg;
}

TEST(ExternalData, SymlinkToAFileInsideIsRefusedToo) {
  test::TempDir d;
  d.write("real.bin", weight_bytes());
  fs::create_symlink("real.bin", d.path() / "w.bin");
  EXPECT_EQ(load_error(write_model(d.path(), {{"location", "w.bin"}})).first, "external-path");
}

TEST(ExternalData, SymlinkedFolderIsRefused) {
  test::TempDir d;
  auto sub = d.path() / "models";
  fs::create_directories(sub);
  fs::create_directories(d.path() / "elsewhere");
  test::write_file(d.path() / "elsewhere" / "w.bin", weight_bytes());
  fs::create_directory_symlink(d.path() / "elsewhere", sub / "data");
  auto [code, msg] = load_error(write_model(sub, {{"location", "data/w.bin"}}));
  EXPECT_EQ(code, "external-path");
  EXPECT_NE(msg.find("'data' is a symbolic link"), std::string::npos) << msg;
}

TEST(ExternalData, HardLinkIsRefused) {
  test::TempDir d;
  auto sub = d.path() / "models";
  fs::create_directories(sub);
  test::write_file(d.path() / "outside.bin", weight_bytes());
  fs::create_hard_link(d.path() / "outside.bin", sub / "w.bin");
  auto [code, msg] = load_error(write_model(sub, {{"location", "w.bin"}}));
  EXPECT_EQ(code, "external-path");
  EXPECT_NE(msg.find("hard links"), std::string::npos) << msg;
}

TEST(ExternalData, MissingFileNamesIt) {
  test::TempDir d;
  auto [code, msg] = load_error(write_model(d.path(), {{"location", "nope.bin"}}));
  EXPECT_EQ(code, "external-file");
  EXPECT_NE(msg.find("'nope.bin'"), std::string::npos) << msg;
}

TEST(ExternalData, FolderAndFifoAreNotDataFiles) {
  test::TempDir d;
  fs::create_directories(d.path() / "dir.bin");
  EXPECT_EQ(load_error(write_model(d.path(), {{"location", "dir.bin"}})).first, "external-file");
  ASSERT_EQ(::mkfifo((d.path() / "fifo.bin").c_str(), 0600), 0);
  // Opening a FIFO for reading would block: it must be refused before that.
  EXPECT_EQ(load_error(write_model(d.path(), {{"location", "fifo.bin"}})).first, "external-file");
}

TEST(ExternalData, RangesAreChecked) {
  test::TempDir d;
  d.write("w.bin", weight_bytes());
  struct Case {
    std::vector<std::pair<std::string, std::string>> entries;
    const char* fragment;
  };
  for (const auto& c : std::vector<Case>{
           {{{"location", "w.bin"}, {"offset", "100"}}, "offset 100 lies beyond the end"},
           {{{"location", "w.bin"}, {"offset", "8"}, {"length", "16"}}, "runs past the end"},
           {{{"location", "w.bin"}, {"length", "8"}}, "length is 8 bytes, but float32[4] needs 16"},
           {{{"location", "w.bin"}, {"offset", "-1"}}, "not a byte count"},
           {{{"location", "w.bin"}, {"offset", "18446744073709551616"}}, "not a byte count"},
       }) {
    auto [code, msg] = load_error(write_model(d.path(), c.entries));
    EXPECT_EQ(code, "external-range") << msg;
    EXPECT_NE(msg.find(c.fragment), std::string::npos) << msg;
  }
}

TEST(ExternalData, NoLocationOrBadLocation) {
  test::TempDir d;
  EXPECT_EQ(load_error(write_model(d.path(), {{"offset", "0"}})).first, "external-path");
  EXPECT_EQ(load_error(write_model(d.path(), {{"location", ""}})).first, "external-path");
  EXPECT_EQ(load_error(write_model(d.path(), {{"location", std::string("w.bin\0.txt", 10)}})).first,
            "external-path");
  EXPECT_EQ(load_error(write_model(d.path(), {{"location", "."}})).first, "external-path");
}

TEST(ExternalData, UnknownKeysWarn) {
  test::TempDir d;
  d.write("w.bin", weight_bytes());
  auto m = load::load_model(write_model(d.path(), {{"location", "w.bin"}, {"colour", "blue"}}));
  ASSERT_EQ(m->warnings.size(), 1u);
  EXPECT_EQ(m->warnings[0].code, "external-key");
  EXPECT_NE(m->warnings[0].message.find("'colour'"), std::string::npos);
}

TEST(ExternalData, FileReplacedAfterLoadIsNotRead) {
  test::TempDir d;
  d.write("w.bin", weight_bytes());
  auto m = load::load_model(write_model(d.path(), {{"location", "w.bin"}}));
  // Replace the file (a new inode, same size) before the data is first needed.
  d.write("w2.bin", weight_bytes());
  fs::rename(d.path() / "w2.bin", d.path() / "w.bin");
  try {
    m->graph->initializers[0].data();
    FAIL() << "a replaced data file must not be read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "external-file");
  }
}

}  // namespace
}  // namespace onnxscope
