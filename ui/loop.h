// The one loop that paints: it asks the screen for events, hands them to the
// app, and repaints when a handler says so. The screen is an interface so
// that the same loop runs on a terminal (ui/term) and in tests.
#pragma once

#include "ui/app.h"
#include "ui/canvas.h"
#include "ui/keymap.h"

namespace onnxscope::ui {

class Screen {
 public:
  virtual ~Screen() = default;
  virtual int width() const = 0;
  virtual int height() const = 0;
  virtual void paint(const Canvas& c) = 0;
  // The next event; Key::Tick when `timeout_ms` passes without one
  // (a negative timeout waits for an event).
  virtual Event next(int timeout_ms) = 0;
};

// Runs until the app is done. `on_frame` is called after each paint (the
// benchmark times frames with it).
void run(App& app, Screen& screen, bool utf8, const std::function<void()>& on_frame = {});

}  // namespace onnxscope::ui
