#include "ui/keymap.h"

namespace onnxscope::ui {
namespace {

constexpr Binding kMap[] = {
    {Key::Up, 0, Action::Up, "Up/k", "move up"},
    {Key::Char, 'k', Action::Up, "", ""},
    {Key::Down, 0, Action::Down, "Down/j", "move down"},
    {Key::Char, 'j', Action::Down, "", ""},
    {Key::PageUp, 0, Action::PageUp, "PgUp/^B", "page up"},
    {Key::Char, 2, Action::PageUp, "", ""},
    {Key::PageDown, 0, Action::PageDown, "PgDn/^F/Space", "page down"},
    {Key::Char, 6, Action::PageDown, "", ""},
    {Key::Char, ' ', Action::PageDown, "", ""},
    {Key::Home, 0, Action::Home, "Home/g", "first row"},
    {Key::Char, 'g', Action::Home, "", ""},
    {Key::End, 0, Action::End, "End/G", "last row"},
    {Key::Char, 'G', Action::End, "", ""},
    {Key::Tab, 0, Action::NextPane, "Tab/l/Right", "next pane"},
    {Key::Right, 0, Action::NextPane, "", ""},
    {Key::Char, 'l', Action::NextPane, "", ""},
    {Key::BackTab, 0, Action::PrevPane, "S-Tab/h/Left", "previous pane"},
    {Key::Left, 0, Action::PrevPane, "", ""},
    {Key::Char, 'h', Action::PrevPane, "", ""},
    {Key::Enter, 0, Action::Enter, "Enter", "open: detail, link"},
    {Key::Backspace, 0, Action::Back, "Backspace", "out of a body"},
    {Key::Char, '/', Action::Search, "/", "search names, op types"},
    {Key::Char, 'n', Action::SearchNext, "n", "next match"},
    {Key::Char, 'N', Action::SearchPrev, "N", "previous match"},
    {Key::Char, 'e', Action::NextDiag, "e", "next finding (errors)"},
    {Key::Char, 'E', Action::PrevDiag, "E", "previous finding"},
    {Key::Char, ':', Action::Goto, ":", "go to node by name"},
    {Key::Char, 'f', Action::Filter, "f", "filter: op, error..."},
    {Key::Char, '1', Action::ViewNodes, "1", "nodes"},
    {Key::Char, '2', Action::ViewDiagnostics, "2", "diagnostics"},
    {Key::Char, '3', Action::ViewOverview, "3", "overview, releases"},
    {Key::Char, '4', Action::ViewSymbols, "4", "symbols, input types"},
    {Key::Char, 'v', Action::ToggleGraph, "v", "neighbourhood graph"},
    {Key::Char, 't', Action::Target, "t", "target release"},
    {Key::Char, 'b', Action::Bind, "b", "bind symbols"},
    {Key::Char, 'x', Action::Export, "x", "export issue report"},
    {Key::Char, ']', Action::SliceNext, "] [", "tensor slice +/-"},
    {Key::Char, '[', Action::SlicePrev, "", ""},
    {Key::Char, 'A', Action::Rerun, "A", "analyse again"},
    {Key::Char, 'r', Action::TrialRun, "r R", "trial run: run, reset"},
    {Key::Char, 'R', Action::TrialReset, "", ""},
    {Key::Char, 's', Action::TrialStep, "s", "trial run: one node"},
    {Key::Char, 'c', Action::TrialContinue, "c", "trial run: continue"},
    {Key::Char, 'B', Action::Breakpoint, "B", "breakpoint on the node"},
    {Key::Char, '?', Action::Help, "?", "this help"},
    {Key::Char, 'q', Action::Quit, "q", "quit"},
    {Key::Escape, 0, Action::Cancel, "Esc", "close; stop a run"},
};

}  // namespace

std::span<const Binding> key_map() { return kMap; }

Action action_of(const Event& e) {
  for (const auto& b : kMap) {
    if (b.key == e.key && (e.key != Key::Char || b.ch == e.ch)) return b.action;
  }
  return Action::None;
}

}  // namespace onnxscope::ui
