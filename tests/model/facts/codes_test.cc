// The table of diagnostic codes (model/facts/codes.def) and the catalogue
// (docs/diagnostics.md) agree both ways; the floors of model/ include only
// downwards.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "model/facts/diagnostic.h"
#include "tests/support/support.h"

namespace onnxscope::facts {
namespace {

namespace fs = std::filesystem;

fs::path repo() { return test::source_dir().parent_path(); }

struct DocEntry {
  std::string anchor;
  std::string defaults;  // the bold line: "error, load." or "error or warning."
};

// Headings "## code" or "## code-a, code-b" with a body; category headings
// (## Types) are not codes.
std::map<std::string, DocEntry> doc_codes() {
  std::map<std::string, DocEntry> out;
  std::istringstream in(test::read_file(repo() / "docs" / "diagnostics.md"));
  std::regex heading("^## ([a-z0-9-]+(, [a-z0-9-]+)*)$");
  std::string line;
  std::vector<std::string> pending;
  std::string anchor;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, heading)) {
      pending.clear();
      std::string h = m[1];
      anchor.clear();
      for (char c : h) {
        if (c == ' ') anchor += '-';
        else if (c != ',') anchor += c;
      }
      std::istringstream codes(h);
      for (std::string c; std::getline(codes, c, ',');) pending.push_back(c[0] == ' ' ? c.substr(1) : c);
      continue;
    }
    if (line.rfind("## ", 0) == 0) pending.clear();
    if (!pending.empty() && line.rfind("**", 0) == 0) {
      std::string bold = line.substr(2, line.find("**", 2) - 2);
      for (const auto& c : pending) out[c] = {anchor, bold};
      pending.clear();
    }
  }
  return out;
}

TEST(Codes, TableAndCatalogueAgreeBothWays) {
  auto docs = doc_codes();
  ASSERT_GT(docs.size(), 50u);
  std::set<std::string> table;
  for (const auto& c : codes()) {
    std::string name(c.name);
    EXPECT_TRUE(table.insert(name).second) << name << " is in the table twice";
    auto it = docs.find(name);
    if (it == docs.end()) {
      ADD_FAILURE() << name << " is in model/facts/codes.def but not in docs/diagnostics.md";
      continue;
    }
    EXPECT_EQ(c.anchor, it->second.anchor) << name;
    // The usual severity is the first the entry names ("error or warning": error).
    EXPECT_EQ(it->second.defaults.rfind(std::string(severity_name(c.severity)), 0), 0u)
        << name << ": the table says " << severity_name(c.severity) << ", the catalogue " << it->second.defaults;
    EXPECT_FALSE(c.meaning.empty()) << name;
    EXPECT_EQ(c.meaning.find('\n'), std::string_view::npos) << name;
  }
  for (const auto& [name, entry] : docs) {
    EXPECT_TRUE(table.count(name)) << name << " is in docs/diagnostics.md but not in model/facts/codes.def";
  }
}

TEST(Codes, NamesRoundTrip) {
  for (const auto& c : codes()) {
    EXPECT_EQ(code_name(c.code), c.name);
    EXPECT_EQ(find_code(c.name), c.code);
    EXPECT_EQ(fmt::format("{}", c.code), c.name);
  }
  EXPECT_EQ(find_code("no-such-code"), std::nullopt);
  EXPECT_EQ(code_name(Code::DtypeMismatch), "dtype-mismatch");
  EXPECT_EQ(fmt::format("{}/{}", Severity::Warning, Phase::Run), "warning/run");
}

TEST(Codes, TheBuilderStartsFromTheTable) {
  Diagnostic d = diagnostic(Code::DynamicAxisLost).message("m").hint("h").input("x").symbol("batch");
  EXPECT_EQ(d.code, Code::DynamicAxisLost);
  EXPECT_EQ(d.severity, Severity::Warning);
  EXPECT_EQ(d.phase, Phase::Run);
  EXPECT_EQ(d.message, "m");
  EXPECT_EQ(d.hint, "h");
  EXPECT_EQ(d.input, "x");
  EXPECT_EQ(d.symbol, "batch");
  EXPECT_FALSE(d.node);
  Diagnostic e = diagnostic(Code::DynamicAxisLost).severity(Severity::Error).phase(Phase::Load);
  EXPECT_EQ(e.severity, Severity::Error);
  EXPECT_EQ(e.phase, Phase::Load);
}

// model/ is built in floors: util, ir/sym, facts and value, ops, analysis,
// exec (probes of ops write models through load). A floor includes only
// floors below it; in particular the operators never reach up into the
// analyses and the executor that run them.
TEST(Layers, NoIncludeRunsUp) {
  const std::map<std::string, std::set<std::string>> forbidden = {
      {"util", {"ir", "sym", "facts", "value", "ops", "analysis", "exec", "load"}},
      {"ir", {"facts", "value", "ops", "analysis", "exec", "load"}},
      {"sym", {"facts", "value", "ops", "analysis", "exec", "load"}},
      {"facts", {"value", "ops", "analysis", "exec", "load"}},
      {"value", {"sym", "facts", "ops", "analysis", "exec", "load"}},
      {"ops", {"analysis", "exec"}},
      {"analysis", {"exec"}},
  };
  std::regex include("#include \"model/([a-z]+)/");
  size_t checked = 0;
  for (const auto& [floor, above] : forbidden) {
    for (const auto& e : fs::recursive_directory_iterator(repo() / "model" / floor)) {
      auto ext = e.path().extension();
      if (ext != ".cc" && ext != ".h" && ext != ".def") continue;
      ++checked;
      std::string text = test::read_file(e.path());
      for (auto it = std::sregex_iterator(text.begin(), text.end(), include); it != std::sregex_iterator(); ++it) {
        std::string to = (*it)[1];
        EXPECT_FALSE(above.count(to)) << fs::relative(e.path(), repo()).string() << " includes model/" << to
                                      << ", a floor above model/" << floor;
      }
    }
  }
  EXPECT_GT(checked, 30u);
}

}  // namespace
}  // namespace onnxscope::facts
