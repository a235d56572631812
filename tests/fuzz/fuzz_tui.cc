// libFuzzer target (c): the inspector's view-models (ui/, no terminal)
// driven by a random key sequence over a mutated model. The input is one
// byte N, N key bytes, then a serialized model (mutated structurally as in
// fuzz_model). Every key is handled, the work it starts (analyses, release
// checks, trial runs under a small budget) is waited for or stopped, and
// the screen is rendered at the current size. The export key is left out:
// it writes a file.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>

#include "model/analysis/check.h"
#include "model/analysis/infer.h"
#include "model/load/loader.h"
#include "model/util/error.h"
#include "tests/fuzz/exercise.h"
#include "tests/fuzz/mutate.h"
#include "ui/app.h"
#include "ui/canvas.h"
#include "ui/document.h"

namespace {

using namespace onnxscope;
using ui::Event;
using ui::Key;

// A key byte as an event: printable characters as typed (prompts take
// them), the rest as special keys, resizes and mouse events.
Event event_of(uint8_t b, int& w, int& h) {
  if (b >= 32 && b < 127) return b == 'x' ? Event::of(Key::Tick) : Event::chr(b);
  static const Key special[] = {Key::Up, Key::Down, Key::Left, Key::Right, Key::PageUp, Key::PageDown, Key::Home,
                                Key::End, Key::Enter, Key::Backspace, Key::Tab, Key::BackTab, Key::Escape,
                                Key::Delete, Key::Tick, Key::Interrupt, Key::Enter, Key::Enter};
  if (b < 32 || b == 127) return Event::of(special[b % std::size(special)]);
  if (b < 160) {  // a resize
    Event e = Event::of(Key::Resize);
    w = e.width = 1 + (b - 127) * 5;
    h = e.height = 1 + (b - 127) % 40;
    return e;
  }
  Event e = Event::of(Key::Mouse);  // a click or a wheel turn somewhere
  e.button = b % 3 == 0 ? Event::Button::Left : b % 3 == 1 ? Event::Button::WheelUp : Event::Button::WheelDown;
  e.x = (b * 7) % (w > 0 ? w : 1);
  e.y = (b * 3) % (h > 0 ? h : 1);
  return e;
}

// Lets the work a key started end, as the loop's ticks would; a trial run
// that takes longer than its share is stopped (Esc does the same).
void settle(ui::App& app, ui::Document& doc) {
  for (int i = 0; i < 64 && app.wants_tick(); ++i) {
    if (doc.busy()) doc.wait();
    if (doc.trial_busy()) {
      auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
      while (doc.trial_busy() && std::chrono::steady_clock::now() < end) {
        if (doc.trial_poll()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      if (doc.trial_busy()) {
        doc.trial_stop();
        doc.trial_wait();
      }
    }
    if (doc.ready() && !doc.releases_complete()) doc.wait_releases();
    app.handle(Event::of(Key::Tick));
  }
}

}  // namespace

#ifdef ONNXSCOPE_LIBFUZZER
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

// Half the time the keys change (libFuzzer's byte mutations on them), half
// the time the model (the structure-aware mutator).
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  if (size == 0 || max_size < 2) return LLVMFuzzerMutate(data, size, max_size);
  size_t nkeys = std::min<size_t>(data[0], size - 1);
  if (seed % 2 == 0) {
    std::string keys(reinterpret_cast<const char*>(data) + 1, nkeys);
    std::string model(reinterpret_cast<const char*>(data) + 1 + nkeys, size - 1 - nkeys);
    keys.resize(255);
    size_t n = LLVMFuzzerMutate(reinterpret_cast<uint8_t*>(keys.data()), nkeys, std::min<size_t>(255, max_size - 1 - model.size()));
    data[0] = static_cast<uint8_t>(n);
    std::memcpy(data + 1, keys.data(), n);
    std::memcpy(data + 1 + n, model.data(), model.size());
    return 1 + n + model.size();
  }
  std::string model(reinterpret_cast<const char*>(data) + 1 + nkeys, size - 1 - nkeys);
  if (!onnxscope::fuzz::mutate_model(model, max_size - 1 - nkeys, seed)) return LLVMFuzzerMutate(data, size, max_size);
  std::memcpy(data + 1 + nkeys, model.data(), model.size());
  return 1 + nkeys + model.size();
}
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t nkeys = std::min<size_t>(data[0], size - 1);
  const uint8_t* keys = data + 1;
  load::LoadOptions opts;
  opts.max_structure_bytes = 64 << 20;
  opts.data_dir = "/nonexistent-onnxscope-fuzz";
  std::unique_ptr<ir::Model> m;
  try {
    m = load::load_model_bytes(std::string(reinterpret_cast<const char*>(data) + 1 + nkeys, size - 1 - nkeys), opts);
  } catch (const Error&) {
    return 0;
  }
  const ops::SupportTables& tables = fuzz::tables();
  ui::Engine e;
  const ir::Model* model = m.get();
  e.infer = [model](const analysis::InferOptions& o) { return analysis::infer(*model, o); };
  e.check = [&tables](const analysis::Analysis& a, size_t i) { return analysis::check(a, tables.at(i), tables); };
  ui::Document doc(*m, tables, std::move(e));
  doc.display_path = "fuzz.onnx";
  doc.trial_max_memory = uint64_t{64} << 20;
  doc.trial_max_iterations = 256;
  doc.analyze({}, tables.size() - 1);
  {
    ui::App app(doc, ui::App::Options{(nkeys & 1) == 0, ""});
    int w = 80, h = 24;
    for (size_t i = 0; i < nkeys && !app.done(); ++i) {
      app.handle(event_of(keys[i], w, h));
      settle(app, doc);
      ui::Canvas c(w, h, true);
      app.render(c);
    }
    if (doc.trial_busy()) {
      doc.trial_stop();
      doc.trial_wait();
    }
  }
  doc.drain();
  return 0;
}
