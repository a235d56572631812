// The session layer: target selection and its errors, re-analysis after the
// options change, checks across releases, and styled text.
#include "model/session/session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "model/session/styled.h"
#include "model/session/write.h"
#include "model/util/error.h"
#include "tests/support/support.h"

namespace onnxscope::session {
namespace {

namespace fs = std::filesystem;

fs::path share() { return test::source_dir().parent_path() / "share"; }
const Tables& tables() {
  static const Tables t(share() / "ort");
  return t;
}

// The Error a call throws, or a failure.
template <typename F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error("none", "");
}

TEST(SessionTargets, Selection) {
  const Tables& t = tables();
  ASSERT_GE(t.size(), 2u);
  size_t latest = t.size() - 1;
  auto i130 = t.all().find("ort-cpu@1.30");
  auto i110 = t.all().find("ort-cpu@1.10");
  ASSERT_TRUE(i130 && i110);
  EXPECT_EQ(t.select({}), std::vector<size_t>{latest});
  EXPECT_EQ(t.select({"latest"}), std::vector<size_t>{latest});
  EXPECT_EQ(t.select({"all"}).size(), t.size());
  EXPECT_EQ(t.select({"1.30"}), std::vector<size_t>{*i130});
  EXPECT_EQ(t.select({"ort-cpu@1.30"}), std::vector<size_t>{*i130});
  EXPECT_EQ(t.select({"ort@1.30"}), std::vector<size_t>{*i130});
  EXPECT_EQ(t.select({"1.30.0"}), std::vector<size_t>{*i130});  // the measured patch release
  // Oldest first, each once.
  EXPECT_EQ(t.select({"1.30", "1.10", "ort-cpu@1.30"}), (std::vector<size_t>{*i110, *i130}));
  EXPECT_EQ(t.available().rfind("1.10, 1.11, ", 0), 0u) << t.available();
}

TEST(SessionTargets, SelectionErrors) {
  const Tables& t = tables();
  Error e = error_of([&] { t.select({"9.99"}); });
  EXPECT_EQ(e.code(), "usage");
  EXPECT_EQ(std::string(e.what()).rfind("--target '9.99': no support table for that release (measured: 1.10, 1.11, ", 0), 0u)
      << e.what();
  EXPECT_NE(std::string(e.what()).find("; or 'all', 'latest')"), std::string::npos) << e.what();
  e = error_of([&] { t.select({"1.30.2"}); });
  EXPECT_EQ(e.code(), "usage");
  EXPECT_EQ(std::string(e.what()),
            "--target '1.30.2': the table of ort-cpu@1.30 was measured on onnxruntime 1.30.0; name it 1.30 or 1.30.0");
  test::TempDir empty;
  e = error_of([&] { Tables none(empty.path()); });
  EXPECT_EQ(e.code(), "support-tables");
  // A session selects its targets before it loads the model.
  Options o;
  o.targets = {"9.99"};
  e = error_of([&] { Session s("no/such/model.onnx", o, &t); });
  EXPECT_EQ(e.code(), "usage");
  e = error_of([&] { Session s("no/such/model.onnx", Options{}, &t); });
  EXPECT_EQ(e.code(), "file-open");
}

TEST(SessionOptions, Parsers) {
  auto in = parse_input("x=float16[batch, 3]");
  EXPECT_EQ(in.name, "x");
  EXPECT_EQ(in.dtype, DType::Float16);
  EXPECT_EQ(in.dims, (std::vector<std::string>{"batch", "3"}));
  EXPECT_EQ(parse_binding("batch=4"), (std::pair<std::string, int64_t>{"batch", 4}));
  EXPECT_EQ(parse_value("shape=1,-1").second, (std::vector<double>{1, -1}));
  for (const char* bad : {"batch", "=4", "batch=x", "batch=4x"}) {
    EXPECT_EQ(error_of([&] { parse_binding(bad); }).code(), "usage") << bad;
  }
  EXPECT_EQ(std::string(error_of([] { parse_value("x=1,a"); }).what()), "--value 'x=1,a': 'a' is not a number");
  EXPECT_EQ(error_of([] { parse_input("x=floaty[1]"); }).code(), "usage");
}

const ValueRow* find_value(const ShapesReport& r, std::string_view name) {
  auto it = std::find_if(r.values.begin(), r.values.end(), [&](const ValueRow& v) { return r.name(v) == name; });
  return it == r.values.end() ? nullptr : &*it;
}

TEST(Session, ReanalysisAfterABindingMakesAShapeConcrete) {
  Session s((test::source_dir() / "fixtures" / "models" / "mlp.onnxtxt").string(), Options{}, &tables());
  auto r = s.shapes();
  const ValueRow* h = find_value(r, "h");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->kind, "intermediate");
  ASSERT_EQ(h->fact->shape.dims.size(), 2u);
  EXPECT_FALSE(h->fact->shape.dims[0].as_int()) << "symbolic: batch";
  EXPECT_EQ(sym::to_string(h->fact->shape.dims[0]), "batch");
  EXPECT_EQ(s.generation(), 1u);

