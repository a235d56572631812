// TUI view-model tests: the app renders into an in-memory canvas at fixed
// sizes and is compared with golden text (tests/ui/golden; regenerate with
// ONNXSCOPE_UPDATE_GOLDEN=1), and key sequences drive it the way a user does.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <sstream>

#include "model/analysis/check.h"
#include "model/exec/feeds.h"
#include "model/load/loader.h"
#include "tests/support/support.h"
#include "tests/ui/fixtures.h"
#include "ui/app.h"
#include "ui/document.h"

namespace onnxscope::ui {
namespace {

namespace fs = std::filesystem;

class Session {
 public:
  // `feeds`: --input specs, as the front end gives them to the document.
  explicit Session(const fs::path& path, std::string target = "ort-cpu@1.30", analysis::InferOptions opts = {},
                   std::string shown = {}, std::vector<std::string> feeds = {})
      : model_(load::load_model(path)), tables_(ops::SupportTables::open(fs::path(ONNXSCOPE_TEST_SOURCE_DIR) / ".." / "share" / "ort")) {
    Engine e;
    const ir::Model* m = model_.get();
    const ops::SupportTables* t = &tables_;
    e.infer = [m](const analysis::InferOptions& o) { return analysis::infer(*m, o); };
    e.check = [t](const analysis::Analysis& a, size_t i) { return analysis::check(a, t->at(i), *t); };
    e.markdown = [](const Result& r) { return "# report for " + r.check.target + "\n"; };
    e.repro = [this](const Result&, const std::string& node, const std::string& dir) {
      repro_node = node;
      repro_dir = dir;
      return std::string("model.onnx");
    };
    doc_ = std::make_unique<Document>(*model_, tables_, std::move(e));
    doc_->display_path = shown.empty() ? path.filename().string() : shown;
    for (const auto& f : feeds) doc_->feeds.push_back(onnxscope::session::parse_input(f));
    doc_->feed_specs = feeds;
    doc_->analyze(std::move(opts), *tables_.find(target));
    doc_->wait_releases();
    app_ = std::make_unique<App>(*doc_, App::Options{true, "report.md"});
    frame(80, 24);
  }
  ~Session() { doc_->drain(); }  // worker threads read the model and tables
  std::string frame(int w, int h, bool utf8 = true) {
    Canvas c(w, h, utf8);
    app_->render(c);
    last_ = c.text();
    return last_;
  }
  Canvas canvas(int w, int h) {
    Canvas c(w, h, true);
    app_->render(c);
    return c;
  }
  // Types characters; "\n" is Enter, "\t" Tab, "\b" Backspace, "\x1b" Esc.
  void type(std::string_view keys) {
    for (char ch : keys) {
      Event e = ch == '\n' ? Event::of(Key::Enter) : ch == '\t' ? Event::of(Key::Tab) : ch == '\b' ? Event::of(Key::Backspace)
                : ch == '\x1b' ? Event::of(Key::Escape) : Event::chr(static_cast<unsigned char>(ch));
      app_->handle(e);
      // A trial run computes on a worker thread: let it end, as the loop's
      // ticks would (press() leaves it running).
      if (doc_->trial_busy()) {
        doc_->trial_wait();
        app_->handle(Event::of(Key::Tick));
      }
      frame(last_w_, last_h_);
    }
  }
  // One key, without waiting for the trial run it starts.
  void press(char ch) {
    app_->handle(ch == '\x1b' ? Event::of(Key::Escape) : Event::chr(static_cast<unsigned char>(ch)));
    frame(last_w_, last_h_);
  }
  void key(Key k) {
    app_->handle(Event::of(k));
    frame(last_w_, last_h_);
  }
  // Lets a started analysis finish, as the loop's ticks do.
  void settle() {
    doc_->wait();
    app_->handle(Event::of(Key::Tick));
    doc_->wait_releases();
    frame(last_w_, last_h_);
  }
  // In the symbols view, moves the cursor down to the line of this link kind
  // that holds `text`.
  bool symbols_line(Link::Kind kind, std::string_view text) {
    for (int i = 0; i < 60; ++i) {
      auto lines = symbols_lines(*app_, 79);
      size_t c = app_->cursor_line();
      if (c < lines.size() && lines[c].link.kind == kind) {
        std::string line;
        for (const auto& sp : lines[c].spans) line += sp.text;
        if (line.find(text) != std::string::npos) return true;
      }
      type("j");
    }
    return false;
  }
  // Tabs into the detail and moves its cursor down to the line that holds `text`.
  bool press_j_until(std::string_view text) {
    type("\t");
    for (int i = 0; i < 60; ++i) {
      auto lines = detail_lines(*app_, 79);
      size_t c = app_->cursor_line();
      if (c < lines.size()) {
        std::string line;
        for (const auto& sp : lines[c].spans) line += sp.text;
        if (line.find(text) != std::string::npos) return true;
      }
      type("j");
    }
    return false;
  }
  std::string selected_name() const {
    auto n = app_->selected();
    return n ? std::string(app_->graph().node(*n).name) : "";
  }
  App& app() { return *app_; }
  const ir::Model& model() const { return *model_; }
  Document& doc() { return *doc_; }

