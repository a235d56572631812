#include "tests/model/ops/op_cases.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace onnxscope::test {
namespace {

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// Splits at `sep` outside brackets, braces, parentheses and quotes.
std::vector<std::string> split_top(std::string_view s, char sep) {
  std::vector<std::string> out;
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
      continue;
    }
    if (c == '"') quoted = true;
    else if (c == '[' || c == '{' || c == '(') ++depth;
    else if (c == ']' || c == '}' || c == ')') --depth;
    else if (c == sep && depth == 0) {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.push_back(trim(s.substr(start)));
  return out;
}

// The line without its comment ('#' outside quotes).
std::string_view uncomment(std::string_view line) {
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (quoted) {
      if (line[i] == '\\') ++i;
      else if (line[i] == '"') quoted = false;
    } else if (line[i] == '"') {
      quoted = true;
    } else if (line[i] == '#') {
      return line.substr(0, i);
    }
  }
  return line;
}

}  // namespace

std::string OpCase::name() const {
  std::string stem = file.substr(0, file.find('.'));
  std::string out = fmt::format("{}_{}_{}", stem, line, op);
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return out;
}

std::string OpCase::model_text() const {
  std::string imports = fmt::format("\"{}\" : {}", domain, opset);
  if (!domain.empty()) imports = fmt::format("\"\" : 17, {}", imports);
  std::vector<std::string> graph_inputs, initializers, args, outs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string& in = inputs[i];
    if (in == "_") {
      args.push_back("");
      continue;
    }
    std::string name = fmt::format("i{}", i);
    args.push_back(name);
    if (auto eq = in.find('='); eq != std::string::npos) {
      // "int64[2]={0,-1}": an initializer, so that the rule sees its contents.
      initializers.push_back(fmt::format("{} {} = {}", trim(in.substr(0, eq)), name, trim(in.substr(eq + 1))));
    } else {
      graph_inputs.push_back(fmt::format("{} {}", in, name));
    }
  }
  while (!args.empty() && args.back().empty()) args.pop_back();  // trailing absent inputs are left out
  for (size_t o = 0; o < expected.size(); ++o) outs.push_back(fmt::format("o{}", o));
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  std::string op_ref = domain.empty() ? op : domain + "." + op;
  std::string attrs = attributes.empty() ? "" : "<" + attributes + "> ";
  std::string inits = initializers.empty() ? "" : "<" + join(initializers) + ">\n";
  return fmt::format("<ir_version: 9, opset_import: [{}]>\ncase ({}) => ({})\n{}{{\n  {} = {} {}({})\n}}\n", imports,
                     join(graph_inputs), join(outs), inits, join(outs), op_ref, attrs, join(args));
}

void PrintTo(const OpCase& c, std::ostream* os) { *os << c.file << ":" << c.line << " " << c.op << "-" << c.opset; }

std::vector<OpCase> parse_op_cases(const std::string& text, const std::string& file) {
  std::vector<OpCase> out;
  std::istringstream in(text);
  std::string raw;
  int line = 0;
  while (std::getline(in, raw)) {
    ++line;
    std::string body = trim(uncomment(raw));
    if (body.empty()) continue;
    auto fail = [&](const std::string& why) {
      throw std::runtime_error(fmt::format("{}:{}: {}", file, line, why));
    };
    auto fields = split_top(body, '|');
    if (fields.size() != 5) fail(fmt::format("{} fields; a case has 5: op opset | inputs | attributes | outputs | codes", fields.size()));
    OpCase c;
    c.file = file;
    c.line = line;
    std::istringstream head(fields[0]);
    std::string op;
    if (!(head >> op >> c.opset) || c.opset <= 0) fail("the first field is OPERATOR OPSET, e.g. 'Gemm 13'");
    if (auto colon = op.rfind(':'); colon != std::string::npos) {
      c.domain = op.substr(0, colon);
      op = op.substr(colon + 1);
    }
    c.op = op;
    if (!fields[1].empty()) c.inputs = split_top(fields[1], ',');
    c.attributes = fields[2];
    c.expected = split_top(fields[3], ',');
    if (c.expected.empty() || c.expected[0].empty()) fail("a case names at least one output");
    std::istringstream codes(fields[4]);
    for (std::string code; codes >> code;) c.codes.push_back(code);
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<OpCase> load_op_cases(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".cases") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<OpCase> out;
  for (const auto& f : files) {
    std::ifstream s(f);
    std::stringstream buf;
    buf << s.rdbuf();
    auto cases = parse_op_cases(buf.str(), f.filename().string());
    out.insert(out.end(), std::make_move_iterator(cases.begin()), std::make_move_iterator(cases.end()));
  }
  return out;
}

}  // namespace onnxscope::test
