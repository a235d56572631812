#include "ui/loop.h"

namespace onnxscope::ui {

void run(App& app, Screen& screen, bool utf8, const std::function<void()>& on_frame) {
  Dirty dirty = Dirty::All;
  while (!app.done()) {
    if (dirty != Dirty::None) {
      Canvas c(screen.width(), screen.height(), utf8);
      app.render(c);
      screen.paint(c);
      if (on_frame) on_frame();
    }
    // Ticks drive an analysis in progress and the release checks filled in
    // between keys; otherwise the loop sleeps until input (the timeout only
    // lets it notice signals).
    Event e = screen.next(app.wants_tick() ? 80 : 500);
    if (e.key == Key::Tick && !app.wants_tick()) {
      dirty = Dirty::None;
      app.handle(e);
      continue;
    }
    dirty = app.handle(e);
  }
}

}  // namespace onnxscope::ui