 private:
  std::unique_ptr<ir::Model> model_;
  ops::SupportTables tables_;
  std::unique_ptr<Document> doc_;
  std::unique_ptr<App> app_;

 public:
  // What the export asked the repro for.
  std::string repro_node, repro_dir;
  std::string last_;
  int last_w_ = 80, last_h_ = 24;
};

fs::path repo() { return fs::path(ONNXSCOPE_TEST_SOURCE_DIR) / ".."; }
fs::path demo() { return repo() / "share" / "demo" / "broken_export.onnx"; }
fs::path control_flow() { return repo() / "tests" / "fixtures" / "models" / "control_flow.onnxtxt"; }

void golden(const std::string& name, const std::string& text) {
  fs::path p = fs::path(ONNXSCOPE_TEST_SOURCE_DIR) / "ui" / "golden" / (name + ".txt");
  if (std::getenv("ONNXSCOPE_UPDATE_GOLDEN")) {
    std::ofstream(p, std::ios::binary) << text;
    return;
  }
  std::ifstream in(p, std::ios::binary);
  ASSERT_TRUE(in) << "no golden file " << p << "; run with ONNXSCOPE_UPDATE_GOLDEN=1";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), text) << "golden " << name << " differs; the frame is:\n" << text;
}

TEST(TuiGolden, FirstFrameShowsTheFirstError80x24) {
  Session s(demo());
  golden("demo_80x24", s.frame(80, 24));
  EXPECT_EQ(s.selected_name(), "/Sub");
}

TEST(TuiGolden, FirstFrame120x40) {
  Session s(demo());
  golden("demo_120x40", s.frame(120, 40));
}

TEST(TuiGolden, AsciiFallback) {
  Session s(demo());
  std::string f = s.frame(80, 24, false);
  for (unsigned char c : f) EXPECT_LT(c, 0x80);
  golden("demo_ascii_80x24", f);
}

TEST(TuiGolden, Views80x24) {
  Session s(demo());
  s.type("2");
  golden("demo_diagnostics_80x24", s.frame(80, 24));
  s.type("3");
  golden("demo_overview_80x24", s.frame(80, 24));
  s.type("4");
  golden("demo_symbols_80x24", s.frame(80, 24));
  s.type("1v");
  golden("demo_graph_80x24", s.frame(80, 24));
  s.type("?");
  golden("demo_help_80x24", s.frame(80, 24));
}

TEST(TuiGolden, Views120x40) {
  Session s(demo());
  s.frame(120, 40);
  s.type("3");
  golden("demo_overview_120x40", s.frame(120, 40));
  s.type("1v");
  golden("demo_graph_120x40", s.frame(120, 40));
}

TEST(TuiGolden, WideLayoutHasThreeColumns) {
  Session s(demo());
  golden("demo_180x40", s.frame(180, 40));
}

