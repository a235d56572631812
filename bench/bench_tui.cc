// onnxscope_bench_tui MODEL [WIDTHxHEIGHT]: how the terminal inspector feels
// on a large model (docs/performance.md). Times the first frame (load,
// analysis, check and the render into a canvas) and each key with its
// render: move, page, search, next diagnostic. Prints peak memory.
// Painting on a terminal is left out: curses sends only the changed cells.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "model/analysis/check.h"
#include "model/analysis/infer.h"
#include "model/load/loader.h"
#include "model/ops/support.h"
#include "model/session/session.h"
#include "ui/app.h"

namespace {

using namespace onnxscope;
using Clock = std::chrono::steady_clock;

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Timing {
  std::vector<double> samples;
  void add(double v) { samples.push_back(v); }
  void print(const char* what) {
    std::sort(samples.begin(), samples.end());
    double sum = 0;
    for (double v : samples) sum += v;
    std::printf("  %-28s %6zu keys  mean %7.3f ms  p50 %7.3f  p99 %7.3f  max %7.3f\n", what, samples.size(),
                sum / samples.size(), samples[samples.size() / 2], samples[samples.size() * 99 / 100], samples.back());
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: onnxscope_bench_tui MODEL [WIDTHxHEIGHT]\n");
    return 2;
  }
  int w = 120, h = 40;
  if (argc > 2) std::sscanf(argv[2], "%dx%d", &w, &h);
  auto t0 = Clock::now();
  auto model = load::load_model(argv[1]);
  auto t_load = Clock::now();
  auto tables = ops::SupportTables::open(session::share_dir() / "ort");
  ui::Engine e;
  e.infer = [&](const analysis::InferOptions& o) { return analysis::infer(*model, o); };
  e.check = [&](const analysis::Analysis& a, size_t i) { return analysis::check(a, tables.at(i), tables); };
  ui::Document doc(*model, tables, e);
  doc.display_path = argv[1];
  doc.analyze({}, tables.size() - 1);
  auto t_analysis = Clock::now();
  ui::App app(doc, {});
  ui::Canvas c(w, h, true);
  app.render(c);
  auto t_frame = Clock::now();
  std::printf("model %s: %zu nodes in the main graph, canvas %dx%d\n", argv[1], model->graph->nodes.size(), w, h);
  std::printf("  first frame                  %7.1f ms  (load %.1f, analysis and check %.1f, render %.1f)\n",
              ms(t_frame - t0), ms(t_load - t0), ms(t_analysis - t_load), ms(t_frame - t_analysis));

  auto key = [&](ui::Event ev) {
    auto s = Clock::now();
    app.handle(ev);
    app.render(c);
    return ms(Clock::now() - s);
  };
  auto chr = [](char ch) { return ui::Event::chr(static_cast<unsigned char>(ch)); };
  // The keys twice: while the other releases are checked on the worker
  // thread (the first seconds after opening), and after.
  auto keys = [&](const char* when) {
    Timing move, page, search, next, diag, detail;
    key(chr('1'));  // the node list, focused
    for (int i = 0; i < 2000; ++i) move.add(key(chr('j')));
    for (int i = 0; i < 300; ++i) page.add(key(ui::Event::of(ui::Key::PageDown)));
    key(chr('g'));
    // Incremental search: every typed character searches again.
    key(chr('/'));
    for (char ch : std::string("layers.500/attn/MatMul")) search.add(key(chr(ch)));
    key(ui::Event::of(ui::Key::Enter));
    for (int i = 0; i < 300; ++i) next.add(key(chr('n')));
    for (int i = 0; i < 300; ++i) diag.add(key(chr('e')));
    key(chr('1'));
    key(ui::Event::of(ui::Key::Tab));
    for (int i = 0; i < 300; ++i) detail.add(key(chr('j')));
    std::printf("  keys %s:\n", when);
    move.print("move (j)");
    page.print("page (PgDn)");
    search.print("search, per typed char");
    next.print("next match (n)");
    diag.print("next diagnostic (e)");
    detail.print("move in the node detail");
  };
  keys("while the release matrix is computed");
  auto s = Clock::now();
  doc.wait_releases();
  std::printf("  release matrix (background)  %7.1f ms after the keys above, for %zu releases\n", ms(Clock::now() - s),
              tables.size());
  keys("after");
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf("  peak memory                  %7.1f MiB\n", ru.ru_maxrss / 1024.0);
  (void)model.release();
  return 0;
}
