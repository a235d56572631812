// `onnxscope run` and the files around a run: --input, --save-outputs and
// --save-all (.npy that numpy and onnxscope read back), --expected (a
// test_data_set folder or one .pb), and the report of a failing node with
// what the static analysis predicted of it.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "model/exec/feeds.h"
#include "tests/cli/run_fixture.h"
#include "tests/support/support.h"

namespace onnxscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path feeds() { return test::feed_fixtures(); }

constexpr std::string_view kModel = test::kRunModel;

float sigmoid_plus(float h) { return 1.0f / (1.0f + std::exp(-h)) + h; }

// A TensorProto file as the ONNX test data stores them.
fs::path write_pb(const test::TempDir& dir, const std::string& file, const std::string& name,
                  const std::vector<int64_t>& dims, const std::vector<float>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  for (float v : values) t.add_float_data(v);
  return dir.write(file, t.SerializeAsString());
}

fs::path write_pb_int(const test::TempDir& dir, const std::string& file, const std::string& name,
                      const std::vector<int64_t>& dims, const std::vector<int32_t>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::INT32);
  for (int64_t d : dims) t.add_dims(d);
  for (int32_t v : values) t.add_int32_data(v);
  return dir.write(file, t.SerializeAsString());
}

struct Fixture {
  test::TempDir dir;
  fs::path model = dir.write("m.onnxtxt", kModel);
  fs::path x = feeds() / "x_f32.npy";
  fs::path w = write_pb(dir, "w.pb", "w", {2, 3}, {1, 1, 1, 1, 1, 1});
  std::vector<float> y() const {
    std::vector<float> out;
    for (float h : {-1.f, -1.f, -1.f, 7.f, 7.f, 7.f}) out.push_back(sigmoid_plus(h));
    return out;
  }
};

