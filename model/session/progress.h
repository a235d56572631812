// A progress line for long trial runs, on a terminal's standard error: nodes
// done of the total, the node running now, the time spent. Drawn only when
// the file is a terminal and the run has taken more than a second, redrawn
// at most ten times a second, erased when the run ends; nothing is written
// otherwise (a pipe, a log file, JSON on stdout never see it).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace onnxscope::session {

// The line, at most `width` - 1 columns (the last column left free so the
// terminal does not wrap): "  412/1203 nodes [=====>     ] Conv  3.2 s".
// The bar shrinks, then goes, then the operator is cut, as width narrows.
std::string progress_line(size_t done, size_t total, std::string_view op, double seconds, size_t width);

class ProgressBar {
 public:
  // `fd` is where to draw (2: standard error); `delay`: seconds before the
  // first drawing; `width` 0: the terminal's.
  explicit ProgressBar(int fd = 2, double delay = 1.0, size_t width = 0);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Cheap when nothing is drawn: one clock read.
  void update(size_t done, size_t total, std::string_view op);
  // Erases the line if one was drawn.
  void finish();
  bool terminal() const { return tty_; }
  bool drawn() const { return drawn_; }

 private:
  void put(std::string_view s) const;

  int fd_;
  bool tty_;
  double delay_;
  size_t width_;
  std::chrono::steady_clock::time_point start_, last_;
  bool drawn_ = false;
};

}  // namespace onnxscope::session
