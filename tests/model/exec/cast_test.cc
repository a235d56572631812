// The kernels of casts and constants: strings to and from numbers, the
// 16-bit floats, Cast-1's type names, every value attribute of Constant,
// and the element-wise operators of opsets 1-6 with their axis broadcast.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

using V = std::vector<int64_t>;

TEST(CastKernels, StringsToAndFromNumbers) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (string[5] s, float[3] x) => (float[5] f, int64[2] i, string[3] t) {
  f = Cast <to = 1> (s)
  two = Constant <value_strings = ["-12", "+7"]> ()
  i = Cast <to = 7> (two)
  t = Cast <to = 8> (x)
})",
                     {{"s", typed<std::string>(DType::String, {5}, {"3.5", "1e-5", "+INF", "-inf", "NaN"})},
                      {"x", floats({3}, {314.15926f, 0.5f, -2.0f})}});
  ASSERT_FALSE(r.failed()) << r.message();
  std::vector<float> f = values<float>(r.out("f"));
  EXPECT_FLOAT_EQ(f[0], 3.5f);
  EXPECT_FLOAT_EQ(f[1], 1e-5f);
  EXPECT_TRUE(std::isinf(f[2]) && f[2] > 0);
  EXPECT_TRUE(std::isinf(f[3]) && f[3] < 0);
  EXPECT_TRUE(std::isnan(f[4]));
  EXPECT_EQ(values<int64_t>(r.out("i")), (V{-12, 7}));
  EXPECT_EQ(values<std::string>(r.out("t")), (std::vector<std::string>{"314.15927", "0.5", "-2"}));
}

TEST(CastKernels, HalfFloatsToStringsTakeTheirOwnShortestDigits) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float16[3] x) => (string[3] t) {
  t = Cast <to = 8> (x)
})",
                     {{"x", typed<value::Half>(DType::Float16, {3}, {value::to_half(0.1f), value::to_half(100.0f),
                                                                    value::to_half(-65504.0f)})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<std::string>(r.out("t")), (std::vector<std::string>{"0.1", "100", "-65500"}));
}

TEST(CastKernels, AStringThatIsNoNumberFails) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (string[1] s) => (float[1] f) {
  f = Cast <to = 1> (s)
})",
                     {{"s", typed<std::string>(DType::String, {1}, {"Hello"})}});
  EXPECT_EQ(r.code(), facts::Code::RunFailed);
  EXPECT_NE(r.message().find("the string \"Hello\" is not a number"), std::string::npos) << r.message();
}

TEST(CastKernels, NumbersBetweenTypes) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (int16[2] a, float[4] x) => (int8[2] b, float16[4] h, bool[4] t, int32[4] n) {
  b = Cast <to = 3> (a)
  h = Cast <to = 10> (x)
  t = Cast <to = 9> (x)
  n = Cast <to = 6> (x)
})",
                     {{"a", typed<int16_t>(DType::Int16, {2}, {200, -1})}, {"x", floats({4}, {-0.0f, 1.5f, -2.7f, 65536.0f})}});
  ASSERT_FALSE(r.failed()) << r.message();
  // Fixed point out of range discards the higher bits: 200 (int16) -> -56 (int8).
  EXPECT_EQ(values<int8_t>(r.out("b")), (std::vector<int8_t>{-56, -1}));
  std::vector<value::Half> h = values<value::Half>(r.out("h"));
  EXPECT_FLOAT_EQ(value::to_float(h[1]), 1.5f);
  EXPECT_TRUE(std::isinf(value::to_float(h[3])));  // beyond float16's range
  EXPECT_EQ(values<bool>(r.out("t")), (std::vector<bool>{false, true, true, true}));
  EXPECT_EQ(values<int32_t>(r.out("n")), (std::vector<int32_t>{0, 1, -2, 65536}));
}