TEST(RunFilesCli, InputIsFeed) {
  Fixture f;
  auto a = test::run_onnxscope({"run", f.model.string(), "--input", "x=" + f.x.string(), "--input",
                                "w=" + f.w.string(), "--format", "json"});
  auto b = test::run_onnxscope({"run", f.model.string(), "--feed", "x=" + f.x.string(), "--feed", "w=" + f.w.string(),
                                "--format", "json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  json ja = json::parse(a.out);
  EXPECT_EQ(ja["outputs"], json::parse(b.out)["outputs"]);
  EXPECT_EQ(ja["feeds"][0]["source"], f.x.string());
  EXPECT_NEAR(ja["outputs"][0]["max"].get<double>(), sigmoid_plus(7), 1e-5);
}

TEST(RunFilesCli, SaveOutputsWritesNpyThatReadsBack) {
  Fixture f;
  fs::path out = f.dir.path() / "not" / "there" / "yet";
  auto r = test::run_onnxscope({"run", f.model.string(), "--input", "x=" + f.x.string(), "--input",
                                "w=" + f.w.string(), "--save-outputs", out.string(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  ASSERT_EQ(j["saved"]["files"].size(), 1u) << r.out;
  EXPECT_EQ(j["saved"]["files"][0]["value"], "y");
  EXPECT_EQ(j["saved"]["files"][0]["file"], (out / "y.npy").string());
  EXPECT_EQ(j["saved"]["notes"], json::array());
  value::Tensor y = exec::read_npy(out / "y.npy");
  ASSERT_EQ(y.dtype(), DType::Float32);
  ASSERT_EQ(y.shape(), (std::vector<int64_t>{2, 3}));
  std::vector<float> want = f.y();
  for (size_t i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(y.data<float>()[i], want[i]) << i;
  EXPECT_FALSE(fs::exists(out / "h.npy"));  // only the outputs
  // Nothing but the file: no temporary left behind.
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(out)) entries += e.is_regular_file();
  EXPECT_EQ(entries, 1u);
}

TEST(RunFilesCli, SaveAllWritesEveryValueAsNumpyWouldWriteIt) {
  Fixture f;
  fs::path out = f.dir.path() / "all";
  auto r = test::run_onnxscope({"run", f.model.string(), "--input", "x=" + f.x.string(), "--input",
                                "w=" + f.w.string(), "--save-all", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Saved 3 .npy files"), std::string::npos) << r.out;
  for (const char* v : {"h", "s", "y"}) EXPECT_TRUE(fs::exists(out / (std::string(v) + ".npy"))) << v;
  // h = x @ ones is exact: the bytes np.save writes for it (make_feeds.py).
  EXPECT_EQ(test::read_file(out / "h.npy"), test::read_file(feeds() / "h_f32.npy"));
  value::Tensor s = exec::read_npy(out / "s.npy");
  EXPECT_FLOAT_EQ(s.data<float>()[3], 1.0f / (1.0f + std::exp(-7.0f)));
  // Saving does not keep the values: the run still holds only the output y
  // (6 floats) at its end.
  r = test::run_onnxscope({"run", f.model.string(), "--input", "x=" + f.x.string(), "--input", "w=" + f.w.string(),
                           "--save-all", out.string(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["bytes_held"], 24);
  EXPECT_EQ(json::parse(r.out)["saved"]["files"].size(), 3u);
}

// A model whose outputs are named a/b, a:b and a_b (all a_b as file names)
// and ".." (a name of dots only).
fs::path clashing_model(const test::TempDir& dir) {
  onnx::ModelProto m = test::parse_text(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[2] x) => (float[2] o1, float[2] o2, float[2] o3, float[2] o4) {
  o1 = Relu(x)
  o2 = Neg(x)
  o3 = Abs(x)
  o4 = Sigmoid(x)
})");
  const char* names[] = {"a/b", "a:b", "a_b", ".."};
  for (int i = 0; i < 4; ++i) {
    m.mutable_graph()->mutable_output(i)->set_name(names[i]);
    m.mutable_graph()->mutable_node(i)->set_output(0, names[i]);
  }
  return dir.write("clash.onnx", test::serialize(m));
}

TEST(RunFilesCli, NamesThatBecomeTheSameFileAreKeptApart) {
  test::TempDir dir;
  fs::path model = clashing_model(dir);
  fs::path out = dir.path() / "out";
  auto r = test::run_onnxscope({"run", model.string(), "--random", "--save-outputs", out.string(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  std::map<std::string, std::string> files;
  for (const auto& f : j["saved"]["files"]) files[f["value"]] = fs::path(f["file"].get<std::string>()).filename();
  EXPECT_EQ(files, (std::map<std::string, std::string>{
                       {"a/b", "a_b.npy"}, {"a:b", "a_b_2.npy"}, {"a_b", "a_b_3.npy"}, {"..", "_...npy"}}));
  ASSERT_EQ(j["saved"]["notes"].size(), 2u) << r.out;
  EXPECT_EQ(j["saved"]["notes"][0], "'a/b' and 'a:b' are both a_b.npy as file names; 'a:b' is written as a_b_2.npy");
  // Each file holds its own output: a/b is relu(x), a:b is -x, a_b is |x|.
  value::Tensor relu = exec::read_npy(out / "a_b.npy"), neg = exec::read_npy(out / "a_b_2.npy"),
                abs = exec::read_npy(out / "a_b_3.npy");
  for (size_t i = 0; i < 2; ++i) {
    float x = -neg.data<float>()[i];
    EXPECT_NE(x, 0.0f);
    EXPECT_FLOAT_EQ(relu.data<float>()[i], std::max(0.0f, x));
    EXPECT_FLOAT_EQ(abs.data<float>()[i], std::fabs(x));
  }
}

// Sequences are written item by item; an empty one is noted.
TEST(RunFilesCli, SequencesAreWrittenItemByItem) {
  test::TempDir dir;
  onnx::ModelProto m = test::parse_text(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[2] x) => (float[2] s, float[2] e) {
  n = Neg(x)
  s = SequenceConstruct(x, n)
  e = SequenceEmpty<dtype = 1>()
})");
  for (int i = 0; i < 2; ++i) {
    auto* t = m.mutable_graph()->mutable_output(i)->mutable_type();
    t->clear_tensor_type();
    t->mutable_sequence_type()->mutable_elem_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  }
  fs::path model = dir.write("seq.onnx", test::serialize(m));
  fs::path out = dir.path() / "out";
  auto r = test::run_onnxscope({"run", model.string(), "--random", "--save-outputs", out.string(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  json saved = json::parse(r.out)["saved"];
  ASSERT_EQ(saved["files"].size(), 2u) << r.out;
  EXPECT_EQ(saved["files"][0]["value"], "s[0]");
  EXPECT_EQ(saved["files"][1]["file"], (out / "s_1.npy").string());
  EXPECT_EQ(saved["notes"], json::array({"'e' is an empty sequence: nothing written"}));
  value::Tensor x = exec::read_npy(out / "s_0.npy"), n = exec::read_npy(out / "s_1.npy");
  EXPECT_FLOAT_EQ(n.data<float>()[1], -x.data<float>()[1]);
}

TEST(RunFilesCli, SavingRefusesAFileAndTheModelItself) {
  Fixture f;
  std::vector<std::string> feed = {"--input", "x=" + f.x.string(), "--input", "w=" + f.w.string()};
  auto args = [&](std::vector<std::string> more) {
    std::vector<std::string> a = {"run", f.model.string()};
    a.insert(a.end(), feed.begin(), feed.end());
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  auto r = test::run_onnxscope(args({"--save-outputs", f.model.string()}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--save-outputs " + f.model.string() + ": is a file, not a folder"), std::string::npos) << r.err;
  r = test::run_onnxscope(args({"--save-all", f.w.string()}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--save-all " + f.w.string() + ": is a file, not a folder"), std::string::npos) << r.err;
  // A model named as an output's file would be, in the folder written.
  std::string text = test::read_file(f.model);
  fs::path trap = f.dir.write("y.npy", text);
  r = test::run_onnxscope({"run", trap.string(), "--input", "x=" + f.x.string(), "--input", "w=" + f.w.string(),
                           "--save-outputs", f.dir.path().string()});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find("y.npy is the model or its data; onnxscope never writes over it"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");  // refused before the run
  EXPECT_EQ(test::read_file(trap), text);
  r = test::run_onnxscope({"run", trap.string(), "--input", "x=" + f.x.string(), "--input", "w=" + f.w.string(),
                           "--save-all", f.dir.path().string()});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find("--save-all " + f.dir.path().string() + ": " + trap.string() + " is the model"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(test::read_file(trap), text);
}

// A test_data_set folder: inputs and the expected output, named as the
// graph names them.
struct DataSet {
  test::TempDir dir;
  fs::path model = dir.write("m.onnxtxt", kModel);
  fs::path set = dir.path() / "test_data_set_0";
  explicit DataSet(std::vector<float> y, std::vector<int64_t> y_dims = {2, 3}) {
    fs::create_directories(set);
    write_pb(dir, "test_data_set_0/input_0.pb", "x", {2, 2}, {1, -2, 3, 4});
    write_pb(dir, "test_data_set_0/input_1.pb", "w", {2, 3}, {1, 1, 1, 1, 1, 1});
    write_pb(dir, "test_data_set_0/output_0.pb", "y", y_dims, y);
  }
};

std::vector<float> want_y() {
  std::vector<float> out;
  for (float h : {-1.f, -1.f, -1.f, 7.f, 7.f, 7.f}) out.push_back(sigmoid_plus(h));
  return out;
}

TEST(RunFilesCli, ExpectedFolderPasses) {
  std::vector<float> y = want_y();
  y[4] *= 1.0f + 2e-4f;  // within rtol 1e-3
  DataSet d(y);
  auto r = test::run_onnxscope({"run", d.model.string(), "--expected", d.set.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("test_data_set_0/input_0.pb"), std::string::npos) << r.out;  // the folder fed the run
  EXPECT_NE(r.out.find("PASS  y"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("at [1,1]"), std::string::npos) << r.out;  // the worst difference, where it is
  EXPECT_NE(r.out.find("(rtol 0.001, atol 1e-05)"), std::string::npos) << r.out;
  r = test::run_onnxscope({"run", d.model.string(), "--expected", d.set.string(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json e = json::parse(r.out)["expected"];
  EXPECT_EQ(e["pass"], true);
  EXPECT_EQ(e["outputs"][0]["result"], "pass");
  EXPECT_EQ(e["outputs"][0]["max_abs_at"], json::array({1, 1}));
  EXPECT_NEAR(e["outputs"][0]["max_abs"].get<double>(), want_y()[4] * 2e-4, 1e-5);
  EXPECT_EQ(e["outputs"][0]["mismatches"], 0);
}

TEST(RunFilesCli, ExpectedFolderFailsWithTheWorstDifference) {
  std::vector<float> y = want_y();
  y[5] += 0.5f;
  y[1] += 0.25f;
  DataSet d(y);
  auto r = test::run_onnxscope({"run", d.model.string(), "--expected", d.set.string(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  json e = json::parse(r.out)["expected"];
  EXPECT_EQ(e["pass"], false);
  const json& o = e["outputs"][0];
  EXPECT_EQ(o["result"], "fail");
  EXPECT_EQ(o["mismatches"], 2);
  EXPECT_EQ(o["first_mismatch"], json::array({0, 1}));
  EXPECT_EQ(o["max_abs_at"], json::array({1, 2}));
  EXPECT_NEAR(o["max_abs"].get<double>(), 0.5, 1e-5);
  EXPECT_NEAR(o["got"].get<double>(), want_y()[5], 1e-5);
  r = test::run_onnxscope({"run", d.model.string(), "--expected", d.set.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("FAIL  y     2 of 6 elements outside rtol 0.001, atol 1e-05; first at [0,1]; max abs diff 0.5 "
                       "at [1,2]"),
            std::string::npos)
      << r.out;
}

TEST(RunFilesCli, ExpectedShapeAndDtypeMismatchesFailWithTheReason) {
  {
    DataSet d(std::vector<float>(9, 0.f), {3, 3});
    auto r = test::run_onnxscope({"run", d.model.string(), "--expected", d.set.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("FAIL  y     shape [2,3] where [3,3] is expected"), std::string::npos) << r.out;
  }
  DataSet d(want_y());
  write_pb_int(d.dir, "test_data_set_0/output_0.pb", "y", {2, 3}, {0, 0, 0, 7, 7, 7});
  auto r = test::run_onnxscope({"run", d.model.string(), "--expected", d.set.string(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 1);
  json o = json::parse(r.out)["expected"]["outputs"][0];
  EXPECT_EQ(o["reason"], "dtype float32 where int32 is expected");
  EXPECT_EQ(o["tolerance"], "exact");
}

TEST(RunFilesCli, ExpectedFeedsGivenOverrideTheFolders) {
  DataSet d(want_y());
  // x fed from a file of other values: the folder's inputs are not used.
  Fixture f;
  fs::path x2 = write_pb(f.dir, "x2.pb", "x", {2, 2}, {0, 0, 0, 0});
  auto r = test::run_onnxscope({"run", d.model.string(), "--input", "x=" + x2.string(), "--input",
                                "w=" + f.w.string(), "--expected", d.set.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("FAIL  y"), std::string::npos) << r.out;
  r = test::run_onnxscope({"run", d.model.string(), "--expected", (d.dir.path() / "nothere").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no such folder or .pb file"), std::string::npos) << r.err;
}

TEST(RunFilesCli, ExpectedFilesAreMatchedByNameBeforePosition) {
  test::TempDir dir;
  fs::path model = dir.write("two.onnxtxt", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[2] x) => (float[2] neg, float[2] twice) {
  neg = Neg(x)
  twice = Add(x, x)
})");
  fs::create_directories(dir.path() / "set");
  write_pb(dir, "set/input_0.pb", "", {2}, {1, -3});  // unnamed: the first input
  write_pb(dir, "set/output_0.pb", "twice", {2}, {2, -6});
  write_pb(dir, "set/output_1.pb", "neg", {2}, {-1, 3});
  auto r = test::run_onnxscope({"run", model.string(), "--expected", (dir.path() / "set").string(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  json e = json::parse(r.out)["expected"];
  ASSERT_EQ(e["outputs"].size(), 2u);
  EXPECT_EQ(e["outputs"][0]["name"], "neg");
  EXPECT_EQ(fs::path(e["outputs"][0]["file"].get<std::string>()).filename(), "output_1.pb");
  EXPECT_EQ(e["outputs"][1]["result"], "pass");
  // One .pb for a model of two outputs must name one of them.
  fs::path lone = write_pb(dir, "lone.pb", "", {2}, {0, 0});
  r = test::run_onnxscope({"run", model.string(), "--input", (dir.path() / "set" / "input_0.pb").string(),
                           "--expected", lone.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("one .pb file compares with a model of one output; this model has 2"), std::string::npos)
      << r.err;
}

// The ONNX test data stores bfloat16 as uint16 bit patterns, inputs and
// outputs alike; bfloat16 compares with the looser tolerance, and says so.
TEST(RunFilesCli, BackendTestDataFoldersWithBfloat16) {
  fs::path root = test::testdata_root() / "node";
  if (!fs::exists(root / "test_cast_BFLOAT16_to_FLOAT")) GTEST_SKIP() << "the ONNX backend test data is not installed";
  for (const char* c : {"test_cast_BFLOAT16_to_FLOAT", "test_cast_FLOAT_to_BFLOAT16"}) {
    auto r = test::run_onnxscope({"run", (root / c / "model.onnx").string(), "--expected",
                                  (root / c / "test_data_set_0").string()});
    EXPECT_EQ(r.exit_code, 0) << c << "\n" << r.err << r.out;
    EXPECT_NE(r.out.find("PASS  output"), std::string::npos) << c << "\n" << r.out;
  }
  auto r = test::run_onnxscope({"run", (root / "test_cast_FLOAT_to_BFLOAT16" / "model.onnx").string(), "--expected",
                                (root / "test_cast_FLOAT_to_BFLOAT16" / "test_data_set_0").string()});
  EXPECT_NE(r.out.find("(rtol 0.01, atol 0.001: looser, for bfloat16)"), std::string::npos) << r.out;
}

// AlexNet ends in a Gemm of one row (a matrix-vector product: every logit
// summed in the same order), so its uniform softmax compares exactly; see
// ExecConformance.LightModelsMatchTheirExpectedOutputs for SqueezeNet's,
// which need not.
TEST(RunFilesCli, LightModelMatchesItsOutputPb) {
  fs::path dir = test::light_models_dir();
  if (!fs::is_directory(dir)) GTEST_SKIP() << "../shared/reference/onnx-light-models is not there";
  auto r = test::run_onnxscope({"run", (dir / "light_bvlc_alexnet.onnx").string(), "--random", "--expected",
                                (dir / "light_bvlc_alexnet_output_0.pb").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("PASS  prob_1"), std::string::npos) << r.out;
}

// Reshape to a constant [1,2,2]: a batch of 1 baked in at export; fed a
// batch of 3 it fails, as the static analysis predicts.
TEST(RunFilesCli, AFailingNodeIsReportedWithItsInputsAndWhatAnalysisPredicted) {
  test::TempDir dir;
  fs::path model = dir.write("baked.onnxtxt", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 4] x) => (float[1, 2, 2] y) {
  shape = Constant<value = int64[3] {1, 2, 2}>()
  r = Relu(x)
  y = Reshape(r, shape)
})");
  std::string data;
  for (int i = 0; i < 12; ++i) {
    float v = float(i);
    data.append(reinterpret_cast<const char*>(&v), 4);
  }
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
  dict.append(64 - (10 + dict.size() + 1) % 64, ' ');
  dict += '\n';
  fs::path x = dir.write("x.npy", std::string("\x93NUMPY\x01\x00", 8) + char(dict.size()) + char(0) + dict + data);
  auto r = test::run_onnxscope({"run", model.string(), "--input", "x=" + x.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("Failing node  @Reshape_2  Reshape-14\n"
                       "  input 0  r      float32 [3,4]\n"
                       "  input 1  shape  int64 [3]\n"
                       "  error[reshape-count]: Reshape node @Reshape_2: cannot reshape [3,4] (12 elements) to [1,2,2] "
                       "(4 elements)\n"
                       "  static analysis saw this coming:\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("warning[dynamic-axis-baked] at @Reshape_2"), std::string::npos) << r.out;
  r = test::run_onnxscope({"run", model.string(), "--input", "x=" + x.string(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 1);
  json fj = json::parse(r.out)["failure"];
  EXPECT_EQ(fj["node"], "@Reshape_2");
  EXPECT_EQ(fj["op"], "Reshape-14");
  EXPECT_EQ(fj["error"]["code"], "reshape-count");
  EXPECT_EQ(fj["inputs"][0], json({{"dtype", "float32"}, {"name", "r"}, {"shape", "[3,4]"}, {"source", "value"}}));
  std::set<std::string> codes;
  for (const auto& d : fj["predicted"]) codes.insert(d["code"]);
  EXPECT_TRUE(codes.count("dynamic-axis-baked")) << fj.dump();
  EXPECT_TRUE(codes.count("reshape-count")) << fj.dump();
  // A run that does not fail has no failure section.
  r = test::run_onnxscope({"run", model.string(), "--random", "--bind", "N=1", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(json::parse(r.out)["failure"].is_null());
}

}  // namespace
}  // namespace onnxscope