TEST(TuiCommand, WithoutATerminalPrintsChecksReport) {
  auto r = test::run_onnxscope({demo().string()});
  EXPECT_EQ(r.exit_code, 1);  // check's status: a failure is predicted
  EXPECT_NE(r.out.find("Verdict load-error"), std::string::npos) << r.out;
  auto t = test::run_onnxscope({"tui", demo().string(), "--bind", "batch=2", "--target", "1.17"});
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_NE(t.out.find("Target ort-cpu@1.17"), std::string::npos) << t.out;
  auto bad = test::run_onnxscope({demo().string(), "--target", "0.1"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("error[usage]"), std::string::npos) << bad.err;
  auto typo = test::run_onnxscope({"chek"});
  EXPECT_EQ(typo.exit_code, 2);
}

TEST(TuiKeys, SearchNamesAndOpTypes) {
  Session s(demo());
  s.type("/gemm");
  EXPECT_EQ(s.selected_name(), "/fc/Gemm");  // incremental: found while typing
  s.type("\n");
  s.type("/Re\n");
  EXPECT_EQ(s.selected_name(), "/Relu");
  s.type("n");
  EXPECT_EQ(s.selected_name(), "/Reshape");
  s.type("N");
  EXPECT_EQ(s.selected_name(), "/Relu");
  s.type("/nothing-like-this\x1b");  // Esc: back where the search started
  EXPECT_EQ(s.selected_name(), "/Relu");
}

TEST(TuiKeys, ErrorsFirstThenRootCause) {
  Session s(demo());
  EXPECT_EQ(s.selected_name(), "/Sub");  // the first error, selected in the first frame
  s.type("e");
  EXPECT_EQ(s.selected_name(), "/Div");  // the second error
  s.type("e");
  EXPECT_EQ(s.selected_name(), "/Reshape");  // then the warnings
  s.type("e");
  EXPECT_EQ(s.selected_name(), "/norm/LayerNormalization");
  // In the detail, the cursor starts on the first link: the root cause.
  s.type("\t");
  EXPECT_NE(s.frame(80, 24).find("caused at /Reshape"), std::string::npos);
  s.type("\n");
  EXPECT_EQ(s.selected_name(), "/Reshape");
  s.type("E");
  EXPECT_EQ(s.selected_name(), "/Reshape");
  s.type("E");
  EXPECT_EQ(s.selected_name(), "/Div");
}

TEST(TuiKeys, AnErrorHiddenBehindAnotherIsMarkedInTheListAndTheDetail) {
  // onnxruntime stops at the first type error in model order: the demo's
  // Div is never reported while the Sub fails.
  Session s(demo());
  s.type("2");
  std::string list = s.frame(80, 24);
  EXPECT_NE(list.find("/Div                (hidden) Div node '/Div'"), std::string::npos) << list;
  EXPECT_EQ(list.find("(hidden) Sub node"), std::string::npos) << list;
  s.type("j\n");  // to the Div, in the node list with its detail
  EXPECT_EQ(s.selected_name(), "/Div");
  std::string detail = s.frame(80, 24);
  EXPECT_NE(detail.find("hidden: onnxruntime stops at the dtype-mismatch error at Sub node '/Sub'"),
            std::string::npos)
      << detail;
}

TEST(TuiKeys, TheFirstErrorSelectedIsTheOneTheRuntimeReports) {
  // The fused MatMul comes first in the model, but onnxruntime 1.20 stops
  // at the Conv without kernel: the inspector opens on the Conv, and lists
  // it first.
  Session s(repo() / "tests" / "fixtures" / "fusions" / "hidden_fusion_nokernel.onnx", "ort-cpu@1.20");
  EXPECT_EQ(s.selected_name(), "/conv/Conv");
  s.type("e");
  EXPECT_EQ(s.selected_name(), "/MatMul");
}

TEST(TuiKeys, DiagnosticsListJumpsToTheNode) {
  Session s(demo());
  s.type("2jjj\n");
  EXPECT_EQ(s.app().primary(), View::Nodes);
  EXPECT_EQ(s.selected_name(), "/norm/LayerNormalization");
}

TEST(TuiKeys, GoToAndFilter) {
  Session s(demo());
  s.type(":/fc/Gemm\n");
  EXPECT_EQ(s.selected_name(), "/fc/Gemm");
  s.type("fconv\n");
  EXPECT_EQ(s.app().rows().size(), 1u);
  EXPECT_EQ(s.selected_name(), "/conv/Conv");
  s.type("ferror\n");
  EXPECT_EQ(s.app().rows().size(), 2u);
  s.type("f\n");
  EXPECT_EQ(s.app().rows().size(), 9u);
}

TEST(TuiKeys, EnterALoopBodyAndComeBack) {
  Session s(control_flow());
  s.type("/Loop\n");
  std::string loop = s.selected_name();
  s.type("\n");
  EXPECT_NE(s.app().breadcrumb().find("body"), std::string::npos);
  EXPECT_NE(s.app().graph().parent, nullptr);
  EXPECT_EQ(s.app().rows().size(), 2u);
  golden("control_flow_body_80x24", s.frame(80, 24));
  s.key(Key::Backspace);
  EXPECT_EQ(s.app().graph().parent, nullptr);
  EXPECT_EQ(s.selected_name(), loop);
  // And into the If's then-branch through the detail's subgraph link.
  s.type("/If\n");
  EXPECT_TRUE(s.press_j_until("then_branch: 1 nodes"));
  s.type("\n");
  EXPECT_NE(s.app().breadcrumb().find("then_branch"), std::string::npos) << s.app().breadcrumb();
  EXPECT_EQ(s.app().rows().size(), 1u);
}

TEST(TuiKeys, FunctionBodies) {
  Session s(control_flow());
  s.type("/Scale\n\n");
  EXPECT_NE(s.app().breadcrumb().find("custom.Scale"), std::string::npos) << s.app().breadcrumb();
  EXPECT_EQ(s.app().rows().size(), 2u);
  s.key(Key::Backspace);
  EXPECT_EQ(s.app().breadcrumb(), "main");
}

TEST(TuiKeys, BindingASymbolMakesShapesConcrete) {
  Session s(demo());
  EXPECT_NE(s.frame(80, 24).find("float32[batch,3,8,8]"), std::string::npos);
  s.type("b");
  EXPECT_EQ(s.app().primary(), View::Symbols);
  s.type("\n");  // on 'batch'
  s.type("1\n");
  s.settle();
  EXPECT_EQ(s.doc().options().bindings.at("batch"), 1);
  s.type("1");
  std::string f = s.frame(80, 24);
  EXPECT_NE(f.find("float32[1,3,8,8]"), std::string::npos) << f;
  EXPECT_EQ(f.find("float32[batch,3,8,8]"), std::string::npos) << f;
  // With batch = 1, the shapes that agree only when batch = 2 are errors now.
  EXPECT_EQ(s.doc().errors(), 5u);
  // The detail keeps the symbolic shape beside the concrete one.
  s.type("\t");
  golden("demo_bound_detail_80x24", s.frame(80, 24));
  // An input's type edited the same way.
  s.type("4");
  ASSERT_TRUE(s.symbols_line(Link::Kind::Input, "pixels"));
  s.type("\n");
  EXPECT_NE(s.frame(80, 24).find("input pixels ="), std::string::npos);
}

// --input describes feeds as check takes them: a batch the model's Reshape
// baked in fails at the later Gemm in a run, with the Reshape as its root
// cause; a feed of the wrong dtype is refused in onnxruntime's words. The
// symbols view and the overview say which feeds are in force.
TEST(TuiKeys, DescribedFeedsAreCheckedAsCheckChecksThem) {
  fs::path baked = repo() / "tests" / "fixtures" / "torch" / "baked_batch.onnx";
  Session s(baked, "ort-cpu@1.30", {}, {}, {"x=float32[4,4,6]"});
  EXPECT_EQ(s.doc().check().verdict, analysis::Verdict::RunError);
  ASSERT_FALSE(s.doc().ordered().empty());
  const auto& first = s.doc().check().diagnostics[s.doc().ordered()[0]];
  EXPECT_EQ(analysis::code_name(first.code), "matmul-inner");
  EXPECT_EQ(first.phase, analysis::Phase::Run);
  EXPECT_EQ(onnxscope::session::node_label(first.node), "/fc/Gemm");
  EXPECT_EQ(onnxscope::session::node_label(first.root_cause), "/Reshape");
  EXPECT_EQ(s.doc().result().bindings.at("batch"), 4);  // the feed's size, bound
  EXPECT_TRUE(s.doc().options().bindings.empty());      // not one the user typed
  std::string f = s.frame(80, 24);
  EXPECT_NE(f.find("RUN-ERROR"), std::string::npos) << f;
  s.type("3");
  f = s.frame(80, 24);
  EXPECT_NE(f.find("feeds      x=float32[4,4,6]"), std::string::npos) << f;
  s.type("4");
  f = s.frame(80, 24);
  EXPECT_NE(f.find("Feeds described (--input)"), std::string::npos) << f;
  EXPECT_NE(f.find("  x=float32[4,4,6]"), std::string::npos) << f;
  EXPECT_NE(f.find("= 4  (fed)"), std::string::npos) << f;
  // Without the feed, the same model has no error.
  Session plain(baked);
  EXPECT_NE(plain.doc().check().verdict, analysis::Verdict::RunError);
  EXPECT_EQ(plain.doc().result().bindings.count("batch"), 0u);

  Session wrong(baked, "ort-cpu@1.30", {}, {}, {"x=int32[4,4,6]"});
  EXPECT_EQ(wrong.doc().check().verdict, analysis::Verdict::RunError);
  const auto& d = wrong.doc().check().diagnostics[wrong.doc().ordered()[0]];
  EXPECT_EQ(analysis::code_name(d.code), "feed-dtype");
  EXPECT_NE(d.message.find("Unexpected input data type. Actual: (tensor(int32)) , expected: (tensor(float))"),
            std::string::npos)
      << d.message;
}

TEST(TuiKeys, SwitchingTargetChangesTheVerdict) {
  Session s(repo() / "share" / "demo" / "tiny_transformer.onnx");
  EXPECT_EQ(s.doc().check().verdict, analysis::Verdict::Ok);
  s.type("t");
  s.key(Key::Home);  // the oldest release, 1.10: opset 17 is beyond it
  s.type("\n");
  EXPECT_EQ(s.doc().target_name(), "ort-cpu@1.10");
  EXPECT_EQ(s.doc().check().verdict, analysis::Verdict::LoadError);
  EXPECT_NE(s.frame(80, 24).find("LOAD-ERROR"), std::string::npos);
}

TEST(TuiKeys, TensorViewOfAnInitializer) {
  Session s(demo());
  EXPECT_TRUE(s.press_j_until("mean                 "));  // the detail of /Sub: its input 'mean', an initializer
  s.type("\n");
  EXPECT_EQ(s.app().secondary(), View::Tensor);
  golden("demo_tensor_80x24", s.frame(80, 24));
  s.key(Key::Backspace);
  EXPECT_EQ(s.app().secondary(), View::Detail);
}

TEST(TuiKeys, ExternalWeightsAreMappedOnlyWhenShown) {
  // Larger than the tensors whose contents inference tracks (1024 elements),
  // so that only the tensor view reads it.
  test::TempDir d;
  std::vector<float> weights(2048, 0.5f);
  weights[7] = -2.0f;
  weights[100] = 8.0f;
  d.write("weights.bin", std::string(reinterpret_cast<const char*>(weights.data()), weights.size() * 4));
  auto proto = test::parse_text(R"(
<ir_version: 8, opset_import: ["" : 17]>
g (float[2048] x) => (float[2048] y) <float[1] w = {0.0}> { y = Add(x, w) }
)");
  auto* w = proto.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->clear_dims();
  w->add_dims(2048);
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* e = w->add_external_data();
  e->set_key("location");
  e->set_value("weights.bin");
  fs::path path = d.write("model.onnx", test::serialize(proto));
  Session s(path);
  const ir::Tensor& t = s.model().graph->initializers[0];
  ASSERT_TRUE(t.is_external());
  // Every view but the tensor's, at two sizes: nothing reads the weights.
  s.type("1234v");
  s.frame(120, 40);
  s.frame(180, 40);
  s.type("v1");
  s.frame(80, 24);
  EXPECT_FALSE(t.external.file->mapped());
  EXPECT_TRUE(s.press_j_until("initializer"));
  s.type("\n");
  std::string f = s.frame(80, 24);
  EXPECT_TRUE(t.external.file->mapped());
  EXPECT_NE(f.find("min/max   -2 / 8"), std::string::npos) << f;
  EXPECT_NE(f.find("external, 8.00 KiB in weights.bin"), std::string::npos) << f;
}

TEST(TuiKeys, TensorSlicesOfHigherDimensions) {
  test::TempDir d;
  fs::path path = d.write("model.onnxtxt", R"(
<ir_version: 8, opset_import: ["" : 17]>
g (float[2,2,3] x) => (float[2,2,3] y)
  <float[2,2,3] w = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}> { y = Add(x, w) }
)");
  Session s(path);
  EXPECT_TRUE(s.press_j_until("initializer"));
  s.type("\n");
  std::string f = s.frame(120, 40);
  EXPECT_NE(f.find("slice [0,:,:]"), std::string::npos) << f;
  EXPECT_NE(f.find("[1] 4 5 6"), std::string::npos) << f;
  s.type("]");
  f = s.frame(120, 40);
  EXPECT_NE(f.find("slice [1,:,:]"), std::string::npos) << f;
  EXPECT_NE(f.find("[0]  7  8  9"), std::string::npos) << f;
  s.type("]");  // wraps around
  EXPECT_NE(s.frame(120, 40).find("slice [0,:,:]"), std::string::npos);
  s.type("[");
  EXPECT_NE(s.frame(120, 40).find("slice [1,:,:]"), std::string::npos);
}