TEST(CastKernels, CastOneNamesTheTypeWithAString) {
  auto r = run_model(R"(<ir_version: 3, opset_import: ["" : 1]>
g (float[2] x) => (int32[2] y) {
  y = Cast <to = "INT32"> (x)
})",
                     {{"x", floats({2}, {7.9f, -7.9f})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<int32_t>(r.out("y")), (std::vector<int32_t>{7, -7}));
}

TEST(CastKernels, ConstantValueAttributes) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g () => (float a, float[2] b, int64 c, int64[3] d, string e, float[2, 2] t) {
  a = Constant <value_float = 1.5> ()
  b = Constant <value_floats = [1.0, 2.0]> ()
  c = Constant <value_int = -3> ()
  d = Constant <value_ints = [4, 5, 6]> ()
  e = Constant <value_string = "hi"> ()
  t = Constant <value = float[2, 2] {1, 2, 3, 4}> ()
})",
                     {});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(r.out("a").shape(), V{});
  EXPECT_EQ(values<float>(r.out("a")), (std::vector<float>{1.5}));
  EXPECT_EQ(values<float>(r.out("b")), (std::vector<float>{1, 2}));
  EXPECT_EQ(values<int64_t>(r.out("c")), (V{-3}));
  EXPECT_EQ(values<int64_t>(r.out("d")), (V{4, 5, 6}));
  EXPECT_EQ(values<std::string>(r.out("e")), (std::vector<std::string>{"hi"}));
  EXPECT_EQ(values<float>(r.out("t")), (std::vector<float>{1, 2, 3, 4}));
}

TEST(CastKernels, ConstantOfShapeAndEyeLike) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (int64[2] s, float[2, 3] x) => (int32[A, B] c, float[2, 3] e) {
  c = ConstantOfShape <value = int32[1] {7}> (s)
  e = EyeLike <k = 1> (x)
})",
                     {{"s", i64({2}, {2, 1})}, {"x", Tensor(DType::Float32, {2, 3})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(r.out("c").shape(), (V{2, 1}));
  EXPECT_EQ(values<int32_t>(r.out("c")), (std::vector<int32_t>{7, 7}));
  EXPECT_EQ(values<float>(r.out("e")), (std::vector<float>{0, 1, 0, 0, 0, 1}));
  auto neg = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (int64[2] s) => (float[A, B] c) {
  c = ConstantOfShape(s)
})",
                       {{"s", i64({2}, {2, -1})}});
  EXPECT_EQ(neg.code(), facts::Code::NegativeDim) << neg.message();
}

TEST(LegacyKernels, SecondInputBroadcastsFromAxis) {
  auto r = run_model(R"(<ir_version: 3, opset_import: ["" : 6]>
g (float[2, 3, 2] a, float[3] b, float[2] c) => (float[2, 3, 2] y, float[2, 3, 2] z) {
  y = Add <broadcast = 1, axis = 1> (a, b)
  z = Mul <broadcast = 1> (a, c)
})",
                     {{"a", floats({2, 3, 2}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})}, {"b", floats({3}, {10, 20, 30})}, {"c", floats({2}, {2, 3})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<float>(r.out("y")), (std::vector<float>{11, 11, 21, 21, 31, 31, 11, 11, 21, 21, 31, 31}));
  EXPECT_EQ(values<float>(r.out("z")), (std::vector<float>{2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3}));
  auto bad = run_model(R"(<ir_version: 3, opset_import: ["" : 6]>
g (float[2, 3] a, float[2] b) => (float[2, 3] y) {
  y = Sub <broadcast = 1> (a, b)
})",
                       {{"a", Tensor(DType::Float32, {2, 3})}, {"b", Tensor(DType::Float32, {2})}});
  EXPECT_EQ(bad.code(), facts::Code::Broadcast) << bad.message();
  EXPECT_NE(bad.message().find("[2] does not broadcast to [2,3] at the trailing axes"), std::string::npos) << bad.message();
}

TEST(LegacyKernels, SumSixTakesOneShapeAndPReluAChannelSlope) {
  auto sum = run_model(R"(<ir_version: 3, opset_import: ["" : 6]>
g (float[2] a, float[1] b) => (float[2] y) {
  y = Sum(a, b)
})",
                       {{"a", floats({2}, {1, 2})}, {"b", floats({1}, {1})}});
  EXPECT_EQ(sum.code(), facts::Code::Broadcast) << sum.message();
  auto prelu = run_model(R"(<ir_version: 3, opset_import: ["" : 6]>
g (float[1, 2, 2] x, float[2] s) => (float[1, 2, 2] y) {
  y = PRelu(x, s)
})",
                         {{"x", floats({1, 2, 2}, {-1, 1, -1, 1})}, {"s", floats({2}, {0.5, 0.25})}});
  ASSERT_FALSE(prelu.failed()) << prelu.message();
  EXPECT_EQ(values<float>(prelu.out("y")), (std::vector<float>{-0.5, 1, -0.25, 1}));
}

}  // namespace
}  // namespace onnxscope::exec::test
