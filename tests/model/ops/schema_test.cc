#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <climits>
#include <map>
#include <set>
#include <tuple>

#include <onnx/defs/schema.h>

#include "model/ops/facts/registry_facts.h"
#include "model/ops/schema.h"
#include "model/util/error.h"

namespace onnxscope {
namespace {

using ops::Arity;
using ops::Schema;
using ops::SchemaTable;

const SchemaTable& table() { return SchemaTable::builtin(); }

const Schema& get(std::string_view domain, std::string_view name, int version) {
  const Schema* s = table().find(domain, name, version);
  if (!s || s->since_version != version) {
    ADD_FAILURE() << "no schema " << domain << " " << name << "-" << version;
    static const Schema empty;
    return empty;
  }
  return *s;
}

const ops::FormalParam* input(const Schema& s, std::string_view name) {
  for (const auto& p : s.inputs) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<std::string> allowed(const Schema& s, std::string_view constraint) {
  const ops::TypeConstraint* c = s.constraint(constraint);
  return c ? c->allowed : std::vector<std::string>{};
}

bool allows(const Schema& s, std::string_view constraint, std::string_view type) {
  auto a = allowed(s, constraint);
  return std::find(a.begin(), a.end(), type) != a.end();
}

// Whether any type string of the schema's constraints contains `elem`.
bool mentions(const Schema& s, std::string_view elem) {
  for (const auto& c : s.constraints) {
    for (const auto& t : c.allowed) {
      if (t.find(elem) != std::string::npos) return true;
    }
  }
  for (const auto* params : {&s.inputs, &s.outputs}) {
    for (const auto& p : *params) {
      if (p.type.find(elem) != std::string::npos) return true;
    }
  }
  return false;
}

TEST(SchemaTable, BuiltinParses) {
  const auto& all = table().all();
  std::map<std::string, int> per_domain;
  for (const Schema& s : all) per_domain[s.domain]++;
  EXPECT_GT(per_domain[""], 600);
  EXPECT_GT(per_domain["ai.onnx.ml"], 10);
  EXPECT_GE(per_domain["ai.onnx.preview"], 1);
  EXPECT_GE(per_domain["ai.onnx.preview.training"], 4);
  // Sorted by (domain, name, since_version) without repeats.
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(std::tie(all[i - 1].domain, all[i - 1].name, all[i - 1].since_version),
              std::tie(all[i].domain, all[i].name, all[i].since_version));
  }
}

// The table holds every schema of the linked onnx 1.12 registry with the very
// facts the registry gives (converted by the code the dumper uses).
TEST(SchemaTable, GridSample16IsCorrected) {
  const Schema& s = get("", "GridSample", 16);
  EXPECT_EQ(s.inputs[0].type, "T1");
  EXPECT_EQ(s.inputs[1].type, "T2");
  EXPECT_EQ(s.outputs[0].type, "T1");
}

TEST(SchemaTable, HoldsTheRegistryFacts) {
  auto registry = ops::facts::registry_schemas();
  ASSERT_GT(registry.size(), 400u);
  std::map<std::string, int> newest;  // per domain
  std::set<std::tuple<std::string, std::string, int>> known;
  for (const Schema& r : registry) {
    newest[r.domain] = std::max(newest[r.domain], r.since_version);
    known.emplace(r.domain, r.name, r.since_version);
    bool corrected = false;
    for (const auto& c : SchemaTable::corrections()) {
      corrected |= c.domain == r.domain && c.name == r.name && c.since_version == r.since_version;
    }
    if (corrected) {
      // The table holds the facts the spec has now, not the registry's.
      const Schema* t = table().find(r.domain, r.name, r.since_version);
      ASSERT_NE(t, nullptr);
      EXPECT_NE(*t, r) << "a listed correction no longer changes " << r.name << "-" << r.since_version;
      continue;
    }
    const Schema* t = table().find(r.domain, r.name, r.since_version);
    ASSERT_NE(t, nullptr) << "missing " << ops::to_string(r);
    ASSERT_EQ(t->since_version, r.since_version) << "missing " << ops::to_string(r);
    EXPECT_EQ(t->deprecated, r.deprecated) << r.name << "-" << r.since_version;
    EXPECT_EQ(t->has_function, r.has_function) << r.name << "-" << r.since_version;
    EXPECT_EQ(t->inputs, r.inputs) << r.name << "-" << r.since_version;
    EXPECT_EQ(t->outputs, r.outputs) << r.name << "-" << r.since_version;
    EXPECT_EQ(t->attributes, r.attributes) << r.name << "-" << r.since_version;
    EXPECT_EQ(t->constraints, r.constraints) << r.name << "-" << r.since_version;
    EXPECT_EQ(*t, r) << "table:\n" << ops::to_string(*t) << "registry:\n" << ops::to_string(r);
  }
  EXPECT_EQ(newest[""], 17);
  // Nothing else claims a version the registry covers: schemas the spec adds
  // start above the registry's newest version of their domain.
  for (const Schema& s : table().all()) {
    if (newest.count(s.domain) && s.since_version <= newest[s.domain]) {
      EXPECT_TRUE(known.count({s.domain, s.name, s.since_version})) << "not in the registry: " << ops::to_string(s);
    }
  }
}

// Schema::min_inputs()/max_inputs() count as onnx does.
TEST(SchemaTable, ArityCountsMatchOnnx) {
  for (const auto& o : onnx::OpSchemaRegistry::get_all_schemas_with_history()) {
    const Schema* s = table().find(o.domain(), o.Name(), o.since_version());
    ASSERT_NE(s, nullptr) << o.Name();
    EXPECT_EQ(s->min_inputs(), o.min_input()) << o.Name() << "-" << o.since_version();
    EXPECT_EQ(s->max_inputs(), o.max_input()) << o.Name() << "-" << o.since_version();
    EXPECT_EQ(s->min_outputs(), o.min_output()) << o.Name() << "-" << o.since_version();
    EXPECT_EQ(s->max_outputs(), o.max_output()) << o.Name() << "-" << o.since_version();
  }
}

TEST(SchemaTable, FindByOpset) {
  ASSERT_NE(table().find("", "Reshape", 13), nullptr);
  EXPECT_EQ(table().find("", "Reshape", 13)->since_version, 13);
  EXPECT_EQ(table().find("", "Reshape", 20)->since_version, 19);
  EXPECT_EQ(table().find("", "Reshape", 23)->since_version, 23);
  EXPECT_EQ(table().find("", "Reshape", 4)->since_version, 1);
  EXPECT_EQ(table().find("ai.onnx", "Softmax", 12)->since_version, 11);
  EXPECT_EQ(table().find("", "Softmax", 12), table().find("ai.onnx", "Softmax", 12));
  EXPECT_EQ(table().find("", "LayerNormalization", 16), nullptr);
  EXPECT_EQ(table().find("", "LayerNormalization", 17)->since_version, 17);
  EXPECT_EQ(table().find("", "Reshape", 0), nullptr);
  EXPECT_EQ(table().find("", "NoSuchOp", 17), nullptr);
  EXPECT_EQ(table().find("com.microsoft", "Reshape", 17), nullptr);
  EXPECT_EQ(table().find("ai.onnx.ml", "Reshape", 17), nullptr);
  EXPECT_EQ(table().find("", "reshape", 17), nullptr);  // names are case sensitive
  EXPECT_EQ(table().find("ai.onnx.ml", "LabelEncoder", 3)->since_version, 2);
  EXPECT_EQ(table().find("ai.onnx.preview", "FlexAttention", 1)->name, "FlexAttention");
  EXPECT_EQ(table().find("ai.onnx.preview.training", "Adam", 1)->since_version, 1);
  EXPECT_EQ(table().find("", "Add", INT64_MAX)->since_version, 14);

  auto v = table().versions("ai.onnx", "Reshape");
  ASSERT_GE(v.size(), 6u);
  EXPECT_EQ(v.front()->since_version, 1);
  for (size_t i = 1; i < v.size(); ++i) EXPECT_LT(v[i - 1]->since_version, v[i]->since_version);
  EXPECT_TRUE(table().versions("", "NoSuchOp").empty());
}

TEST(SchemaTable, RegistryFacts) {
  const Schema& concat = get("", "Concat", 13);
  ASSERT_EQ(concat.inputs.size(), 1u);
  EXPECT_EQ(concat.inputs[0].arity, Arity::Variadic);
  EXPECT_EQ(concat.inputs[0].min_arity, 1);
  EXPECT_TRUE(concat.inputs[0].homogeneous);
  EXPECT_TRUE(concat.attribute("axis")->required);
  EXPECT_EQ(concat.max_inputs(), INT_MAX);

  const Schema& loop = get("", "Loop", 16);
  EXPECT_EQ(loop.inputs[2].arity, Arity::Variadic);
  EXPECT_EQ(loop.inputs[2].min_arity, 0);
  EXPECT_FALSE(loop.inputs[2].homogeneous);
  EXPECT_EQ(loop.attribute("body")->type, ir::AttrType::Graph);
  EXPECT_EQ(loop.min_inputs(), 2);

  const Schema& dropout = get("", "Dropout", 13);
  EXPECT_EQ(input(dropout, "ratio")->arity, Arity::Optional);
  EXPECT_EQ(input(dropout, "ratio")->type, "T1");
  EXPECT_EQ(dropout.outputs[1].arity, Arity::Optional);
  EXPECT_EQ(dropout.min_inputs(), 1);
  EXPECT_EQ(dropout.max_inputs(), 3);
  EXPECT_EQ(dropout.max_outputs(), 2);

  const Schema& reduce_sum = get("", "ReduceSum", 13);
  ASSERT_NE(input(reduce_sum, "axes"), nullptr);
  EXPECT_EQ(input(reduce_sum, "axes")->arity, Arity::Optional);
  EXPECT_EQ(input(reduce_sum, "axes")->type, "tensor(int64)");

  const Schema& clip6 = get("", "Clip", 6);
  EXPECT_EQ(std::get<float>(clip6.attribute("max")->default_value), FLT_MAX);
  const Schema& lstm = get("", "LSTM", 14);
  EXPECT_EQ(lstm.attribute("direction")->default_value, ops::AttrDefault(std::string("forward")));
  EXPECT_EQ(get("", "LayerNormalization", 17).attribute("epsilon")->default_value, ops::AttrDefault(1e-5f));
  EXPECT_TRUE(get("", "LayerNormalization", 17).has_function);
  EXPECT_TRUE(get("", "Upsample", 10).deprecated);
  EXPECT_EQ(get("", "Upsample", 10).attribute("nope"), nullptr);

  const Schema& zipmap = get("ai.onnx.ml", "ZipMap", 1);
  EXPECT_TRUE(allows(zipmap, "T", "seq(map(string,float))"));
}

// Facts from the ONNX specification for opsets after the registry's.
TEST(SchemaTable, SpecFacts) {
  const Schema& mean13 = get("", "ReduceMean", 13);
  const Schema& mean18 = get("", "ReduceMean", 18);
  ASSERT_NE(mean13.attribute("axes"), nullptr);
  EXPECT_EQ(input(mean13, "axes"), nullptr);
  EXPECT_EQ(mean18.attribute("axes"), nullptr);
  ASSERT_NE(input(mean18, "axes"), nullptr);
  EXPECT_EQ(input(mean18, "axes")->arity, Arity::Optional);
  EXPECT_EQ(mean18.attribute("noop_with_empty_axes")->default_value, ops::AttrDefault(int64_t{0}));

  const Schema& split = get("", "Split", 18);
  ASSERT_NE(split.attribute("num_outputs"), nullptr);
  EXPECT_EQ(split.attribute("num_outputs")->type, ir::AttrType::Int);
  EXPECT_FALSE(split.attribute("num_outputs")->required);
  EXPECT_FALSE(split.attribute("num_outputs")->has_default);
  EXPECT_EQ(get("", "Split", 13).attribute("num_outputs"), nullptr);

  const Schema& pad = get("", "Pad", 18);
  ASSERT_NE(input(pad, "axes"), nullptr);
  EXPECT_EQ(input(pad, "axes")->arity, Arity::Optional);
  EXPECT_EQ(pad.max_inputs(), 4);
  EXPECT_EQ(input(get("", "Pad", 13), "axes"), nullptr);

  const Schema& resize = get("", "Resize", 18);
  EXPECT_EQ(resize.attribute("antialias")->default_value, ops::AttrDefault(int64_t{0}));
  EXPECT_EQ(resize.attribute("axes")->type, ir::AttrType::Ints);
  EXPECT_EQ(resize.attribute("keep_aspect_ratio_policy")->default_value, ops::AttrDefault(std::string("stretch")));
  EXPECT_EQ(resize.attribute("cubic_coeff_a")->default_value, ops::AttrDefault(-0.75f));
  EXPECT_EQ(get("", "Resize", 13).attribute("antialias"), nullptr);

  const Schema& col2im = get("", "Col2Im", 18);
  EXPECT_EQ(col2im.inputs.size(), 3u);
  EXPECT_EQ(table().find("", "Col2Im", 17), nullptr);

  EXPECT_TRUE(get("", "GroupNormalization", 18).deprecated);
  const Schema& gn21 = get("", "GroupNormalization", 21);
  EXPECT_FALSE(gn21.deprecated);
  EXPECT_TRUE(gn21.has_function);
  EXPECT_TRUE(gn21.attribute("num_groups")->required);
  EXPECT_EQ(gn21.attribute("stash_type")->default_value, ops::AttrDefault(int64_t{1}));
  EXPECT_EQ(table().find("", "GroupNormalization", 20)->since_version, 18);

  const Schema& dft = get("", "DFT", 20);
  ASSERT_NE(input(dft, "axis"), nullptr);
  EXPECT_EQ(input(dft, "axis")->arity, Arity::Optional);
  EXPECT_EQ(dft.attribute("axis"), nullptr);
  EXPECT_NE(get("", "DFT", 17).attribute("axis"), nullptr);

  const Schema& gelu = get("", "Gelu", 20);
  EXPECT_EQ(gelu.attribute("approximate")->default_value, ops::AttrDefault(std::string("none")));
  EXPECT_TRUE(gelu.has_function);
  EXPECT_EQ(get("", "AffineGrid", 20).attribute("align_corners")->default_value, ops::AttrDefault(int64_t{0}));
  EXPECT_EQ(get("", "ImageDecoder", 20).attribute("pixel_format")->default_value, ops::AttrDefault(std::string("RGB")));

  // The markdown rounds float defaults to five decimals; a new version keeps
  // the exact value of the previous one when they agree.
  EXPECT_EQ(get("", "Selu", 22).attribute("alpha")->default_value,
            get("", "Selu", 6).attribute("alpha")->default_value);

  // Function bodies of older versions than an op's newest (listed in regenerate.sh).
  EXPECT_TRUE(get("", "CastLike", 19).has_function);
  EXPECT_TRUE(get("", "Attention", 23).has_function);
  EXPECT_TRUE(get("", "Mish", 18).has_function);
  EXPECT_FALSE(get("", "Reshape", 19).has_function);

  const Schema& flex = get("ai.onnx.preview", "FlexAttention", 1);
  EXPECT_EQ(flex.attribute("score_mod")->type, ir::AttrType::Graph);
  EXPECT_EQ(flex.inputs.size(), 3u);
}

TEST(SchemaTable, TypeListsGrowWithOpsets) {
  const Schema& c13 = get("", "Cast", 13);
  const Schema& c19 = get("", "Cast", 19);
  const Schema& c21 = get("", "Cast", 21);
  const Schema& c23 = get("", "Cast", 23);
  EXPECT_LT(allowed(c13, "T1").size(), allowed(c19, "T1").size());
  EXPECT_LT(allowed(c19, "T1").size(), allowed(c21, "T1").size());
  EXPECT_LT(allowed(c21, "T1").size(), allowed(c23, "T1").size());
  EXPECT_FALSE(allows(c13, "T2", "tensor(float8e4m3fn)"));
  EXPECT_TRUE(allows(c19, "T2", "tensor(float8e4m3fn)"));
  EXPECT_TRUE(allows(c19, "T2", "tensor(float8e5m2fnuz)"));
  EXPECT_FALSE(allows(c19, "T2", "tensor(int4)"));
  EXPECT_TRUE(allows(c21, "T2", "tensor(int4)"));
  EXPECT_TRUE(allows(c21, "T2", "tensor(uint4)"));
  EXPECT_FALSE(allows(c21, "T2", "tensor(float4e2m1)"));
  EXPECT_TRUE(allows(c23, "T2", "tensor(float4e2m1)"));
  EXPECT_NE(get("", "Cast", 19).attribute("saturate"), nullptr);

  // float8 types appear in opset 19, int4 in opset 21, never before.
  int float8_at_19 = 0, int4_at_21 = 0;
  for (const Schema& s : table().all()) {
    if (!s.domain.empty()) continue;
    if (s.since_version < 19) {
      EXPECT_FALSE(mentions(s, "float8")) << s.name << "-" << s.since_version;
    }
    if (s.since_version < 21) {
      EXPECT_FALSE(mentions(s, "int4")) << s.name << "-" << s.since_version;
    }
    float8_at_19 += s.since_version == 19 && mentions(s, "float8");
    int4_at_21 += s.since_version == 21 && mentions(s, "int4");
  }
  EXPECT_GT(float8_at_19, 5);
  EXPECT_GT(int4_at_21, 5);
  EXPECT_TRUE(allows(get("", "QuantizeLinear", 19), "T2", "tensor(float8e4m3fn)"));
}

TEST(SchemaTable, TextRoundTrip) {
  const auto& all = table().all();
  auto again = SchemaTable::parse(ops::format_table(all));
  EXPECT_EQ(again.all(), all);

  Schema s;
  s.domain = "com.example";
  s.name = "Odd";
  s.since_version = 3;
  s.has_function = true;
  s.attributes = {
      {"f", ir::AttrType::Float, false, 1e-5f, true},
      {"fs", ir::AttrType::Floats, false, std::vector<float>{0.5f, -3.4028235e38f}, true},
      {"i", ir::AttrType::Int, true, std::monostate{}, false},
      {"is", ir::AttrType::Ints, false, std::vector<int64_t>{}, true},
      {"s", ir::AttrType::String, false, std::string("a \"b\"\\ c\n\x01"), true},
      {"ss", ir::AttrType::Strings, false, std::vector<std::string>{"x,y", "", "]"}, true},
      {"t", ir::AttrType::Tensor, false, std::monostate{}, true},
      {"u", ir::AttrType::Graph, false, std::monostate{}, false},
  };
  s.inputs = {{"X", "T"}, {"Y", "tensor(int64)", Arity::Optional}, {"Z", "V", Arity::Variadic, false, 0}};
  s.outputs = {{"out", "optional(seq(tensor(float16)))"}};
  s.constraints = {{"T", {"tensor(float)", "map(int64,string)"}}, {"V", {"seq(tensor(int8))"}}};
  std::string text = ops::to_string(s);
  EXPECT_EQ(fmt::format("{}", s), text);
  EXPECT_NE(text.find("  attribute t tensor default tensor\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  attribute f float default 1e-05\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  input Z V variadic 0 heterogeneous\n"), std::string::npos) << text;
  EXPECT_NE(text.find("schema com.example Odd 3 function\n"), std::string::npos) << text;
  auto parsed = SchemaTable::parse("# comment\n\n" + text);
  ASSERT_EQ(parsed.all().size(), 1u);
  EXPECT_EQ(parsed.all()[0], s) << text;
  EXPECT_EQ(parsed.find("com.example", "Odd", 7), &parsed.all()[0]);
}

// A malformed table is an Error naming the line.
TEST(SchemaTable, MalformedTables) {
  struct Case {
    std::string text;
    std::string expect;  // in the message
  };
  const std::string ok = "schema ai.onnx Foo 1\n  input X T\n  constraint T tensor(float)\n";
  const Case cases[] = {
      {"  input X T\n", "line 1: a fact line before the first 'schema' line"},
      {"schema ai.onnx Foo x\n", "line 1: bad version"},
      {"schema ai.onnx Foo\n", "line 1:"},
      {"schema ai.onnx Foo 1 shiny\n", "line 1: unknown schema flag"},
      {"scheme ai.onnx Foo 1\n", "line 1: expected 'schema'"},
      {ok + "  inptu Y T\n", "line 4: unknown fact 'inptu'"},
      {ok + "  attribute a int default x\n", "line 4: bad default"},
      {ok + "  attribute a float default [1]\n", "line 4: bad default"},
      {ok + "  attribute a string default \"open\n", "line 4: bad default"},
      {ok + "  attribute a strings default [\"a\",]\n", "line 4: bad default"},
      {ok + "  attribute a tensor default 3\n", "line 4: bad default"},
      {ok + "  attribute a number\n", "line 4: unknown attribute type"},
      {ok + "  attribute a int optional\n", "line 4: expected 'required' or 'default VALUE'"},
      {ok + "  input Y T maybe\n", "line 4: expected 'optional' or 'variadic"},
      {ok + "  input Y T variadic\n", "line 4:"},
      {ok + "  input Y T variadic -1\n", "line 4: bad minimum arity"},
      {ok + "  input X T\n", "line 4: input X is repeated"},
      {ok + "  constraint U tensor(flaot)\n", "line 4: bad type string 'tensor(flaot)'"},
      {ok + "  constraint U\n", "line 4:"},
      {"schema ai.onnx Foo 1\n  input X T\n", "line 1: Foo-1: input X: no type constraint named 'T'"},
      {"schema ai.onnx Foo 1\n  input X T variadic 1\n  input Y T\n  constraint T tensor(float)\n",
       "line 1: Foo-1: input X: only the last input may be variadic"},
      {ok + "schema ai.onnx Foo 1\n", "line 4: schema ai.onnx Foo 1 is out of order or repeated"},
      {ok + "schema ai.onnx Bar 1\n", "line 4: schema ai.onnx Bar 1 is out of order"},
      {ok + "  attribute b int\n  attribute a int\n", "line 1: Foo-1: attribute a is out of order or repeated"},
  };
  for (const Case& c : cases) {
    try {
      SchemaTable::parse(c.text);
      ADD_FAILURE() << "accepted:\n" << c.text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "schema-table");
      EXPECT_NE(std::string(e.what()).find(c.expect), std::string::npos)
          << "text:\n" << c.text << "message: " << e.what() << "\nexpected: " << c.expect;
    }
  }
  EXPECT_TRUE(SchemaTable::parse("").all().empty());
  EXPECT_TRUE(SchemaTable::parse("# only a comment\n").all().empty());
  EXPECT_EQ(SchemaTable::parse(ok).all().size(), 1u);
  const std::string crlf = "schema ai.onnx Foo 1\r\n  input X T\r\n  constraint T tensor(float)\r\n";
  EXPECT_EQ(SchemaTable::parse(crlf).all().size(), 1u);
}

}  // namespace
}  // namespace onnxscope
