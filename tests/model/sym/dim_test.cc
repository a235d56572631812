// Symbolic dimensions: canonical forms make equal expressions identical;
// printing reads as people write; proofs assume symbols >= 1.
#include <gtest/gtest.h>

#include "model/sym/dim.h"
#include "model/util/error.h"

namespace onnxscope::sym {
namespace {

class DimTest : public ::testing::Test {
 protected:
  Table t;
  Dim s = t.symbol("s");
  Dim b = t.symbol("batch");
  Dim h = t.symbol("h");
  Dim c(int64_t v) { return t.constant(v); }
};

TEST_F(DimTest, ConstantsFold) {
  EXPECT_EQ((c(2) + c(3)).as_int(), 5);
  EXPECT_EQ((c(6) * c(7)).as_int(), 42);
  EXPECT_EQ(floor_div(c(7), 2).as_int(), 3);
  EXPECT_EQ(floor_div(c(-7), 2).as_int(), -4);
  EXPECT_EQ(ceil_div(c(7), 2).as_int(), 4);
  EXPECT_EQ(mod(c(-7), 3).as_int(), 2);
  EXPECT_EQ(mod(c(7), -3).as_int(), -2);
  EXPECT_EQ(min(c(3), c(9)).as_int(), 3);
  EXPECT_EQ(max(c(3), c(9)).as_int(), 9);
}

TEST_F(DimTest, AlgebraicIdentitiesAreStructural) {
  EXPECT_EQ(2 * (s + 1), s * 2 + 2);
  EXPECT_EQ(s + b, b + s);
  EXPECT_EQ(s * b, b * s);
  EXPECT_EQ((s + 1) * (s - 1), s * s - 1);
  EXPECT_EQ((s + b) * 2 - s, s + 2 * b);
  EXPECT_EQ(s - s, c(0));
  EXPECT_EQ(s * 0, c(0));
  EXPECT_EQ((b * s) * 4, b * (s * 4));
  EXPECT_EQ(s + c(0), s);
  EXPECT_NE(s * 2, s * 3);
  // The same symbol name is the same symbol.
  EXPECT_EQ(t.symbol("s"), s);
}

TEST_F(DimTest, Printing) {
  EXPECT_EQ(to_string(2 * s + 1), "2*s+1");
  EXPECT_EQ(to_string(b * s), "batch*s");
  EXPECT_EQ(to_string(s * s * 3 + s * 2 + 1), "3*s*s+2*s+1");
  EXPECT_EQ(to_string(c(3) - s), "3-s");
  EXPECT_EQ(to_string(s - 3), "s-3");
  EXPECT_EQ(to_string(-s), "-s");
  EXPECT_EQ(to_string(floor_div(h - 1, 2) + 1), "ceil(h/2)");
  EXPECT_EQ(to_string(floor_div(h - 3, 2) + 1), "ceil(h/2)-1");
  EXPECT_EQ(to_string(floor_div(h, 4)), "floor(h/4)");
  EXPECT_EQ(to_string(floor_div(h + 2, 4)), "floor((h+2)/4)");
  EXPECT_EQ(to_string(min(s, b)), "min(batch,s)");
  EXPECT_EQ(to_string(Dim()), "?");
  EXPECT_EQ(fmt::format("{}", s * 64), "64*s");
}

TEST_F(DimTest, FloorDivisionCanonicalForms) {
  // Multiples of the divisor come out of the floor.
  EXPECT_EQ(floor_div(4 * s + 2, 2), 2 * s + 1);
  EXPECT_EQ(floor_div(2 * s + 1, 2), s);
  EXPECT_EQ(floor_div(6 * s + 5, 3), 2 * s + 1);
  // ceil(x/c) == floor((x+c-1)/c) == -floor(-x/c): one form.
  EXPECT_EQ(ceil_div(h, 2), floor_div(h + 1, 2));
  EXPECT_EQ(ceil_div(h, 2), -floor_div(-h, 2));
  // Nested floors combine.
  EXPECT_EQ(floor_div(floor_div(h, 2), 3), floor_div(h, 6));
  // A common factor of the numerator and divisor cancels.
  EXPECT_EQ(floor_div(2 * h + 1, 4), floor_div(h, 2));
  EXPECT_EQ(floor_div(h, 1), h);
  // mod is x - c*floor(x/c).
  EXPECT_EQ(mod(2 * s, 2), c(0));
  EXPECT_EQ(mod(s + 2, 2) + 2 * floor_div(s, 2), s);
  EXPECT_THROW(floor_div(s, 0), Error);
}

TEST_F(DimTest, ConvAndPoolOutputSizes) {
  // floor((h + pad_total - dilation*(k-1) - 1)/stride) + 1
  auto conv = [&](Dim in, int64_t k, int64_t stride, int64_t pad, int64_t dil) {
    return floor_div(in + 2 * pad - dil * (k - 1) - 1, stride) + 1;
  };
  EXPECT_EQ(conv(h, 3, 1, 1, 1), h);                // same padding, stride 1
  EXPECT_EQ(conv(h, 3, 1, 0, 1), h - 2);            // valid
  EXPECT_EQ(conv(h, 3, 2, 1, 1), ceil_div(h, 2));   // the ResNet stem stride 2
  EXPECT_EQ(conv(h, 7, 2, 3, 1), ceil_div(h, 2));
  EXPECT_EQ(conv(h, 1, 2, 0, 1), ceil_div(h, 2));   // 1x1 downsample
  EXPECT_EQ(conv(h, 3, 1, 2, 2), h);                // dilated
  EXPECT_EQ(conv(h, 2, 2, 0, 1), floor_div(h, 2));  // 2x2 pool, stride 2
  EXPECT_EQ(to_string(conv(h, 3, 2, 0, 1)), "ceil(h/2)-1");
  // ceil_mode pooling: ceil((h + pads - k)/s) + 1
  EXPECT_EQ(ceil_div(h - 2, 2) + 1, ceil_div(h, 2));
  // Evaluated against integers.
  for (int64_t v = 1; v < 40; ++v) {
    Bindings bind{{"h", v}};
    EXPECT_EQ(eval(conv(h, 3, 2, 1, 1), bind), (v + 2 - 2 - 1) / 2 + 1) << v;
    EXPECT_EQ(eval(conv(h, 3, 2, 0, 1), bind), v >= 3 ? (v - 3) / 2 + 1 : (v - 3 - 1) / 2 + 1) << v;
  }
}

TEST_F(DimTest, ExactDivisionByExpressions) {
  // Reshape's -1: numel / product of the known target dims.
  EXPECT_EQ(floor_div(b * s * 768, b * 12), s * 64);
  EXPECT_EQ(floor_div(b * s * 768, b * s * 768), c(1));
  EXPECT_EQ(floor_div(2 * b * s + 2 * b, 2 * b), s + 1);
  // Not exact: kept as an atom, still evaluable.
  Dim q = floor_div(b * s + 1, s);
  EXPECT_EQ(to_string(q), "floor((batch*s+1)/s)");
  EXPECT_EQ(eval(q, {{"batch", 3}, {"s", 4}}), 3);
}

TEST_F(DimTest, MinMax) {
  EXPECT_EQ(min(s, s), s);
  EXPECT_EQ(min(s, s + 1), s);
  EXPECT_EQ(max(s, s + 1), s + 1);
  EXPECT_EQ(min(c(0), s), c(0));          // symbols are >= 1
  EXPECT_EQ(max(c(1), s), s);
  EXPECT_EQ(min(min(s, b), s), min(s, b));
  EXPECT_EQ(min(s, b), min(b, s));
  EXPECT_EQ(min(c(INT64_MAX), s), s);     // Slice's "to the end"
  EXPECT_EQ(eval(min(s, b), {{"s", 4}, {"batch", 2}}), 2);
}

TEST_F(DimTest, Proofs) {
  EXPECT_TRUE(proven_equal(2 * (s + 1), 2 * s + 2));
  EXPECT_TRUE(proven_ne(s, s + 1));
  EXPECT_TRUE(proven_ne(2 * s + 1, c(0)));
  EXPECT_TRUE(proven_ne(s, c(0)));
  EXPECT_FALSE(proven_ne(s, c(1)));      // s may be 1
  EXPECT_FALSE(proven_ne(s, b));
  EXPECT_FALSE(proven_equal(s, b));
  EXPECT_TRUE(proven_ge(s * b + 1, s * b));
  EXPECT_TRUE(proven_gt(s + b, s));
  EXPECT_FALSE(proven_gt(s, c(1)));
  Range r = range(floor_div(h, 2));
  EXPECT_EQ(r.lo, 0);
}

TEST_F(DimTest, EvalSubstituteSymbols) {
  Dim e = floor_div(b * s + 2, 3) + min(s, c(5));
  EXPECT_EQ(eval(e, {{"batch", 2}, {"s", 4}}), 3 + 4);
  EXPECT_EQ(eval(e, {{"batch", 2}}), std::nullopt);
  Dim sub = substitute(e, {{"s", c(4)}});
  EXPECT_EQ(to_string(sub), "ceil((4*batch)/3)+4");
  EXPECT_EQ(substitute(e, {{"s", c(4)}, {"batch", c(2)}}).as_int(), 7);
  EXPECT_EQ(substitute(s * 2, {{"s", b + 1}}), 2 * b + 2);
  EXPECT_EQ(symbols(e), (std::vector<std::string_view>{"batch", "s"}));
}

TEST_F(DimTest, FreshSymbolsNeverCollide) {
  Dim a = t.fresh("unk");
  Dim a2 = t.fresh("unk");
  Dim s2 = t.fresh("s");
  EXPECT_NE(a, a2);
  EXPECT_NE(s2, s);
  EXPECT_EQ(to_string(a), "unk");
  EXPECT_EQ(to_string(a2), "unk_2");
  EXPECT_EQ(to_string(s2), "s_2");
}

TEST_F(DimTest, OverflowIsAnError) {
  Dim big = c(INT64_MAX);
  EXPECT_THROW(big + 1, Error);
  EXPECT_THROW(big * 2, Error);
  EXPECT_THROW(s * INT64_MAX * 2, Error);
}

// Arithmetic done once is looked up the next time (a model's layers repeat
// the same shape arithmetic): the same operands give the same node, without
// a node more, and an operation that failed fails again.
TEST_F(DimTest, RepeatedArithmeticGivesTheSameNodes) {
  Dim x = (b * s * 768 + h) * (s + 1);
  Dim q = floor_div(x, b * 12);
  Dim r = floor_div(s * 3 + 7, 4);
  Dim sum = x + r;
  Dim k = c(768);
  size_t nodes = t.size();
  EXPECT_EQ((b * s * 768 + h) * (s + 1), x);
  EXPECT_EQ(floor_div(x, b * 12), q);
  EXPECT_EQ(floor_div(s * 3 + 7, 4), r);
  EXPECT_EQ(x + r, sum);
  EXPECT_EQ(c(768), k);
  EXPECT_EQ(t.size(), nodes);
  // The results are the canonical forms, whichever order built them.
  EXPECT_EQ(to_string(x), "768*batch*s*s+768*batch*s+h*s+h");
  EXPECT_EQ(to_string(r), "ceil((3*s)/4)+1");
  EXPECT_EQ(s * 2 * 3, s * 6);
  Dim near = s * (INT64_MAX / 2);
  EXPECT_THROW(near * 4, Error);
  EXPECT_THROW(near * 4, Error);
  EXPECT_THROW(floor_div(s, 0), Error);
  EXPECT_THROW(floor_div(s, 0), Error);
}

}  // namespace
}  // namespace onnxscope::sym
