// File access for untrusted models: bounded reads, read-only mappings, and
// opening data files beneath a folder without following links.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace onnxscope::util {

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }
  int release() { int f = fd_; fd_ = -1; return f; }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileId&) const = default;
};

// A read-only private mapping of a whole file. Pages are read on first touch,
// so mapping a large file costs address space, not memory.
class MappedFile {
 public:
  // Maps the file behind `fd`, which must be a regular file of `size` bytes.
  static std::shared_ptr<const MappedFile> map(int fd, uint64_t size, const std::string& what);
  // Owns `data` instead of a mapping (text-format models, tests).
  static std::shared_ptr<const MappedFile> adopt(std::string data);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::byte> bytes() const { return {data_, size_}; }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(data_); }
  uint64_t size() const { return size_; }

 private:
  MappedFile() = default;
  const std::byte* data_ = nullptr;
  uint64_t size_ = 0;
  bool mapped_ = false;
  std::string owned_;
};

// Opens a model file the user named (links allowed: the user chose the path).
// Throws Error "file-open" / "file-type" naming the path.
Fd open_user_file(const std::filesystem::path& p, FileId& id);

// Splits an external-data location into normal path components, resolving
// "." and ".." lexically. Throws Error "external-path" when the location is
// empty, absolute, contains a NUL byte or climbs out of the folder.
// Reads [p, p + n) of a mapping in now (one madvise where the kernel has
// MADV_POPULATE_READ, else a byte per page), so that its page faults are
// taken here and not by whoever reads it next. A no-op for n == 0.
void prefault(const void* p, size_t n);

std::vector<std::string> normalize_relative(std::string_view location);

// Opens `components` beneath folder `dir` without following a symbolic link in
// any component, refusing anything but a regular file with one link.
// Throws Error "external-path" / "external-file".
Fd open_beneath(const std::filesystem::path& dir, const std::vector<std::string>& components,
                FileId& id);

}  // namespace onnxscope::util
