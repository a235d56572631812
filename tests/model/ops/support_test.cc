// Support tables: the text format, its parser's errors, and the committed
// tables measured on onnxruntime releases 1.10 to 1.30.
#include "model/ops/support.h"

#include <gtest/gtest.h>

#include <set>

#include "model/ops/probes.h"
#include "model/util/error.h"
#include "tests/support/support.h"

namespace onnxscope::ops {
namespace {

using Assignment = std::map<std::string, std::string, std::less<>>;

const std::vector<SupportTable>& committed() {
  static const std::vector<SupportTable> all = load_support_tables(test::source_dir().parent_path() / "share" / "ort");
  return all;
}

const SupportTable& release(std::string_view minor) {
  for (const auto& t : committed()) {
    if (t.target() == "ort-cpu@" + std::string(minor)) return t;
  }
  throw std::runtime_error("no table for " + std::string(minor));
}

Assignment parse_assignment(std::string_view text) {
  Assignment a;
  for (auto& [c, t] : ops::parse_assignment(text)) a[c] = t;
  return a;
}

std::optional<Outcome> outcome(const SupportTable& t, std::string_view op, int version, const Assignment& a,
                               std::string_view domain = "ai.onnx") {
  auto v = t.find(domain, op, version, a);
  if (!v) return std::nullopt;
  return v->outcome;
}

TEST(SupportTable, ParsesTheFormat) {
  auto t = SupportTable::parse(
      "# a comment\n"
      "release 1.17.3\n"
      "ir 9\n"
      "opset ai.onnx 20\n"
      "opset ai.onnx.ml 4\n"
      "op ai.onnx Abs 13 ok T=float32|int64\n"
      "op ai.onnx Abs 13 no-kernel T=bfloat16 : Could not find an implementation for Abs(13) node with name 'probe'\n"
      "op ai.onnx Cast 13 ok T1=float32 T2=int64|bool\n"
      "op ai.onnx Cast 13 no-kernel T1=bfloat16 T2=int64 : no\n"
      "op ai.onnx Shape 1 ok T=float32\n");
  EXPECT_EQ(t.release, "1.17.3");
  EXPECT_EQ(t.target(), "ort-cpu@1.17");
  EXPECT_EQ(t.order(), 1017);
  EXPECT_EQ(t.max_ir, 9);
  EXPECT_EQ(t.max_opset.at("ai.onnx"), 20);
  EXPECT_EQ(t.max_opset.at("ai.onnx.ml"), 4);
  EXPECT_EQ(t.size(), 5u);
  EXPECT_EQ(outcome(t, "Abs", 13, {{"T", "int64"}}), Outcome::Ok);
  auto nk = t.find("ai.onnx", "Abs", 13, {{"T", "bfloat16"}});
  ASSERT_TRUE(nk);
  EXPECT_EQ(nk->outcome, Outcome::NoKernel);
  EXPECT_EQ(nk->message, "Could not find an implementation for Abs(13) node with name 'probe'");
  EXPECT_EQ(outcome(t, "Abs", 13, {{"T", "float16"}}), std::nullopt);  // not measured
  EXPECT_EQ(outcome(t, "Abs", 6, {{"T", "float32"}}), std::nullopt);
  EXPECT_EQ(outcome(t, "Cast", 13, {{"T1", "float32"}, {"T2", "bool"}}), Outcome::Ok);
  EXPECT_EQ(outcome(t, "Cast", 13, {{"T1", "bfloat16"}, {"T2", "int64"}}), Outcome::NoKernel);
  // A constraint left out matches any type when the matching lines agree.
  EXPECT_EQ(outcome(t, "Cast", 13, {{"T1", "float32"}}), Outcome::Ok);
  EXPECT_EQ(outcome(t, "Cast", 13, {{"T2", "int64"}}), std::nullopt);  // ok for float32, no-kernel for bfloat16
  EXPECT_EQ(outcome(t, "Cast", 13, {{"T2", "bool"}}), Outcome::Ok);
  ASSERT_NE(t.constraints("ai.onnx", "Cast", 13), nullptr);
  EXPECT_EQ(*t.constraints("ai.onnx", "Cast", 13), (std::vector<std::string>{"T1", "T2"}));
  EXPECT_TRUE(t.has("ai.onnx", "Shape", 1));
  EXPECT_FALSE(t.has("ai.onnx", "Shape", 13));
}

TEST(SupportTable, AssignmentsKeepCommasInsideTypes) {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(ops::parse_assignment("T1=map(int64,float32),T2=seq(int64)"),
            (Pairs{{"T1", "map(int64,float32)"}, {"T2", "seq(int64)"}}));
  EXPECT_EQ(ops::parse_assignment("-"), Pairs{});
  EXPECT_EQ(ops::parse_assignment(""), Pairs{});
}

TEST(SupportTable, ErrorsNameTheLine) {
  auto error_of = [](std::string_view text) -> std::string {
    try {
      SupportTable::parse(text);
    } catch (const Error& e) {
      return std::string(e.code()) + ": " + e.what();
    }
    return "no error";
  };
  EXPECT_NE(error_of("release 1.2.3\nop ai.onnx Abs 13 fine T=float32\n").find("line 2: unknown outcome 'fine'"),
            std::string::npos);
  EXPECT_NE(error_of("release 1.2.3\n\nop ai.onnx Abs 0 ok T=float32\n").find("line 3: bad version"), std::string::npos);
  EXPECT_NE(error_of("release 1.2.3\nop ai.onnx Abs 13 ok float32\n").find("line 2: expected CONSTRAINT=TYPES"),
            std::string::npos);
  EXPECT_NE(error_of("release 1.2.3\nop ai.onnx Cast 13 ok T1=float32 T2=int64\nop ai.onnx Cast 13 ok T=float32\n")
                .find("line 3: the constraints differ"),
            std::string::npos);
  EXPECT_NE(error_of("ir 8\n").find("no 'release' line"), std::string::npos);
  EXPECT_NE(error_of("release 1.2.3\nbogus\n").find("support-table: line 2: unknown line 'bogus'"), std::string::npos);
}

TEST(SupportTable, AnIndexReadsAnOperatorVersionOnItsFirstLookup) {
  // Abs-13's second line is broken: an index of the table still answers
  // for the other operators, and a lookup of Abs-13 names the file and line.
  std::string text =
      "release 1.2.3\nir 8\nopset ai.onnx 17\n"
      "op ai.onnx Abs 13 ok T=float32\n"
      "op ai.onnx Abs 13 maybe T=float64\n"
      "# Cast's lines, split by a comment\n"
      "op ai.onnx Cast 13 ok T1=float32 T2=int64\n"
      "opset ai.onnx.ml 3\n"
      "op ai.onnx Cast 13 no-kernel T1=float64 T2=int64 : no kernel\n";
  SupportTable t = SupportTable::index(text, "ort-cpu-1.2.txt");
  EXPECT_EQ(t.release, "1.2.3");
  EXPECT_EQ(t.max_ir, 8);
  EXPECT_EQ(t.max_opset.at("ai.onnx.ml"), 3);
  EXPECT_EQ(t.size(), 4u);
  EXPECT_EQ(t.op_versions().size(), 2u);
  EXPECT_EQ(outcome(t, "Cast", 13, parse_assignment("T1=float32,T2=int64")), Outcome::Ok);
  auto v = t.find("", "Cast", 13, parse_assignment("T1=float64,T2=int64"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->outcome, Outcome::NoKernel);
  EXPECT_EQ(v->message, "no kernel");
  EXPECT_FALSE(t.has("ai.onnx", "Cast", 6));
  for (int twice = 0; twice < 2; ++twice) {  // the error stays an error
    try {
      t.find("ai.onnx", "Abs", 13, parse_assignment("T=float32"));
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("ort-cpu-1.2.txt"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("line 5: unknown outcome 'maybe'"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(t.read_all(), Error);
  EXPECT_THROW(SupportTable::parse(text), Error);
  // What an index does check at once.
  EXPECT_THROW(SupportTable::index("release 1.2.3\nop ai.onnx Abs x ok T=float32\n"), Error);
  EXPECT_THROW(SupportTable::index("release 1.2.3\nop ai.onnx Abs 13\n"), Error);
  EXPECT_THROW(SupportTable::index("release 1.2.3\nbogus\n"), Error);
}

TEST(SupportTable, AnIndexAnswersAsAFullReading) {
  // Every committed table, indexed and read in full, gives the same outcome
  // for every operator version and each of its types alone.
  const SupportTable& full_first = committed().front();
  std::string path = (test::source_dir().parent_path() / "share" / "ort" / "ort-cpu-1.10.txt").string();
  SupportTable full = SupportTable::parse(test::read_file(path));
  SupportTable lazy = SupportTable::index(test::read_file(path));
  ASSERT_EQ(full.op_versions(), lazy.op_versions());
  EXPECT_EQ(full.size(), lazy.size());
  EXPECT_EQ(full_first.size(), lazy.size());
  size_t compared = 0;
  for (const auto& [domain, op, version] : lazy.op_versions()) {
    const auto* cs = lazy.constraints(domain, op, version);
    ASSERT_NE(cs, nullptr);
    ASSERT_EQ(*cs, *full.constraints(domain, op, version));
    for (const char* type : {"float32", "float64", "int64", "bool", "string"}) {
      Assignment a;
      for (const auto& c : *cs) a[c] = type;
      auto x = full.find(domain, op, version, a);
      auto y = lazy.find(domain, op, version, a);
      ASSERT_EQ(x.has_value(), y.has_value()) << op << "-" << version << " " << type;
      if (x) {
        EXPECT_EQ(x->outcome, y->outcome);
        EXPECT_EQ(x->message, y->message);
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 500u);
}

TEST(SupportTable, FormatGroupsAndRoundTrips) {
  auto r = [](std::string kind, std::string op, int v, std::string as, Outcome o, std::string msg = {}) {
    ProbeResult x;
    x.kind = std::move(kind);
    x.domain = "ai.onnx";
    x.op = std::move(op);
    x.version = v;
    x.assignment = std::move(as);
    x.outcome = o;
    x.message = std::move(msg);
    return x;
  };
  std::vector<ProbeResult> rs = {
      r("ir", "", 8, "", Outcome::Ok),
      r("ir", "", 9, "", Outcome::IrUnsupported, "Unsupported model IR version: 9, max supported IR version: 8"),
      r("opset", "", 15, "", Outcome::Ok),
      r("opset", "", 16, "", Outcome::OpsetUnsupported, "Opset 16 is under development"),
      r("op", "Cast", 13, "T1=float32,T2=int64", Outcome::Ok),
      r("op", "Cast", 13, "T1=float32,T2=bool", Outcome::Ok),
      r("op", "Cast", 13, "T1=bfloat16,T2=int64", Outcome::NoKernel, "Could not find an implementation for Cast(13)"),
      r("op", "Abs", 13, "T=float32", Outcome::Ok),
      r("op", "Abs", 13, "T=bfloat16", Outcome::NoKernel, "Could not find\nan implementation"),
      r("op", "Size", 13, "", Outcome::Ok),
      r("op", "BlackmanWindow", 17, "T1=int32,T2=float16", Outcome::Invalid,
        "In Node, (\"\", Cast, \"\", -1) : (\"_0x12ee74f0_Temp1\": tensor(float),) -> (\"y0\": tensor(float16),)"),
  };
  std::string text = SupportTable::format("1.12.1", rs);
  EXPECT_NE(text.find("op ai.onnx Cast 13 ok T1=float32 T2=int64|bool\n"), std::string::npos) << text;
  EXPECT_NE(text.find("op ai.onnx Abs 13 no-kernel T=bfloat16 : "), std::string::npos) << text;
  EXPECT_LT(text.find("op ai.onnx Abs"), text.find("op ai.onnx Cast")) << "sorted by operator";
  // Messages on one line, without the addresses onnxruntime names values with.
  EXPECT_NE(text.find("no-kernel T=bfloat16 : Could not find an implementation\n"), std::string::npos) << text;
  EXPECT_NE(text.find("(\"_0x_Temp1\": tensor(float),)"), std::string::npos) << text;
  auto t = SupportTable::parse(text);
  EXPECT_EQ(t.max_ir, 8);
  EXPECT_EQ(t.max_opset.at("ai.onnx"), 15);
  for (const auto& x : rs) {
    if (x.kind != "op") continue;
    Assignment a = parse_assignment(x.assignment);
    EXPECT_EQ(outcome(t, x.op, x.version, a), x.outcome) << x.op << " " << x.assignment;
  }
}

// Session lines: model-level facts, with the runtime's message; a domain
// whose unbounded probe loads gets no opset line; --update keeps a table's
// operator lines and replaces its limits.
TEST(SupportTable, SessionFactsAndUnboundedDomains) {
  auto r = [](std::string kind, std::string domain, std::string op, int v, Outcome o, std::string msg = {}) {
    ProbeResult x;
    x.kind = std::move(kind);
    x.domain = std::move(domain);
    x.op = std::move(op);
    x.version = v;
    x.outcome = o;
    x.message = std::move(msg);
    return x;
  };
  std::vector<ProbeResult> rs = {
      r("ir", "ai.onnx", "", 8, Outcome::Ok),
      r("opset", "ai.onnx", "", 15, Outcome::Ok),
      r("opset", "com.microsoft", "", 1, Outcome::Ok),
      r("opset", "com.microsoft", "", 2, Outcome::OpsetUnsupported, "Opset 2 is under development"),
      r("opset", "com.microsoft", "", kUnboundedOpset, Outcome::OpsetUnsupported, "Opset 1000 is under development"),
      r("opset", "org.pytorch.aten", "", 1, Outcome::Ok),
      r("opset", "org.pytorch.aten", "", kUnboundedOpset, Outcome::Ok),
      r("session", "ai.onnx", "zero-divisor/Div/int64", 13, Outcome::Invalid,
        "Exception during initialization: x.h:256 b_data[i] != T{0} was false. Integer division by zero\n"),
      r("session", "ai.onnx", "zero-constants/Div/int64", 13, Outcome::Crash, "child killed by signal SIGFPE"),
      r("session", "ai.onnx", "recursive-function/direct", 13, Outcome::Ok),
      r("op", "ai.onnx", "Abs", 13, Outcome::Ok),
  };
  rs.back().assignment = "T=float32";
  std::string text = SupportTable::format("1.25.1", rs);
  EXPECT_NE(text.find("opset com.microsoft 1\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("opset org.pytorch.aten"), std::string::npos) << "no limit, no line:\n" << text;
  EXPECT_NE(text.find("session zero-divisor/Div/int64 invalid : Exception during initialization: x.h:256 b_data[i] "
                      "!= T{0} was false. Integer division by zero\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("session recursive-function/direct ok\n"), std::string::npos) << text;
  auto t = SupportTable::parse(text);
  EXPECT_EQ(t.max_opset.at("com.microsoft"), 1);
  EXPECT_EQ(t.max_opset.count("org.pytorch.aten"), 0u);
  ASSERT_NE(t.session_fact("zero-constants/Div/int64"), nullptr);
  EXPECT_EQ(t.session_fact("zero-constants/Div/int64")->outcome, Outcome::Crash);
  EXPECT_EQ(t.session_fact("zero-constants/Div/int64")->message, "child killed by signal SIGFPE");
  EXPECT_EQ(t.session_fact("recursive-function/direct")->message, "");
  EXPECT_EQ(t.session_fact("recursive-function/mutual"), nullptr);
  // A table without session lines (measured before they existed) reads,
  // with no facts.
  auto old = SupportTable::parse("release 1.20.1\nir 10\nopset ai.onnx 21\nop ai.onnx Abs 13 ok T=float32\n");
  EXPECT_TRUE(old.session.empty());
  EXPECT_THROW(SupportTable::parse("release 1.20.1\nsession x maybe\n"), Error);
  // --update: the old table's op lines, the new limits and facts.
  std::string old_text = "# old\nrelease 1.25.1\nir 7\nopset ai.onnx 13\nop ai.onnx Relu 14 ok T=float32\n";
  std::vector<ProbeResult> limits(rs.begin(), rs.end() - 1);
  std::string updated = SupportTable::update_limits(old_text, "1.25.1", limits);
  auto u = SupportTable::parse(updated);
  EXPECT_EQ(u.max_ir, 8);
  EXPECT_EQ(u.max_opset.at("ai.onnx"), 15);
  EXPECT_EQ(u.session.size(), 3u);
  EXPECT_TRUE(u.has("ai.onnx", "Relu", 14));
  EXPECT_FALSE(u.has("ai.onnx", "Abs", 13));
  EXPECT_THROW(SupportTable::update_limits(old_text, "1.24.3", limits), Error);
}

// The committed tables: one per minor release from 1.10 to 1.30 on the npm
// registry (1.28 had only pre-release builds).
TEST(CommittedTables, OnePerRelease) {
  std::vector<std::string> targets;
  for (const auto& t : committed()) targets.push_back(t.target());
  std::vector<std::string> expected;
  for (int minor = 10; minor <= 30; ++minor) {
    if (minor != 28) expected.push_back("ort-cpu@1." + std::to_string(minor));
  }
  EXPECT_EQ(targets, expected);
}

TEST(CommittedTables, CoverEveryOperatorVersionTheRegistryKnows) {
  // Every operator version and type assignment onnxscope probes is in every
  // table, with an outcome.
  auto probes = make_probes(SchemaTable::builtin());
  ASSERT_FALSE(committed().empty());
  for (const auto& t : committed()) {
    size_t missing = 0;
    for (const auto& p : probes) {
      if (p.kind != "op") continue;
      Assignment a = parse_assignment(p.assignment);
      if (!t.find(p.domain, p.op, p.version, a)) {
        if (++missing <= 5) ADD_FAILURE() << t.target() << " has no outcome for " << p.id;
      }
    }
    EXPECT_EQ(missing, 0u) << t.target();
  }
}

TEST(CommittedTables, LimitsAsMeasured) {
  // onnxruntime 1.10 reads IR 8 and ai.onnx up to opset 15; 1.30 IR 13 and opset 26.
  EXPECT_EQ(release("1.10").max_ir, 8);
  EXPECT_EQ(release("1.10").max_opset.at("ai.onnx"), 15);
  EXPECT_EQ(release("1.12").max_opset.at("ai.onnx"), 17);
  EXPECT_EQ(release("1.30").max_ir, 13);
  EXPECT_EQ(release("1.30").max_opset.at("ai.onnx"), 26);
  // Limits never go down from one release to the next.
  const SupportTable* prev = nullptr;
  for (const auto& t : committed()) {
    EXPECT_GT(t.max_ir, 7) << t.target();
    if (prev) {
      EXPECT_GE(t.max_ir, prev->max_ir) << t.target();
      EXPECT_GE(t.max_opset.at("ai.onnx"), prev->max_opset.at("ai.onnx")) << t.target();
      EXPECT_GE(t.max_opset.at("ai.onnx.ml"), prev->max_opset.at("ai.onnx.ml")) << t.target();
    }
    prev = &t;
  }
}

// What the session probes measured (bench/ort/measure.sh --limits-only on
// every release): onnxruntime's own domains stop at opset 1 everywhere;
// 1.25 and later refuse an integer division by a zero initializer when the
// session is created, the releases before crash on it (SIGFPE) when both
// operands are constants and create the session otherwise; 1.27 and later
// refuse recursive functions, the releases before crash (SIGSEGV).
TEST(CommittedTables, SessionFactsAsMeasured) {
  for (const auto& t : committed()) {
    SCOPED_TRACE(t.target());
    EXPECT_EQ(t.max_opset.at("com.microsoft"), 1);
    EXPECT_EQ(t.max_opset.at("ai.onnx.training"), 1);
    EXPECT_EQ(t.max_opset.at("ai.onnx.preview.training"), 1);
    EXPECT_EQ(t.max_opset.at("com.microsoft.nchwc"), 1);
    const SessionFact* divisor = t.session_fact("zero-divisor/Div/int64");
    const SessionFact* constants = t.session_fact("zero-constants/Mod/int32");
    const SessionFact* direct = t.session_fact("recursive-function/direct");
    const SessionFact* mutual = t.session_fact("recursive-function/mutual");
    ASSERT_TRUE(divisor && constants && direct && mutual);
    bool refuses_zero = t.order() >= 1025, refuses_recursion = t.order() >= 1027;
    EXPECT_EQ(divisor->outcome, refuses_zero ? Outcome::Invalid : Outcome::Ok);
    EXPECT_EQ(constants->outcome, refuses_zero ? Outcome::Invalid : Outcome::Crash);
    if (refuses_zero) EXPECT_NE(divisor->message.find("Integer division by zero"), std::string::npos);
    else EXPECT_NE(constants->message.find("SIGFPE"), std::string::npos);
    EXPECT_EQ(direct->outcome, refuses_recursion ? Outcome::Invalid : Outcome::Crash);
    EXPECT_EQ(mutual->outcome, refuses_recursion ? Outcome::Invalid : Outcome::Crash);
    if (refuses_recursion) {
      // The cycle starts at F or at G: onnxruntime walks the functions in a
      // hash map's order.
      EXPECT_NE(mutual->message.find("Model local function definitions must not be recursive. Cycle detected: "
                                     "local:"),
                std::string::npos)
          << mutual->message;
      EXPECT_NE(mutual->message.find("local:G -> local:F"), std::string::npos) << mutual->message;
    }
  }
  // The NHWC layout domain: no limit in 1.10, 1 in 1.11, then close to
  // ai.onnx's (17 in 1.12, 19 in 1.15 where ai.onnx stops at 18, 26 in 1.30).
  EXPECT_EQ(release("1.10").max_opset.count("com.ms.internal.nhwc"), 0u);
  EXPECT_EQ(release("1.10").max_opset.count("org.pytorch.aten"), 0u);
  EXPECT_EQ(release("1.11").max_opset.at("com.ms.internal.nhwc"), 1);
  EXPECT_EQ(release("1.12").max_opset.at("com.ms.internal.nhwc"), 17);
  EXPECT_EQ(release("1.15").max_opset.at("com.ms.internal.nhwc"), 19);
  EXPECT_EQ(release("1.30").max_opset.at("com.ms.internal.nhwc"), 26);
}

TEST(CommittedTables, KnownKernels) {
  for (const auto& t : committed()) {
    SCOPED_TRACE(t.target());
    // Conv has float kernels only: no double kernel on CPU in any release.
    EXPECT_EQ(outcome(t, "Conv", 11, {{"T", "float32"}}), Outcome::Ok);
    EXPECT_EQ(outcome(t, "Conv", 11, {{"T", "float64"}}), Outcome::NoKernel);
    EXPECT_EQ(outcome(t, "Gemm", 13, {{"T", "float32"}}), Outcome::Ok);
    EXPECT_EQ(outcome(t, "Shape", 13, {{"T", "float32"}}), Outcome::Ok);
    EXPECT_EQ(outcome(t, "Relu", 6, {{"T", "float32"}}), Outcome::Ok);
    // Types the schema does not accept are not probed.
    EXPECT_EQ(outcome(t, "Abs", 13, {{"T", "string"}}), std::nullopt);
  }
}

}  // namespace
}  // namespace onnxscope::ops
