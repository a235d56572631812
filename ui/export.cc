// The `x` export: the current analysis as check's Markdown report, written
// the way every file onnxscope writes is: to a temporary file in the same
// folder, then renamed into place.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "ui/app.h"
#include "model/util/error.h"

namespace onnxscope::ui {

void App::export_report(const std::string& path) {
  message_role_ = Role::Error;
  if (path.empty()) return;
  if (!doc.engine.markdown) {
    message_ = "export is not available";
    return;
  }
  std::string text = doc.engine.markdown(doc.result());
  // A temporary file in the same folder, renamed into place: a reader never
  // sees half a report, and an existing file is replaced whole or not at all.
  std::filesystem::path target(path);
  std::filesystem::path dir = target.parent_path().empty() ? "." : target.parent_path();
  std::string tmpl = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    message_ = fmt::format("cannot write in {}: {}", fit(dir.string(), 40, opts.utf8), std::strerror(errno));
    return;
  }
  size_t off = 0;
  bool ok = true;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    off += static_cast<size_t>(n);
  }
  ::fchmod(fd, 0644);
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(tmpl.c_str(), target.c_str()) != 0) {
    message_ = fmt::format("cannot write {}: {}", fit(path, 40, opts.utf8), std::strerror(errno));
    ::unlink(tmpl.c_str());
    return;
  }
  message_ = fmt::format("wrote {} ({} bytes)", fit(path, 50, opts.utf8), text.size());
  message_role_ = Role::Ok;
  export_repro(target);
}

// Beside the report, the repro of the failure shown: the selected node's
// error when it has one, else the first error of the main graph. The folder
// is the report's name without its extension and "-repro"
// (report.md -> report-repro/).
void App::export_repro(const std::filesystem::path& report) {
  if (!doc.engine.repro) return;
  const Result& r = doc.result();
  const ir::Graph& main = *doc.model.graph;
  const analysis::Diagnostic* pick = nullptr;
  auto sel = selected();
  for (const auto& d : r.check.diagnostics) {
    if (d.severity != analysis::Severity::Error || !d.node || d.node.graph != &main) continue;
    if (!pick) pick = &d;
    if (&graph() == &main && sel && d.node.node == *sel) {
      pick = &d;
      break;
    }
  }
  if (!pick) return;
  std::filesystem::path dir = report.parent_path() / (report.stem().string() + "-repro");
  const std::string node(pick->node.get().name);
  try {
    std::string what = doc.engine.repro(r, node, dir.string());
    message_ += fmt::format(", and the repro of {} in {}/ ({})", fit(node, 30, opts.utf8),
                            fit(dir.string(), 40, opts.utf8), what);
  } catch (const Error& e) {
    message_ += fmt::format("; no repro of {}: {}", fit(node, 30, opts.utf8), e.what());
  }
}

}  // namespace onnxscope::ui