TEST(TuiKeys, ExplainAFindingFromTheCatalogue) {
  Session s(demo());
  s.type(":/Reshape\n");
  EXPECT_TRUE(s.press_j_until("explain dynamic-axis-baked"));
  s.type("\n");
  EXPECT_EQ(s.app().secondary(), View::Explain);
  golden("demo_explain_80x24", s.frame(80, 24));
  s.key(Key::Backspace);
  EXPECT_EQ(s.app().secondary(), View::Detail);
}

TEST(TuiKeys, HostileNamesCannotReachTheTerminal) {
  test::TempDir dir;
  fs::path p = dir.write("hostile.onnx", test::hostile_model());
  Session s(p);
  for (auto [w, h] : {std::pair{80, 24}, std::pair{120, 40}}) {
    Canvas c = s.canvas(w, h);
    for (int y = 0; y < h; ++y) {
      int cols = 0;
      for (int x = 0; x < w; ++x) {
        for (unsigned char ch : c.at(x, y).glyph) {
          EXPECT_TRUE(ch >= 0x20 && ch != 0x7F) << "control byte at " << x << "," << y;
        }
        ++cols;
      }
      EXPECT_EQ(cols, w);
    }
  }
  s.type("\t2?3 4 v");
  SUCCEED();
}

TEST(TuiKeys, ExportWritesTheReportAtomically) {
  Session s(demo());
  test::TempDir dir;
  fs::path out = dir.path() / "report.md";
  s.type("x");
  // The prompt offers a name; replace it.
  for (int i = 0; i < 20; ++i) s.key(Key::Backspace);
  s.type(out.string() + "\n");
  EXPECT_EQ(test::read_file(out), "# report for ort-cpu@1.30\n");
  EXPECT_NE(s.app().message().find("wrote"), std::string::npos);
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) files += e.is_regular_file();
  EXPECT_EQ(files, 1);  // no temporary file left behind
}

