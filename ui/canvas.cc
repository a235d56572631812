#include "ui/canvas.h"

#include <algorithm>
#include <cstdio>

namespace onnxscope::ui {
namespace {

// One step of decoding: the code point at s[i] and its length, or length 0
// for a byte that does not start valid UTF-8.
struct Decoded {
  char32_t cp = 0;
  size_t len = 0;
};

Decoded decode(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return {c, 1};
  size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return {};
  char32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};  // overlong, surrogate
  return {cp, n};
}

// Columns of a code point: East Asian wide and emoji take two; combining
// marks and other zero-width characters are refused (shown escaped), so that
// one code point is always one or two whole cells.
int cp_width(char32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return -1;  // control, C0 and C1
  if ((cp >= 0x300 && cp < 0x370) || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
      (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xAD ||
      (cp >= 0x1AB0 && cp < 0x1B00) || (cp >= 0x1DC0 && cp < 0x1E00) || (cp >= 0x20D0 && cp < 0x2100) ||
      (cp >= 0xE0000 && cp <= 0xE0FFF))
    return -1;
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
      (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD))
    return 2;
  return 1;
}

// Splits text into display units: (glyph bytes, columns).
template <typename F>
void each_glyph(std::string_view s, bool utf8, F&& f) {
  char esc[8];
  for (size_t i = 0; i < s.size();) {
    Decoded d = decode(s, i);
    int w = d.len ? cp_width(d.cp) : -1;
    if (w < 0) {
      // Escape every byte of what cannot be shown.
      size_t n = d.len ? d.len : 1;
      for (size_t k = 0; k < n; ++k) {
        std::snprintf(esc, sizeof esc, "\\x%02x", static_cast<unsigned char>(s[i + k]));
        for (int j = 0; j < 4; ++j) {
          if (!f(std::string_view(esc + j, 1), 1)) return;
        }
      }
      i += n;
      continue;
    }
    if (!utf8 && d.cp >= 0x80) {
      if (!f(std::string_view("?"), 1)) return;
    } else if (!f(s.substr(i, d.len), w)) {
      return;
    }
    i += d.len;
  }
}

constexpr Glyphs kUtf8{true, "─", "│", "┌", "┐", "└", "┘", "├", "┤", "→", "…", " › ", "•", "✗", "!", "✓", "·", "▸"};
constexpr Glyphs kAscii{false, "-", "|", "+", "+", "+", "+", "+", "+", "->", "~", " > ", "*", "X", "!", "o", ".", ">"};

}  // namespace

const Glyphs& Glyphs::get(bool utf8) { return utf8 ? kUtf8 : kAscii; }

int text_width(std::string_view s) {
  int w = 0;
  each_glyph(s, true, [&](std::string_view, int cw) {
    w += cw;
    return true;
  });
  return w;
}

std::string fit(std::string_view s, int width, bool utf8) {
  if (width <= 0) return {};
  if (text_width(s) <= width) return std::string(s);
  std::string out;
  int w = 0;
  std::string_view ell = Glyphs::get(utf8).ellipsis;
  each_glyph(s, true, [&](std::string_view g, int cw) {
    if (w + cw > width - 1) return false;
    out += g;
    w += cw;
    return true;
  });
  return out + std::string(ell);
}

Canvas::Canvas(int width, int height, bool utf8)
    : w_(std::max(width, 1)), h_(std::max(height, 1)), utf8_(utf8), cells_(static_cast<size_t>(w_) * h_) {}

void Canvas::clear() { std::fill(cells_.begin(), cells_.end(), Cell{}); }

void Canvas::set(int x, int y, std::string_view glyph, Role role) {
  if (x < 0 || y < 0 || x >= w_ || y >= h_) return;
  Cell& c = cells_[static_cast<size_t>(y) * w_ + x];
  c.glyph.assign(glyph);
  c.role = role;
}

int Canvas::put(int x, int y, std::string_view text, Role role, int max) {
  if (y < 0 || y >= h_) return x;
  int end = max < 0 ? w_ : std::min(w_, x + max);
  if (x >= end) return x;
  // Cut with an ellipsis when the text does not fit.
  bool cut = text_width(text) > end - x;
  int limit = cut ? end - 1 : end;
  int col = x;
  each_glyph(text, utf8_, [&](std::string_view g, int cw) {
    if (col + cw > limit) return false;
    if (col >= 0) {
      set(col, y, g, role);
      if (cw == 2) set(col + 1, y, "", role);
    }
    col += cw;
    return true;
  });
  if (cut && col < end) set(col++, y, glyphs().ellipsis, role);
  return col;
}

void Canvas::paint(int x, int y, int w, Role role) {
  if (y < 0 || y >= h_) return;
  for (int i = std::max(0, x); i < std::min(w_, x + w); ++i) cells_[static_cast<size_t>(y) * w_ + i].role = role;
}

void Canvas::fill(Rect r, Role role) {
  for (int y = r.y; y < r.y + r.h; ++y)
    for (int x = r.x; x < r.x + r.w; ++x) set(x, y, " ", role);
}

void Canvas::frame(Rect r, std::string_view title, bool focused) {
  if (r.w < 2 || r.h < 2) return;
  const Glyphs& g = glyphs();
  for (int x = r.x + 1; x < r.x + r.w - 1; ++x) {
    set(x, r.y, g.h, Role::Border);
    set(x, r.y + r.h - 1, g.h, Role::Border);
  }
  for (int y = r.y + 1; y < r.y + r.h - 1; ++y) {
    set(r.x, y, g.v, Role::Border);
    set(r.x + r.w - 1, y, g.v, Role::Border);
  }
  set(r.x, r.y, g.tl, Role::Border);
  set(r.x + r.w - 1, r.y, g.tr, Role::Border);
  set(r.x, r.y + r.h - 1, g.bl, Role::Border);
  set(r.x + r.w - 1, r.y + r.h - 1, g.br, Role::Border);
  if (!title.empty() && r.w > 6) {
    int x = put(r.x + 1, r.y, " ", Role::Border);
    x = put(x, r.y, title, focused ? Role::Focus : Role::Header, r.w - 4);
    put(x, r.y, " ", Role::Border);
  }
}

std::string Canvas::text() const {
  std::string out;
  for (int y = 0; y < h_; ++y) {
    std::string line;
    for (int x = 0; x < w_; ++x) line += at(x, y).glyph;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string Canvas::roles() const {
  static constexpr char kLetters[] = "ndthbfsSEWONklmxpP";
  std::string out;
  for (int y = 0; y < h_; ++y) {
    for (int x = 0; x < w_; ++x) out += kLetters[static_cast<int>(at(x, y).role)];
    out += "\n";
  }
  return out;
}

int put_spans(Canvas& c, int x, int y, const Spans& spans, int max) {
  int end = x + max;
  for (const auto& s : spans) {
    if (x >= end) break;
    x = c.put(x, y, s.text, s.role, end - x);
  }
  return x;
}

}  // namespace onnxscope::ui
