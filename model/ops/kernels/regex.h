// RegexFullMatch's matcher: the RE2 syntax onnxruntime reads, in the subset
// the kernel supports, compiled to an automaton that is simulated over all of
// its states at once, as RE2 does. Time is linear in the string times the
// pattern's size, whatever the pattern ((a*)*b on a row of a's, which sends a
// backtracking matcher into exponential time, is as fast as a*b), and no
// recursion follows the string's length (a backtracking matcher overflows its
// stack on (a|b)* over a long string). The simulation reports its work to
// ops::poll, so the run's time limit holds inside one long string.
#pragma once

#include <bitset>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace onnxscope::ops::kernels {

class Regex {
 public:
  // An invalid pattern, or one using a construct the kernel does not read as
  // RE2 does (then `unsupported` is true); what() names the construct.
  struct Error : std::runtime_error {
    Error(const std::string& what, bool unsupported) : std::runtime_error(what), unsupported(unsupported) {}
    bool unsupported;
  };

  // The limits RE2 sets: groups nested at most 1000 deep, a repetition count
  // of at most 1000; and a compiled program of at most kMaxProgram
  // instructions (RE2 bounds its program by memory).
  static constexpr int kMaxNesting = 1000;
  static constexpr int kMaxRepeat = 1000;
  static constexpr size_t kMaxProgram = size_t{1} << 17;

  // Throws Error. A leading (?i) makes the whole pattern case-insensitive
  // (ASCII letters).
  explicit Regex(std::string_view pattern);

  // Whether the whole of s matches. Not for two threads at once: the
  // simulation's state sets are kept between calls (sized to the program
  // once, not once per string).
  bool full_match(std::string_view s) const;

  // Instructions in the compiled program (the work per byte of a string is
  // at most this).
  size_t size() const { return prog_.size(); }

  enum class Op : uint8_t { Bytes, Split, Jump, Assert, Match };
  enum class Assertion : uint8_t { BeginText, EndText, WordBoundary, NotWordBoundary };
  struct Inst {
    Op op;
    Assertion assertion = Assertion::BeginText;
    uint32_t x = 0, y = 0;  // next; Split's second branch
    uint32_t set = 0;       // Bytes: index into sets_
  };

 private:
  // Sparse sets of program counters (Briggs and Torczon): O(1) insert,
  // membership and clear, in the order added; stale entries never read.
  struct Threads {
    std::vector<uint32_t> dense, sparse;
    size_t n = 0;
    bool has(uint32_t pc) const { return sparse[pc] < n && dense[sparse[pc]] == pc; }
    void add(uint32_t pc) { sparse[pc] = static_cast<uint32_t>(n), dense[n++] = pc; }
  };
  struct Scratch {
    Threads threads[2];
    std::vector<uint32_t> stack;
  };

  std::vector<Inst> prog_;
  std::vector<std::bitset<256>> sets_;
  mutable Scratch scratch_;
  friend class RegexCompiler;
};

}  // namespace onnxscope::ops::kernels
