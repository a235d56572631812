// Input events and the key map: every key the TUI understands, once, with
// the words the help overlay and the status line show for it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace onnxscope::ui {

enum class Key : uint8_t {
  None, Char, Up, Down, Left, Right, PageUp, PageDown, Home, End, Enter, Backspace, Tab, BackTab,
  Escape, Delete, Resize, Mouse, Tick, Interrupt,
};

struct Event {
  Key key = Key::None;
  char32_t ch = 0;  // Key::Char
  enum class Button : uint8_t { None, Left, WheelUp, WheelDown } button = Button::None;
  int x = 0, y = 0;           // Key::Mouse
  int width = 0, height = 0;  // Key::Resize
  static Event of(Key k) { return Event{k}; }
  static Event chr(char32_t c) { return Event{Key::Char, c}; }
};

enum class Action : uint8_t {
  None, Up, Down, PageUp, PageDown, Home, End, NextPane, PrevPane, Enter, Back,
  Search, SearchNext, SearchPrev, NextDiag, PrevDiag, Goto, Filter,
  ViewNodes, ViewDiagnostics, ViewOverview, ViewSymbols, ToggleGraph, Target, Bind, Export,
  SliceNext, SlicePrev, Rerun, TrialRun, TrialStep, TrialContinue, TrialReset, Breakpoint, Help, Quit, Cancel,
};

struct Binding {
  Key key;
  char32_t ch;  // for Key::Char
  Action action;
  std::string_view keys;  // as the help shows it ("j/Down")
  std::string_view what;  // one line of help; empty for aliases shown elsewhere
};

std::span<const Binding> key_map();
// The action of an event outside prompts and menus.
Action action_of(const Event& e);

}  // namespace onnxscope::ui
