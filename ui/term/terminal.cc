#include "ui/term/terminal.h"

#include <langinfo.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <string>

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

namespace onnxscope::ui::term {
namespace {

volatile sig_atomic_t g_interrupted = 0;
struct termios g_saved;
bool g_have_saved = false;

void on_interrupt(int) { g_interrupted = 1; }

// A crash must not leave the terminal in raw mode on the alternate screen:
// reset it with async-signal-safe calls, then let the signal do what it does.
void on_fatal(int sig) {
  static const char kReset[] = "\x1b[?1000l\x1b[?1002l\x1b[?1006l\x1b[0m\x1b[?25h\x1b[?1049l\r\n";
  ssize_t ignored = ::write(STDOUT_FILENO, kReset, sizeof kReset - 1);
  if (g_have_saved) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
  static const char kMsg[] = "onnxscope: fatal signal; the terminal was restored\n";
  ignored = ::write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
  (void)ignored;
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

constexpr int kInterruptSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
struct sigaction g_old_interrupt[4];
struct sigaction g_old_fatal[5];

void install_signals() {
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_interrupt;  // no SA_RESTART: a blocked read returns and the loop sees the flag
  for (size_t i = 0; i < 4; ++i) sigaction(kInterruptSignals[i], &sa, &g_old_interrupt[i]);
  sa.sa_handler = on_fatal;
  sa.sa_flags = SA_RESETHAND;
  for (size_t i = 0; i < 5; ++i) sigaction(kFatalSignals[i], &sa, &g_old_fatal[i]);
}

void restore_signals() {
  for (size_t i = 0; i < 4; ++i) sigaction(kInterruptSignals[i], &g_old_interrupt[i], nullptr);
  for (size_t i = 0; i < 5; ++i) sigaction(kFatalSignals[i], &g_old_fatal[i], nullptr);
}

// Colour pair per role (foreground, background; -1 is the terminal's default).
struct Style {
  short fg, bg;
  attr_t attr;       // with colours
  attr_t mono;       // without (NO_COLOR, or a terminal without colours)
};

constexpr Style kStyles[kRoleCount] = {
    /* Normal      */ {-1, -1, A_NORMAL, A_NORMAL},
    /* Dim         */ {-1, -1, A_DIM, A_DIM},
    /* Title       */ {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    /* Header      */ {COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_UNDERLINE},
    /* Border      */ {COLOR_BLUE, -1, A_NORMAL, A_DIM},
    /* Focus       */ {COLOR_BLACK, COLOR_GREEN, A_BOLD, A_REVERSE | A_BOLD},
    /* Selected    */ {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE | A_BOLD},
    /* SelectedDim */ {COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE},
    /* Error       */ {COLOR_RED, -1, A_BOLD, A_BOLD},
    /* Warning     */ {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
    /* Ok          */ {COLOR_GREEN, -1, A_NORMAL, A_NORMAL},
    /* Note        */ {COLOR_CYAN, -1, A_NORMAL, A_NORMAL},
    /* Key         */ {COLOR_CYAN, -1, A_BOLD, A_BOLD},
    /* Link        */ {COLOR_CYAN, -1, A_NORMAL, A_UNDERLINE},
    /* Match       */ {COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_UNDERLINE | A_BOLD},
    /* Shape       */ {COLOR_MAGENTA, -1, A_NORMAL, A_NORMAL},
    /* Status      */ {-1, -1, A_NORMAL, A_NORMAL},
    /* Prompt      */ {-1, -1, A_BOLD, A_BOLD},
};

}  // namespace

bool locale_is_utf8() {
  const char* cs = nl_langinfo(CODESET);
  return cs && (std::strcmp(cs, "UTF-8") == 0 || std::strcmp(cs, "utf8") == 0);
}

Terminal::Terminal(Options o) : opts_(o) {
  g_interrupted = 0;
  if (::tcgetattr(STDIN_FILENO, &g_saved) == 0) g_have_saved = true;
  // Installed before curses starts, so that curses keeps them (it installs
  // its own SIGINT/SIGTERM cleanup only where the default action is set);
  // it still handles SIGTSTP (Ctrl-Z suspends, fg redraws) and SIGWINCH.
  install_signals();
  initscr();
  cbreak();  // Ctrl-C and Ctrl-Z stay signals
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  curs_set(0);
  set_escdelay(25);
  if (opts_.color && has_colors()) {
    start_color();
    use_default_colors();
    for (int r = 0; r < kRoleCount; ++r) init_pair(static_cast<short>(r + 1), kStyles[r].fg, kStyles[r].bg);
  } else {
    opts_.color = false;
  }
  if (opts_.mouse) {
    mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, nullptr);
    mouseinterval(0);
  }
}

Terminal::~Terminal() {
  if (opts_.mouse) mousemask(0, nullptr);
  curs_set(1);
  endwin();
  restore_signals();
}

int Terminal::width() const { return COLS; }
int Terminal::height() const { return LINES; }

void Terminal::paint(const Canvas& c) {
  std::string run;
  int h = std::min(c.height(), LINES), w = std::min(c.width(), COLS);
  for (int y = 0; y < h; ++y) {
    int x = 0;
    while (x < w) {
      Role role = c.at(x, y).role;
      int start = x;
      run.clear();
      while (x < w && c.at(x, y).role == role) {
        run += c.at(x, y).glyph;  // the right half of a wide character is empty
        ++x;
      }
      int r = static_cast<int>(role);
      attr_t a = opts_.color ? (kStyles[r].attr | COLOR_PAIR(r + 1)) : kStyles[r].mono;
      attrset(a);
      mvaddstr(y, start, run.c_str());  // the bottom-right cell returns ERR after drawing: fine
    }
  }
  attrset(A_NORMAL);
  wnoutrefresh(stdscr);
  doupdate();
}

Event Terminal::next(int timeout_ms) {
  if (g_interrupted) return Event::of(Key::Interrupt);
  timeout(timeout_ms);
  wint_t ch = 0;
  int r = wget_wch(stdscr, &ch);
  if (g_interrupted) return Event::of(Key::Interrupt);
  if (r == ERR) return Event::of(Key::Tick);
  if (r == KEY_CODE_YES) {
    switch (ch) {
      case KEY_UP: return Event::of(Key::Up);
      case KEY_DOWN: return Event::of(Key::Down);
      case KEY_LEFT: return Event::of(Key::Left);
      case KEY_RIGHT: return Event::of(Key::Right);
      case KEY_PPAGE: return Event::of(Key::PageUp);
      case KEY_NPAGE: return Event::of(Key::PageDown);
      case KEY_HOME: return Event::of(Key::Home);
      case KEY_END: return Event::of(Key::End);
      case KEY_ENTER: return Event::of(Key::Enter);
      case KEY_BACKSPACE: return Event::of(Key::Backspace);
      case KEY_DC: return Event::of(Key::Delete);
      case KEY_BTAB: return Event::of(Key::BackTab);
      case KEY_RESIZE: {
        Event e = Event::of(Key::Resize);
        e.width = COLS;
        e.height = LINES;
        return e;
      }
      case KEY_MOUSE: {
        MEVENT m;
        if (getmouse(&m) != OK) return Event::of(Key::Tick);
        Event e = Event::of(Key::Mouse);
        e.x = m.x;
        e.y = m.y;
        if (m.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) e.button = Event::Button::Left;
        else if (m.bstate & BUTTON4_PRESSED) e.button = Event::Button::WheelUp;
#ifdef BUTTON5_PRESSED
        else if (m.bstate & BUTTON5_PRESSED) e.button = Event::Button::WheelDown;
#endif
        else return Event::of(Key::Tick);
        return e;
      }
      default: return Event::of(Key::Tick);
    }
  }
  switch (ch) {
    case '\r':
    case '\n': return Event::of(Key::Enter);
    case 27: return Event::of(Key::Escape);
    case '\t': return Event::of(Key::Tab);
    case 127:
    case 8: return Event::of(Key::Backspace);
    case 12: {  // Ctrl-L: repaint everything
      clearok(curscr, TRUE);
      Event e = Event::of(Key::Resize);
      e.width = COLS;
      e.height = LINES;
      return e;
    }
    default: return Event::chr(static_cast<char32_t>(ch));
  }
}

}  // namespace onnxscope::ui::term
