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
}

}  // namespace onnxscope::ui
