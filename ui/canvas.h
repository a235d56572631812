// A grid of styled cells that view-models draw into. It knows nothing of
// curses: ui/term paints it on a terminal, tests compare its text. Styles are
// roles (what the text is), not colours; the terminal adapter maps roles to
// colours, or to bold/reverse/underline under NO_COLOR.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onnxscope::ui {

enum class Role : uint8_t {
  Normal,
  Dim,        // secondary text: shapes' punctuation, counts, hints
  Title,      // the title bar
  Header,     // column headings, section titles
  Border,     // pane frames
  Focus,      // the frame title of the focused pane
  Selected,   // the selected row of the focused pane
  SelectedDim,// the selected row of a pane without focus
  Error,
  Warning,
  Ok,
  Note,
  Key,        // key names in hints and help
  Link,       // something Enter jumps to
  Match,      // search matches
  Shape,      // dtypes and shapes
  Status,     // the bottom status line
  Prompt,     // a text prompt being edited
};
inline constexpr int kRoleCount = static_cast<int>(Role::Prompt) + 1;

// Glyphs for frames, marks and trees: box-drawing characters and UTF-8 marks,
// or plain ASCII where the terminal has no UTF-8 (LANG=C, --ascii).
struct Glyphs {
  bool utf8 = true;
  std::string_view h, v, tl, tr, bl, br, tee_l, tee_r;  // frame
  std::string_view arrow, ellipsis, crumb, bullet;
  std::string_view mark_error, mark_warning, mark_ok, mark_note, mark_sub;
  static const Glyphs& get(bool utf8);
};

struct Cell {
  std::string glyph = " ";  // one character (UTF-8); "" for the right half of a wide one
  Role role = Role::Normal;
  bool operator==(const Cell&) const = default;
};

struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
  bool contains(int px, int py) const { return px >= x && py >= y && px < x + w && py < y + h; }
};

// Columns a string takes on a terminal once made safe (see Canvas::put).
int text_width(std::string_view s);
// `s` cut to `width` columns, ending in an ellipsis when cut.
std::string fit(std::string_view s, int width, bool utf8 = true);

class Canvas {
 public:
  Canvas(int width, int height, bool utf8 = true);
  int width() const { return w_; }
  int height() const { return h_; }
  bool utf8() const { return utf8_; }
  const Glyphs& glyphs() const { return Glyphs::get(utf8_); }

  void clear();
  const Cell& at(int x, int y) const { return cells_[static_cast<size_t>(y) * w_ + x]; }
  void set(int x, int y, std::string_view glyph, Role role);
  // Writes `text` from (x, y), at most `max` columns (to the right edge when
  // negative), and returns the column after it. Text is made safe here, so
  // nothing a model names can reach the terminal as a control sequence:
  // control bytes and invalid UTF-8 become \xNN, characters that are not
  // ASCII become '?' without UTF-8, and text cut short ends in an ellipsis.
  int put(int x, int y, std::string_view text, Role role, int max = -1);
  // Sets the role of `w` cells from (x, y), keeping their glyphs.
  void paint(int x, int y, int w, Role role);
  void fill(Rect r, Role role);
  // A frame around `r` with a title on its top edge.
  void frame(Rect r, std::string_view title, bool focused);

  // The text, one line per row, trailing spaces removed (for tests).
  std::string text() const;
  // Roles as one letter per cell (for tests that check highlighting).
  std::string roles() const;

 private:
  int w_, h_;
  bool utf8_;
  std::vector<Cell> cells_;
};

// A run of text with one role; a line is a list of spans.
struct Span {
  std::string text;
  Role role = Role::Normal;
};
using Spans = std::vector<Span>;
// Writes spans from (x, y) within `max` columns; returns the column after.
int put_spans(Canvas& c, int x, int y, const Spans& spans, int max);

}  // namespace onnxscope::ui
