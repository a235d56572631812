// The only curses code of onnxscope: paints a canvas with ncurses and turns
// keys, the mouse and resizes into events. It restores the terminal on every
// way out: normal exit, an exception (the destructor), SIGINT/SIGTERM/SIGHUP
// (an Interrupt event, then the destructor), and fatal signals (a handler
// that resets the terminal before the default action). Ctrl-Z suspends.
#pragma once

#include "ui/loop.h"

namespace onnxscope::ui::term {

struct Options {
  bool utf8 = true;   // box drawing and marks; false: ASCII only
  bool color = true;  // false under NO_COLOR: bold, reverse and underline only
  bool mouse = true;
};

// Whether the locale's character set is UTF-8 (after setlocale(LC_ALL, "")).
bool locale_is_utf8();

class Terminal final : public Screen {
 public:
  explicit Terminal(Options o);
  ~Terminal() override;
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  int width() const override;
  int height() const override;
  void paint(const Canvas& c) override;
  Event next(int timeout_ms) override;

 private:
  Options opts_;
};

}  // namespace onnxscope::ui::term