  s.set_bindings({{"batch", 4}});
  r = s.shapes();  // re-runs inference
  EXPECT_EQ(s.generation(), 2u);
  h = find_value(r, "h");
  ASSERT_TRUE(h);
  ASSERT_EQ(h->fact->shape.dims.size(), 2u);
  EXPECT_EQ(h->fact->shape.dims[0].as_int(), 4);
  EXPECT_EQ(h->fact->shape.dims[1].as_int(), 16);

  // A binding the model takes, an input it does not have: the error, and the
  // last analysis stays.
  s.set_input_values({{"nosuch", {1, 2}}});
  EXPECT_TRUE(s.stale());
  EXPECT_EQ(error_of([&] { s.reanalyze(); }).code(), "usage");
  EXPECT_EQ(h->fact->shape.dims[0].as_int(), 4);
  s.set_input_values({});

  // An input override, then back to the model's own declaration.
  s.set_inputs({parse_input("input=float16[2,8]")});
  r = s.shapes();
  EXPECT_EQ(analysis::to_string(*find_value(r, "logits")->fact), "float16[2,4]");
  s.set_inputs({});
  s.set_bindings({});
  s.reanalyze();
  r = s.shapes();
  EXPECT_EQ(analysis::to_string(*find_value(r, "logits")->fact), "float32[batch,4]");
}

TEST(Session, VerdictOfEveryRelease) {
  // tiny_transformer imports opset 17, which 1.10 and 1.11 do not load.
  Session s((share() / "demo" / "tiny_transformer.onnx").string(), Options{}, &tables());
  auto every = s.check_every();
  ASSERT_EQ(every.targets.size(), tables().size());
  for (const TargetCheck* c : every.targets) {
    SCOPED_TRACE(c->target);
    bool old = c->minor == "1.10" || c->minor == "1.11";
    EXPECT_EQ(c->result.verdict, old ? analysis::Verdict::LoadError : analysis::Verdict::Ok);
    EXPECT_EQ(c->ok(), !old);
    EXPECT_EQ(c->sentence, old ? "expected to fail when onnxruntime " + c->minor + " creates the session"
                               : "expected to load and run in onnxruntime " + c->minor);
    if (old) {
      ASSERT_TRUE(c->first_error());
      EXPECT_EQ(analysis::code_name(c->first_error()->code), "opset-unsupported");
    }
  }
  EXPECT_TRUE(every.failing());
  // The current target: the newest selected, then whichever is chosen.
  EXPECT_EQ(s.current_target(), tables().size() - 1);
  EXPECT_TRUE(s.check_current().ok());
  s.set_current_target(*tables().all().find("ort-cpu@1.11"));
  EXPECT_FALSE(s.check_current().ok());
  EXPECT_EQ(&s.check_current(), every.targets[1]) << "computed once per analysis";
  // Checked in one pass with the others: the nodes are in the pass's matrix.
  const TargetCheck& c11 = s.check_current();
  EXPECT_TRUE(c11.matrix);
  EXPECT_TRUE(c11.result.nodes.empty());
  EXPECT_EQ(c11.full().nodes.size(), c11.node_count());
  EXPECT_EQ(node_rows(c11).size(), c11.node_count());
  EXPECT_EQ(c11.status(0), analysis::SupportStatus::BeyondOpset);
  s.select_targets({"1.12", "1.30"});
  EXPECT_EQ(s.targets().size(), 2u);
  EXPECT_FALSE(s.check_selected().failing());
}