TEST(TuiKeys, ExportAlsoWritesTheReproOfTheSelectedFailure) {
  test::TempDir dir;
  auto export_to = [&](Session& s, const fs::path& out) {
    s.type("x");
    for (int i = 0; i < 20; ++i) s.key(Key::Backspace);
    s.type(out.string() + "\n");
  };
  {
    // The first node, /Sub, is selected and fails: its repro.
    Session s(demo());
    export_to(s, dir.path() / "report.md");
    EXPECT_EQ(s.repro_node, "/Sub");
    EXPECT_EQ(fs::path(s.repro_dir), dir.path() / "report-repro");
    EXPECT_NE(s.app().message().find("and the repro of /Sub in"), std::string::npos) << s.app().message();
  }
  {
    // The second, /Div, fails too: selected, it is the one.
    Session s(demo());
    s.key(Key::Down);
    ASSERT_EQ(s.selected_name(), "/Div");
    export_to(s, dir.path() / "div.md");
    EXPECT_EQ(s.repro_node, "/Div");
    EXPECT_EQ(fs::path(s.repro_dir), dir.path() / "div-repro");
  }
  {
    // A selected node without an error: the first failure.
    Session s(demo());
    s.key(Key::Down);
    s.key(Key::Down);
    ASSERT_EQ(s.selected_name(), "/Cast_1");
    export_to(s, dir.path() / "other.md");
    EXPECT_EQ(s.repro_node, "/Sub");
  }
}

