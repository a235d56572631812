#include "model/session/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>

namespace onnxscope::session {

std::string progress_line(size_t done, size_t total, std::string_view op, double seconds, size_t width) {
  if (width < 2) return {};
  size_t room = width - 1;
  done = std::min(done, total);
  std::string count = fmt::format("{}/{} nodes", done, total);
  std::string time = seconds < 60 ? fmt::format("{:.1f} s", seconds)
                                  : fmt::format("{}m{:02d}s", int(seconds) / 60, int(seconds) % 60);
  std::string name(op.substr(0, 24));
  // Without the bar: "count  op  time"; the bar takes what is left, up to 40.
  size_t fixed = count.size() + 2 + name.size() + 2 + time.size();
  std::string out;
  if (fixed + 2 + 2 + 10 <= room) {
    size_t inner = std::min<size_t>(40, room - fixed - 4);
    size_t fill = total ? inner * done / total : 0;
    std::string bar(fill, '=');
    if (fill < inner) bar += '>', bar.append(inner - fill - 1, ' ');
    out = fmt::format("{} [{}]  {}  {}", count, bar, name, time);
  } else if (fixed <= room) {
    out = fmt::format("{}  {}  {}", count, name, time);
  } else {
    out = fmt::format("{}  {}", count, time);
  }
  if (out.size() > room) out.resize(room);
  return out;
}

ProgressBar::ProgressBar(int fd, double delay, size_t width)
    : fd_(fd), tty_(::isatty(fd) == 1), delay_(delay), width_(width), start_(std::chrono::steady_clock::now()),
      last_(start_) {
  if (tty_ && width_ == 0) {
    winsize ws{};
    width_ = ::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
  }
}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::put(std::string_view s) const {
  while (!s.empty()) {
    ssize_t n = ::write(fd_, s.data(), s.size());
    if (n <= 0) return;
    s.remove_prefix(static_cast<size_t>(n));
  }
}

void ProgressBar::update(size_t done, size_t total, std::string_view op) {
  if (!tty_) return;
  auto now = std::chrono::steady_clock::now();
  double since_start = std::chrono::duration<double>(now - start_).count();
  if (since_start < delay_) return;
  if (drawn_ && std::chrono::duration<double>(now - last_).count() < 0.1) return;
  last_ = now;
  drawn_ = true;
  // Carriage return, the line, erase to its end.
  put("\r" + progress_line(done, total, op, since_start, width_) + "\x1b[K");
}

void ProgressBar::finish() {
  if (!drawn_) return;
  put("\r\x1b[K");
  drawn_ = false;
}

}  // namespace onnxscope::session