TEST(Session, OperatorRowsGroupNodes) {
  Session s((share() / "demo" / "broken_export.onnx").string(), Options{}, &tables());
  const TargetCheck& c = s.check_current();
  size_t total = 0;
  for (const auto& row : c.operators) total += row.count;
  EXPECT_TRUE(c.result.nodes.empty());  // they are in the check's matrix
  EXPECT_EQ(total, c.full().nodes.size());
  EXPECT_EQ(c.result.verdict, analysis::Verdict::LoadError);
  EXPECT_EQ(c.errors, 2u);
  const analysis::Diagnostic* e = c.first_error();
  ASSERT_TRUE(e);
  EXPECT_EQ(node_label(e->node), "/Sub");
  auto rows = node_rows(c);
  ASSERT_EQ(rows.size(), c.node_count());
  EXPECT_EQ(rows[3].op, "Conv-11");
  EXPECT_EQ(rows[3].node->types, "T=float32");
  EXPECT_EQ(analysis::status_name(rows[3].node->status), "ok");
}

TEST(ShapesText, ALongListingComesInPiecesThatMakeTheWholeInTextAndColour) {
  // 40,000 values of about 40 bytes: more than a megabyte, so at least two
  // pieces; each piece's colour closes within it.
  test::TempDir dir;
  std::string text = R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[batch, 3] x) => (y) {
  v0 = Identity(x))";
  for (int i = 1; i < 40000; ++i) text += fmt::format("\n  v{} = Relu(v{})", i, i - 1);
  text += "\n  y = Identity(v39999)\n}";
  Session s(dir.write("long.onnxtxt", text).string(), Options{}, &tables());
  auto r = s.shapes();
  std::vector<StyledText> pieces;
  write_text(r, [&](StyledText&& p) { pieces.push_back(std::move(p)); });
  ASSERT_GE(pieces.size(), 2u);
  StyledText whole = write_text(r);
  std::string plain, colour;
  for (const auto& p : pieces) {
    EXPECT_LE(p.size(), (size_t{1} << 20) + 4096);
    plain += p.text();
    colour += to_ansi(p, true);
  }
  EXPECT_EQ(plain, whole.text());
  EXPECT_EQ(colour, to_ansi(whole, true));
  EXPECT_NE(plain.find("v39999"), std::string::npos);
}

TEST(StyledText, NestedSpansAndTheAnsiSink) {
  StyledText t;
  t.add("main", Role::Heading);
  t += "\n  ";
  t.open(Role::Code);
  t += "int64[2]";
  t.add(" = [a,b]", Role::Muted);
  t.close();
  t.add("", Role::Error);  // empty: no span
  t += "\n";
  EXPECT_EQ(t.text(), "main\n  int64[2] = [a,b]\n");
  ASSERT_EQ(t.spans().size(), 3u);
  EXPECT_EQ(t.spans()[1].role, Role::Code);
  EXPECT_EQ(t.spans()[2].role, Role::Muted);
  EXPECT_EQ(to_ansi(t, false), t.text());
  EXPECT_EQ(to_ansi(t, true), "\x1b[1mmain\x1b[0m\n  \x1b[36mint64[2]\x1b[2m = [a,b]\x1b[0m\x1b[0m\n");
  StyledText u("> ");
  u += t;
  EXPECT_EQ(u.spans()[0].begin, 2u);
  EXPECT_EQ(to_ansi(u, true), "> " + to_ansi(t, true));
}

TEST(StyledText, CheckTextCarriesRoles) {
  Session s((share() / "demo" / "broken_export.onnx").string(), Options{}, &tables());
  StyledText t = write_text(s.check_selected(), NodeListing::Operators);
  EXPECT_EQ(t.text().find('\x1b'), std::string::npos);
  auto verdict = t.text().find("load-error");
  ASSERT_NE(verdict, std::string::npos);
  bool red = std::any_of(t.spans().begin(), t.spans().end(),
                         [&](const Span& sp) { return sp.begin == verdict && sp.role == Role::Error; });
  EXPECT_TRUE(red);
}

TEST(SessionExplain, Catalogue) {
  const auto& all = diagnostic_catalogue();
  ASSERT_FALSE(all.empty());
  const CatalogueEntry* e = find_explanation("dtype-mismatch");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->text.rfind("**error, load.**", 0), 0u) << e->text.substr(0, 40);
  EXPECT_TRUE(find_explanation("tile-repeats")) << "one of several codes under a heading";
  EXPECT_FALSE(find_explanation("Types")) << "category headings are not codes";
  EXPECT_EQ(explain("dtype-mismatch").text, e->text);
  EXPECT_EQ(std::string(error_of([] { explain("no-such-code"); }).what()),
            "'no-such-code' is not a diagnostic code; 'onnxscope explain' lists them");
}