TEST(TuiKeys, ResizeKeepsTheSelection) {
  Session s(demo());
  s.type("e");
  std::string name = s.selected_name();
  Event e = Event::of(Key::Resize);
  e.width = 40;
  e.height = 12;
  s.app().handle(e);
  s.frame(40, 12);
  s.frame(30, 8);  // too small: a message, no crash
  s.frame(200, 60);
  EXPECT_EQ(s.selected_name(), name);
}

TEST(TuiKeys, MouseClickSelectsAndWheelScrolls) {
  Session s(demo());
  Event click = Event::of(Key::Mouse);
  click.button = Event::Button::Left;
  click.x = 10;
  click.y = 3;  // the first row of the node list
  s.app().handle(click);
  EXPECT_EQ(s.selected_name(), "/Sub");
  click.y = 5;
  s.app().handle(click);
  EXPECT_EQ(s.selected_name(), "/Cast_1");
  Event wheel = click;
  wheel.button = Event::Button::WheelDown;
  s.app().handle(wheel);
  EXPECT_EQ(s.selected_name(), "/Constant");
  Event tab = click;
  tab.x = 12;  // "2 Diagnostics" on the second line
  tab.y = 1;
  s.app().handle(tab);
  EXPECT_EQ(s.app().primary(), View::Diagnostics);
}

TEST(TuiKeys, CancelledAnalysisLeavesAnEmptyResult) {
  // The cancelled analysis and the release checks run on after the test
  // returns: what they read stays, as in onnxscope (which keeps it until exit).
  // Held from globals, never freed: LeakSanitizer (make test-asan) sees them
  // as kept, not lost.
  static const ir::Model* kept_model = nullptr;
  static const ops::SupportTables* kept_tables = nullptr;
  static Document* kept_doc = nullptr;
  kept_model = load::load_model(demo()).release();
  kept_tables = new ops::SupportTables(ops::SupportTables::open(repo() / "share" / "ort"));
  const ir::Model& model = *kept_model;
  const auto& tables = *kept_tables;
  Engine e;
  e.infer = [m = &model](const analysis::InferOptions& o) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return analysis::infer(*m, o);
  };
  e.check = [t = &tables](const analysis::Analysis& a, size_t i) { return analysis::check(a, t->at(i), *t); };
  auto* doc = kept_doc = new Document(model, tables, e);
  doc->start({}, tables.size() - 1);
  App app(*doc, {});
  Canvas c(80, 24);
  app.render(c);
  EXPECT_NE(c.text().find("analysing"), std::string::npos);
  app.handle(Event::of(Key::Escape));
  EXPECT_FALSE(app.done());
  EXPECT_TRUE(doc->ready());
  app.render(c);
  EXPECT_NE(c.text().find("cancelled"), std::string::npos);
  doc->drain();  // the cancelled analysis runs on to its end
}

}  // namespace
}  // namespace onnxscope::ui

