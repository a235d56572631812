#include "model/util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::util {
namespace {

int64_t mtime_ns(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

}  // namespace

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

std::shared_ptr<const MappedFile> MappedFile::map(int fd, uint64_t size, const std::string& what) {
  std::shared_ptr<MappedFile> m(new MappedFile());
  m->size_ = size;
  if (size == 0) return m;
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) fail("file-read", "{}: cannot map {}: {}", what, human_bytes(size), std::strerror(errno));
  m->data_ = static_cast<const std::byte*>(p);
  m->mapped_ = true;
  return m;
}

std::shared_ptr<const MappedFile> MappedFile::adopt(std::string data) {
  std::shared_ptr<MappedFile> m(new MappedFile());
  m->owned_ = std::move(data);
  m->data_ = reinterpret_cast<const std::byte*>(m->owned_.data());
  m->size_ = m->owned_.size();
  return m;
}

MappedFile::~MappedFile() {
  if (mapped_) ::munmap(const_cast<std::byte*>(data_), size_);
}

Fd open_user_file(const std::filesystem::path& p, FileId& id) {
  struct stat st {};
  // stat first: opening a FIFO or a device could block or have side effects.
  if (::stat(p.c_str(), &st) != 0) {
    fail("file-open", "{}: {}", printable(p.string()), std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) fail("file-type", "{}: is a folder, not a model file", printable(p.string()));
  if (!S_ISREG(st.st_mode)) fail("file-type", "{}: is not a regular file", printable(p.string()));
  Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd) fail("file-open", "{}: {}", printable(p.string()), std::strerror(errno));
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    fail("file-type", "{}: is not a regular file", printable(p.string()));
  }
  id = {st.st_dev, st.st_ino, static_cast<uint64_t>(st.st_size), mtime_ns(st)};
  return fd;
}

std::vector<std::string> normalize_relative(std::string_view location) {
  if (location.empty()) fail("external-path", "the location is empty");
  if (location.find('\0') != std::string_view::npos) {
    fail("external-path", "location {} contains a NUL byte", quote(location));
  }
  if (location.front() == '/') {
    fail("external-path", "location {} is an absolute path; external data must lie in the model's folder",
         quote(location));
  }
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= location.size()) {
    size_t slash = location.find('/', pos);
    if (slash == std::string_view::npos) slash = location.size();
    std::string_view part = location.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) {
        fail("external-path", "location {} escapes the model's folder through '..'", quote(location));
      }
      parts.pop_back();
      continue;
    }
    parts.emplace_back(part);
  }
  if (parts.empty()) fail("external-path", "location {} names the model's folder, not a file", quote(location));
  return parts;
}

Fd open_beneath(const std::filesystem::path& dir, const std::vector<std::string>& components,
                FileId& id) {
  Fd cur(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cur) fail("external-file", "cannot open the model's folder {}: {}", quote(dir.string()), std::strerror(errno));
  std::string walked;
  for (size_t i = 0; i < components.size(); ++i) {
    const std::string& c = components[i];
    walked += (i ? "/" : "") + c;
    bool last = i + 1 == components.size();
    struct stat st {};
    if (::fstatat(cur.get(), c.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      fail("external-file", "{}: {}", quote(walked), std::strerror(errno));
    }
    if (S_ISLNK(st.st_mode)) {
      fail("external-path", "{} is a symbolic link; onnxscope does not follow links out of the model's folder",
           quote(walked));
    }
    if (!last) {
      if (!S_ISDIR(st.st_mode)) fail("external-file", "{} is not a folder", quote(walked));
      Fd next(::openat(cur.get(), c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!next) fail("external-path", "{}: {}", quote(walked), std::strerror(errno));
      cur = std::move(next);
      continue;
    }
    if (!S_ISREG(st.st_mode)) fail("external-file", "{} is not a regular file", quote(walked));
    Fd f(::openat(cur.get(), c.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!f) fail("external-path", "{}: {}", quote(walked), std::strerror(errno));
    struct stat fst {};
    if (::fstat(f.get(), &fst) != 0 || !S_ISREG(fst.st_mode) || fst.st_dev != st.st_dev ||
        fst.st_ino != st.st_ino) {
      fail("external-path", "{} changed while it was being opened", quote(walked));
    }
    if (fst.st_nlink > 1) {
      fail("external-path", "{} has {} hard links; a hard-linked data file may be a file from outside "
           "the model's folder, so onnxscope refuses it", quote(walked), static_cast<uint64_t>(fst.st_nlink));
    }
    id = {fst.st_dev, fst.st_ino, static_cast<uint64_t>(fst.st_size), mtime_ns(fst)};
    return f;
  }
  fail("external-path", "empty location");
}

void prefault(const void* p, size_t n) {
  if (n == 0) return;
  const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = reinterpret_cast<uintptr_t>(p) & ~(page - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(p) + n;
#ifdef MADV_POPULATE_READ
  if (madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_READ) == 0) return;
#endif
  // Older kernels: touch a byte of every page.
  const volatile unsigned char* b = static_cast<const volatile unsigned char*>(p);
  unsigned char sink = 0;
  for (uintptr_t a = std::max(begin, reinterpret_cast<uintptr_t>(p)); a < end; a = (a + page) & ~(page - 1)) {
    sink ^= b[a - reinterpret_cast<uintptr_t>(p)];
  }
  (void)sink;
}

}  // namespace onnxscope::util