TEST(WriteJson, StringsEscapedOneWay) {
  // Every JSON writer escapes as nlohmann's serializer does (short escapes,
  // \u00XX for other control characters, U+FFFD for each invalid sequence).
  for (std::string s : {std::string("plain /Conv_1"), std::string("tab\tnew\nline\x01\x7f"), std::string("q\"b\\"),
                        std::string("caf\xc3\xa9"), std::string("bad\xff\xc3\\x"), std::string("cut\xe2\x82"),
                        std::string("t\"\x01\xff\xc3\\")}) {
    EXPECT_EQ(json_quote(s), nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) << s;
  }
  EXPECT_EQ(json_quote("a\nb"), "\"a\\nb\"");
}

}  // namespace
}  // namespace onnxscope::session

namespace onnxscope::session {
namespace {

// Whether "1.10-1.17, 1.29" covers the release "1.12".
bool in_releases(const std::string& releases, const std::string& minor) {
  auto order = [](std::string_view v) {
    auto dot = v.find('.');
    return std::stoi(std::string(v.substr(0, dot))) * 1000 + std::stoi(std::string(v.substr(dot + 1)));
  };
  int want = order(minor);
  std::string_view rest = releases;
  while (!rest.empty()) {
    auto comma = rest.find(", ");
    std::string_view run = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
    auto dash = run.find('-');
    int from = order(run.substr(0, dash));
    int to = dash == std::string_view::npos ? from : order(run.substr(dash + 1));
    if (from <= want && want <= to) return true;
  }
  return false;
}

// The JSON of several targets (onnxscope.check/2, docs/check-json.md): its
// shape, and that it says for every target what that target alone says.
void expect_check2(const std::string& model) {
  SCOPED_TRACE(model);
  Session s((share() / "demo" / model).string(), Options{}, &tables());
  s.select_targets({"all"});
  CheckReport every = s.check_selected();
  ASSERT_EQ(every.targets.size(), tables().size());
  auto doc = nlohmann::json::parse(write_json(every, NodeListing::Nodes));
  auto plain = nlohmann::json::parse(write_json(every));
  EXPECT_FALSE(plain.contains("nodes"));
  EXPECT_EQ(plain["operators"], doc["operators"]);

  std::vector<std::string> keys;
  for (const auto& [k, v] : doc.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"diagnostics", "model", "nodes", "operators", "results", "schema"}));
  EXPECT_EQ(doc["schema"], "onnxscope.check/2");
  EXPECT_TRUE(doc["model"].is_string());
  const auto& ops = doc["operators"];
  const auto& diags = doc["diagnostics"];
  const auto& nodes = doc["nodes"];
  size_t counted = 0;
  for (const auto& o : ops) {
    EXPECT_TRUE(o["domain"].is_string() && o["op_type"].is_string());
    EXPECT_TRUE(o["types"].is_string() || o["types"].is_null());
    EXPECT_TRUE(o["version"].is_number_integer() || o["version"].is_null());
    EXPECT_EQ(o.size(), 5u);
    counted += o["nodes"].get<size_t>();
  }
  EXPECT_EQ(counted, nodes.size());
  for (const auto& d : diags) {
    // hidden_behind only on an error onnxruntime does not reach.
    const bool hidden = d.contains("hidden_behind");
    EXPECT_EQ(d.size(), hidden ? 12u : 11u);
    if (hidden) EXPECT_TRUE(d["hidden_behind"].is_string());
    for (const char* k : {"code", "message", "phase", "releases", "severity"}) EXPECT_TRUE(d[k].is_string()) << k;
    for (const char* k : {"hint", "input", "lineage", "node", "op_type", "root_cause_node"}) {
      EXPECT_TRUE(d[k].is_string() || d[k].is_null()) << k;
    }
  }