namespace onnxscope::ui {
namespace {

// A trial run in the inspector: R prepares it (the symbols must be bound),
// s steps, the node that ran is marked and its detail shows its output, c
// stops at the first NaN and at a breakpoint, and goes on to the end.
TEST(TuiKeys, TrialRunStepsStopsAtNaNAndBreakpoints) {
  test::TempDir dir;
  fs::path p = dir.write("trial.onnxtxt", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 2] x) => (float[N, 3] y) <float[2, 3] w = {1, 0, 1, 0, 1, 1}> {
  h = MatMul(x, w)
  a = Abs(h)
  m = Neg(a)
  l = Log(m)
  y = Relu(l)
})");
  {
    Session s(p);
    s.type("R");
    EXPECT_NE(s.app().message().find("no trial run: bind N first"), std::string::npos) << s.app().message();
    EXPECT_EQ(s.app().primary(), View::Symbols);
  }
  analysis::InferOptions bound;
  bound.bindings["N"] = 2;
  Session s(p, "ort-cpu@1.30", bound);
  s.type("R");
  EXPECT_NE(s.app().message().find("trial run ready: 1 inputs fed"), std::string::npos) << s.app().message();
  s.type("s");
  EXPECT_EQ(s.selected_name(), "@MatMul_0");
  std::string f = s.frame(120, 40);
  EXPECT_NE(f.find("trial run: 1/5 nodes"), std::string::npos) << f;
  EXPECT_NE(f.find("Trial run"), std::string::npos) << f;
  EXPECT_NE(f.find("h  float32[2,3]  min"), std::string::npos) << f;
  // Enter on the computed output shows its values.
  ASSERT_TRUE(s.press_j_until("h  float32[2,3]"));
  s.type("\n");
  EXPECT_EQ(s.app().secondary(), View::Tensor);
  f = s.frame(120, 40);
  EXPECT_NE(f.find("computed  by the trial run"), std::string::npos) << f;
  EXPECT_NE(f.find("shape     [2,3]  (6 elements)"), std::string::npos) << f;
  s.type("\b");
  s.type("\t");  // back to the node list
  // A breakpoint on Relu, the last node.
  s.type("G");
  s.type("B");
  EXPECT_NE(s.app().message().find("breakpoint set at @Relu_4"), std::string::npos) << s.app().message();
  s.type("c");
  EXPECT_NE(s.app().message().find("NaN or infinity after 4/5 nodes"), std::string::npos) << s.app().message();
  EXPECT_EQ(s.selected_name(), "@Log_3");
  EXPECT_EQ(s.doc().state(s.model().graph.operator*(), 3), NodeState::Executed);
  s.type("c");
  EXPECT_NE(s.app().message().find("breakpoint before @Relu_4"), std::string::npos) << s.app().message();
  s.type("c");
  EXPECT_NE(s.app().message().find("trial run done: 5/5 nodes"), std::string::npos) << s.app().message();
  s.type("s");
  EXPECT_NE(s.app().message().find("the trial run is done; r runs it again"), std::string::npos) << s.app().message();
  // R goes back to before the first node, the feeds kept.
  s.type("R");
  EXPECT_NE(s.app().message().find("trial run reset: 1 inputs fed"), std::string::npos) << s.app().message();
  EXPECT_NE(s.doc().state(s.model().graph.operator*(), 3), NodeState::Executed);
  // r runs from the start: the NaN stop first.
  s.type("r");
  EXPECT_NE(s.app().message().find("NaN or infinity after 4/5 nodes"), std::string::npos) << s.app().message();
  // A new analysis drops the run (its values belong to the old one); the
  // breakpoint stays.
  s.type("A");
  s.settle();
  s.type("G");
  f = s.frame(120, 40);
  EXPECT_NE(f.find("Trial run  breakpoint"), std::string::npos) << f;
  EXPECT_NE(f.find("r runs the model, s computes one node"), std::string::npos) << f;
  EXPECT_EQ(f.find("ran in"), std::string::npos) << f;
}

// A long trial run computes on a worker thread: the title shows its
// progress, body nodes included, and Esc stops it inside the Loop, which
// has not run (it runs again from its start).
TEST(TuiKeys, ALongTrialRunShowsProgressAndEscStopsIt) {
  test::TempDir dir;
  fs::path p = dir.write("long.onnxtxt", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1] x) => (float[1] sum) {
  n = Constant <value = int64 {900000}> ()
  go = Constant <value = bool {1}> ()
  sum = Loop(n, go, x) <body = b (int64 i, bool c, float[1] acc) => (bool co, float[1] next) {
    co = Identity(c)
    next = Add(acc, acc)
  }>
})");
  Session s(p);
  s.frame(120, 30);
  s.press('r');
  ASSERT_TRUE(s.doc().trial_busy());
  EXPECT_TRUE(s.app().wants_tick());
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  s.key(Key::Tick);
  std::string f = s.frame(120, 30);
  EXPECT_NE(f.find("running 2/3 Loop"), std::string::npos) << f;
  EXPECT_NE(f.find("body nodes"), std::string::npos) << f;
  EXPECT_NE(f.find("Esc stops"), std::string::npos) << f;
  // Keys that would start other work wait; moving around does not.
  s.press('s');
  EXPECT_NE(s.app().message().find("the trial run is computing; Esc stops it"), std::string::npos) << s.app().message();
  s.press('\x1b');
  s.doc().trial_wait();
  s.key(Key::Tick);
  EXPECT_FALSE(s.doc().trial_busy());
  EXPECT_NE(s.app().message().find("trial run stopped (Esc) before @Loop_2: 2/3 nodes done"), std::string::npos)
      << s.app().message();
  EXPECT_EQ(s.selected_name(), "@Loop_2");
  EXPECT_EQ(s.doc().state(s.model().graph.operator*(), 1), NodeState::Executed);
  EXPECT_NE(s.doc().state(s.model().graph.operator*(), 2), NodeState::Executed);
  EXPECT_NE(s.doc().state(s.model().graph.operator*(), 2), NodeState::Failed);
}