  // Each target, one by one, in a session of its own.
  ASSERT_EQ(doc["results"].size(), tables().size());
  for (size_t t = 0; t < tables().size(); ++t) {
    const auto& r = doc["results"][t];
    SCOPED_TRACE(tables().target(t));
    Session alone((share() / "demo" / model).string(), Options{}, &tables());
    const TargetCheck& c = alone.check(t);
    EXPECT_EQ(r.size(), 7u);
    EXPECT_EQ(r["target"], c.target);
    EXPECT_EQ(r["release"], c.release);
    EXPECT_EQ(r["verdict"], analysis::verdict_name(c.result.verdict));
    EXPECT_EQ(r["errors"], c.errors);
    EXPECT_EQ(r["warnings"], c.warnings);
    ASSERT_EQ(r["support"].size(), ops.size());
    ASSERT_EQ(nodes.size(), c.full().nodes.size());
    for (size_t n = 0; n < nodes.size(); ++n) {
      const auto& o = ops[nodes[n]["operator"].get<size_t>()];
      const analysis::NodeSupport& ns = c.full().nodes[n];
      EXPECT_EQ(nodes[n]["node"], node_label(ns.node));
      EXPECT_EQ(o["op_type"], ns.op);
      EXPECT_EQ(r["support"][nodes[n]["operator"].get<size_t>()], analysis::status_name(ns.status));
      if (!ns.types.empty()) EXPECT_EQ(o["types"], ns.types);
    }
    ASSERT_EQ(r["diagnostics"].size(), c.result.diagnostics.size());
    for (size_t i = 0; i < c.result.diagnostics.size(); ++i) {
      const auto& d = diags[r["diagnostics"][i].get<size_t>()];
      const analysis::Diagnostic& want = c.result.diagnostics[i];
      std::string releases = d["releases"];
      // A message never names its release: a shared finding says word for
      // word what each target that has it says.
      EXPECT_TRUE(in_releases(releases, c.minor)) << releases;
      EXPECT_TRUE(want.release.empty() || want.release == c.minor) << want.release;
      EXPECT_EQ(want.message.find("onnxruntime " + c.minor), std::string::npos) << want.message;
      EXPECT_EQ(d["code"], analysis::code_name(want.code));
      EXPECT_EQ(d["message"], want.message);
      EXPECT_EQ(d["hint"].is_null() ? std::string() : d["hint"].get<std::string>(), want.hint);
      EXPECT_EQ(d["node"].is_null() ? std::string() : d["node"].get<std::string>(), node_label(want.node));
    }
  }
}

TEST(CheckJson, SeveralTargetsOnceEach) {
  expect_check2("tiny_transformer.onnx");
  expect_check2("broken_export.onnx");
}

}  // namespace
}  // namespace onnxscope::session

namespace onnxscope::session {
namespace {

TEST(SharedFindings, EachFindingOnceWithTheReleasesThatHaveIt) {
  Session s((share() / "demo" / "tiny_transformer.onnx").string(), Options{}, &tables());
  CheckReport every = s.check_every();
  SharedFindings f = shared_findings(every);
  // Opset 17: 1.10 reads up to 15, 1.11 up to 16; the two findings differ in
  // that number, and neither names its release.
  ASSERT_EQ(f.findings.size(), 2u);
  EXPECT_EQ(f.findings[0].releases, "1.10");
  EXPECT_EQ(f.findings[1].releases, "1.11");
  EXPECT_EQ(f.findings[0].diagnostic->release, "1.10");
  ASSERT_EQ(f.of_target.size(), every.targets.size());
  EXPECT_EQ(f.of_target[0], std::vector<size_t>{0});
  EXPECT_EQ(f.of_target[1], std::vector<size_t>{1});
  for (size_t t = 2; t < every.targets.size(); ++t) EXPECT_TRUE(f.of_target[t].empty());

  // Every target's findings are there, each in one entry whose text is the
  // target's own.
  Session b((share() / "demo" / "broken_export.onnx").string(), Options{}, &tables());
  CheckReport all = b.check_every();
  f = shared_findings(all);
  for (size_t t = 0; t < all.targets.size(); ++t) {
    const auto& diags = all.targets[t]->result.diagnostics;
    ASSERT_EQ(f.of_target[t].size(), diags.size());
    for (size_t i = 0; i < diags.size(); ++i) {
      const SharedFinding& sf = f.findings[f.of_target[t][i]];
      EXPECT_EQ(sf.diagnostic->message, diags[i].message);
      EXPECT_EQ(sf.diagnostic->hint, diags[i].hint);
      EXPECT_NE(std::find(sf.targets.begin(), sf.targets.end(), t), sf.targets.end());
    }
  }
  // The inference findings hold in every release: one entry each.
  for (const auto& sf : f.findings) {
    if (sf.diagnostic->release.empty()) EXPECT_EQ(sf.releases, "1.10-1.30");
  }
}

}  // namespace
}  // namespace onnxscope::session