// Feeds are set in the symbols view: a file read at once (its error said
// there), random for the rest, the seed of the random draw.
TEST(TuiKeys, FeedsAreChosenFromFilesOrRandomInTheSymbolsView) {
  test::TempDir dir;
  fs::path p = dir.write("feeds.onnxtxt", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[2, 3] x, float[3] b) => (float[2, 3] y) {
  y = Add(x, b)
})");
  value::Tensor x(DType::Float32, {2, 3});
  for (int i = 0; i < 6; ++i) x.data<float>()[i] = static_cast<float>(i * 10);
  fs::path npy = dir.write("x.npy", exec::npy_bytes(x));
  fs::path bad = dir.write("bad.npy", "not numpy");
  Session s(p);
  s.type("4");
  ASSERT_EQ(s.app().primary(), View::Symbols);
  std::string f = s.frame(120, 40);
  EXPECT_NE(f.find("Feeds of the trial run"), std::string::npos) << f;
  ASSERT_TRUE(s.symbols_line(Link::Kind::Feed, "random, seed 1"));
  s.type("\n");
  s.type(bad.string() + "\n");
  EXPECT_NE(s.app().message().find("bad.npy"), std::string::npos) << s.app().message();
  EXPECT_EQ(s.doc().feed_files.size(), 0u);
  s.type("\n");
  s.type(npy.string() + "\n");
  EXPECT_NE(s.app().message().find("feed of x: "), std::string::npos) << s.app().message();
  EXPECT_NE(s.app().message().find("float32[2,3]; r runs with it"), std::string::npos) << s.app().message();
  ASSERT_EQ(s.doc().feed_files.size(), 1u);
  EXPECT_EQ(s.doc().feed_source("x"), npy.string());
  ASSERT_TRUE(s.symbols_line(Link::Kind::Seed, "seed"));
  s.type("\n");
  // The prompt offers the current seed; replace it.
  s.type("\b7\n");
  EXPECT_EQ(s.doc().seed, 7u);
  EXPECT_EQ(s.doc().feed_source("b"), "random, seed 7");
  s.type("r");
  EXPECT_NE(s.app().message().find("trial run done: 1/1 nodes"), std::string::npos) << s.app().message();
  const value::Tensor* y = s.doc().computed(*s.model().graph, s.model().graph->find("y"));
  const value::Tensor* b = s.doc().computed(*s.model().graph, s.model().graph->find("b"));
  ASSERT_TRUE(y && b);
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(y->data<float>()[i], static_cast<float>(i * 10) + b->data<float>()[i % 3]);
  f = s.frame(120, 40);
  EXPECT_NE(f.find("float32[3]"), std::string::npos) << f;  // b's drawn feed, beside its source
  // Emptied, x is drawn at random again.
  // The run selected its last node in the node list; back to the symbols.
  s.type("4g");
  ASSERT_TRUE(s.symbols_line(Link::Kind::Feed, npy.filename().string()));
  s.type("\n");
  for (size_t i = 0; i < npy.string().size(); ++i) s.type("\b");
  s.type("\n");
  EXPECT_EQ(s.doc().feed_files.size(), 0u);
  EXPECT_EQ(s.doc().feed_source("x"), "random, seed 7");
}

// An If whose condition the shapes decide: inside the branch it never takes
// the header says so; inside the one it takes it does not.
TEST(TuiKeys, ABranchNeverTakenSaysSo) {
  test::TempDir dir;
  fs::path p = dir.write("if.onnxtxt", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[2, 3] x) => (float[?] y) {
  s = Size(x)
  six = Constant <value = int64 {6}> ()
  c = Equal(s, six)
  y = If(c) <then_branch = t () => (float[?] a) { sh = Constant <value = int64[1] {-1}> () a = Reshape(x, sh) },
             else_branch = e () => (float[?] b) { sh2 = Constant <value = int64[1] {6}> () b = Reshape(x, sh2) }>
})");
  Session s(p);
  s.type("G");
  ASSERT_TRUE(s.press_j_until("else_branch: 2 nodes"));
  s.type("\n");
  EXPECT_NE(s.app().breadcrumb().find("else_branch"), std::string::npos) << s.app().breadcrumb();
  std::string f = s.frame(120, 40);
  EXPECT_NE(f.find("(never runs: its If's condition is known)"), std::string::npos) << f;
  s.type("\b");
  ASSERT_TRUE(s.press_j_until("then_branch: 2 nodes"));
  s.type("\n");
  f = s.frame(120, 40);
  EXPECT_EQ(f.find("never runs"), std::string::npos) << f;
}

}  // namespace
}  // namespace onnxscope::ui
