#include "model/load/loader.h"

#include <algorithm>
#include <cstring>

#include "model/load/decode.h"
#include "model/util/error.h"
#include "model/util/file.h"
#include "model/util/text.h"

namespace onnxscope::load {

// Implemented in text.cc (the ONNX text-format parser needs onnx's protobuf types).
std::string text_to_model_bytes(std::string_view text);

namespace {

bool starts_with(std::span<const uint8_t> b, std::string_view s) {
  return b.size() >= s.size() && std::memcmp(b.data(), s.data(), s.size()) == 0;
}

bool looks_like_text(std::span<const uint8_t> head) {
  if (head.empty()) return false;
  for (uint8_t c : head) {
    if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) return false;
  }
  return true;
}

std::string_view first_token(std::span<const uint8_t> b) {
  size_t i = 0;
  while (i < b.size() && std::isspace(b[i])) ++i;
  return {reinterpret_cast<const char*>(b.data()) + i, b.size() - i};
}

bool is_text_path(const std::filesystem::path& p) {
  auto ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".onnxtxt" || ext == ".onnxtext";
}

// Files people mistake for ONNX models, recognised by their first bytes.
void sniff(std::span<const uint8_t> head, uint64_t size) {
  if (starts_with(head, "version https://git-lfs.github.com/spec/")) {
    std::string_view text(reinterpret_cast<const char*>(head.data()), head.size());
    std::string object;
    if (auto at = text.find("\nsize "); at != std::string_view::npos) {
      uint64_t n = 0;
      for (size_t i = at + 6; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
        n = n * 10 + static_cast<uint64_t>(text[i] - '0');
      }
      object = fmt::format(" to a {} object", util::human_bytes(n));
    }
    fail("git-lfs-pointer", "this is a Git LFS pointer file{} ({} bytes), not the model: the model itself was "
         "never downloaded. Run 'git lfs pull' in its repository (or 'git lfs install' first, then clone again)",
         object, size);
  }
  std::string_view text(reinterpret_cast<const char*>(head.data()), head.size());
  if (size < 1024 && looks_like_text(head) && text.find("/annex/objects/") != std::string_view::npos) {
    fail("git-annex-pointer", "this is a git-annex pointer ({} bytes), not the model; run 'git annex get' on it",
         size);
  }
  if (starts_with(head, "PK\x03\x04")) {
    fail("not-onnx", "this is a zip archive, not an ONNX model. PyTorch checkpoints (torch.save, .pt/.pth) are zip "
         "archives: load the module in Python and export it with torch.onnx.export");
  }
  if (head.size() >= 2 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5) {
    fail("not-onnx", "this is a Python pickle (e.g. a legacy torch.save checkpoint), not an ONNX model; export the "
         "module with torch.onnx.export");
  }
  if (starts_with(head, "\x89HDF\r\n\x1a\n")) fail("not-onnx", "this is an HDF5 file (e.g. a Keras model), not an ONNX model");
  if (head.size() >= 8 && std::memcmp(head.data() + 4, "TFL3", 4) == 0) {
    fail("not-onnx", "this is a TensorFlow Lite model, not an ONNX model");
  }
  if (starts_with(head, "\x1f\x8b")) fail("not-onnx", "this file is gzip-compressed; decompress it first (gunzip)");
  if (head.size() > 9 && head[8] == '{' && head[9] == '"') {
    uint64_t n = 0;
    std::memcpy(&n, head.data(), 8);
    if (n + 8 <= size) fail("not-onnx", "this is a safetensors weights file, not an ONNX model");
  }
}

std::unique_ptr<ir::Model> decode_and_build(std::shared_ptr<const util::MappedFile> buffer, const LoadOptions& opts,
                                            std::filesystem::path data_dir) {
  auto model = std::make_unique<ir::Model>();
  model->buffer = buffer;
  model->file_size = buffer->size();
  Decoder dec({buffer->data(), buffer->size()}, opts, *model, std::move(data_dir));
  dec.decode_model();
  build_model(*model, dec);
  return model;
}

}  // namespace

std::unique_ptr<ir::Model> load_model_bytes(std::string bytes, const LoadOptions& opts) {
  auto buffer = util::MappedFile::adopt(std::move(bytes));
  if (buffer->size() == 0) fail("empty-file", "the model is empty (0 bytes)");
  if (buffer->size() > kMaxModelFileBytes) fail("file-too-large", "the model is 2 GiB or larger");
  return decode_and_build(buffer, opts, opts.data_dir.empty() ? "." : opts.data_dir);
}

TensorFile load_tensor_file(const std::filesystem::path& path, const LoadOptions& opts) {
  util::FileId id;
  util::Fd fd = util::open_user_file(path, id);
  if (id.size > kMaxModelFileBytes) fail("file-too-large", "the tensor file is 2 GiB or larger");
  TensorFile out;
  out.holder = std::make_unique<ir::Model>();
  std::shared_ptr<const util::MappedFile> map =
      id.size ? util::MappedFile::map(fd.get(), id.size, "the tensor file") : util::MappedFile::adopt(std::string());
  out.holder->buffer = map;
  out.holder->file_size = map->size();
  std::filesystem::path dir = opts.data_dir.empty() ? path.parent_path() : opts.data_dir;
  Decoder dec({map->data(), map->size()}, opts, *out.holder, dir.empty() ? "." : dir);
  dec.decode_tensor(out.tensor);
  return out;
}

ValueFile load_value_file(const std::filesystem::path& path, ValueProto::Kind kind, const LoadOptions& opts) {
  if (kind == ValueProto::Kind::Tensor) {
    TensorFile t = load_tensor_file(path, opts);
    ValueFile out;
    out.holder = std::move(t.holder);
    out.value.name = t.tensor.name;
    out.value.tensor = std::move(t.tensor);
    return out;
  }
  util::FileId id;
  util::Fd fd = util::open_user_file(path, id);
  if (id.size > kMaxModelFileBytes) fail("file-too-large", "the value file is 2 GiB or larger");
  ValueFile out;
  out.holder = std::make_unique<ir::Model>();
  std::shared_ptr<const util::MappedFile> map =
      id.size ? util::MappedFile::map(fd.get(), id.size, "the value file") : util::MappedFile::adopt(std::string());
  out.holder->buffer = map;
  out.holder->file_size = map->size();
  std::filesystem::path dir = opts.data_dir.empty() ? path.parent_path() : opts.data_dir;
  Decoder dec({map->data(), map->size()}, opts, *out.holder, dir.empty() ? "." : dir);
  out.value.kind = kind;
  dec.decode_value(out.value);
  return out;
}

std::unique_ptr<ir::Model> load_model_text(std::string_view text, const LoadOptions& opts) {
  auto model = load_model_bytes(text_to_model_bytes(text), opts);
  model->format = ir::ModelFormat::Text;
  return model;
}

std::unique_ptr<ir::Model> load_model(const std::filesystem::path& path, const LoadOptions& opts) {
  util::FileId id;
  util::Fd fd = util::open_user_file(path, id);
  if (id.size == 0) fail("empty-file", "the file is empty (0 bytes)");
  std::filesystem::path dir = opts.data_dir.empty() ? path.parent_path() : opts.data_dir;
  if (dir.empty()) dir = ".";

  bool text = is_text_path(path);
  if (!text && id.size > kMaxModelFileBytes) {
    fail("file-too-large", "the file is {} ({} bytes); a protobuf message cannot reach 2 GiB, so neither "
         "onnxruntime nor onnx can load it. Keep the weights outside the model file: "
         "onnx.save_model(model, path, save_as_external_data=True), or torch.onnx.export(..., "
         "external_data=True) in recent PyTorch", util::human_bytes(id.size), id.size);
  }
  std::shared_ptr<const util::MappedFile> map;
  if (!text || id.size <= kMaxTextModelBytes) map = util::MappedFile::map(fd.get(), id.size, "the model");
  auto head = map ? std::span<const uint8_t>(map->data(), std::min<uint64_t>(map->size(), 1024))
                  : std::span<const uint8_t>();
  if (!text) {
    sniff(head, id.size);
    text = !first_token(head).empty() && first_token(head).front() == '<';
  }
  std::unique_ptr<ir::Model> model;
  if (text) {
    if (id.size > kMaxTextModelBytes) {
      fail("file-too-large", "the text-format model is {}; onnxscope parses text models up to {}",
           util::human_bytes(id.size), util::human_bytes(kMaxTextModelBytes));
    }
    std::string_view src(reinterpret_cast<const char*>(map->data()), map->size());
    model = decode_and_build(util::MappedFile::adopt(text_to_model_bytes(src)), opts, dir);
    model->format = ir::ModelFormat::Text;
  } else {
    try {
      model = decode_and_build(map, opts, dir);
    } catch (const Error& e) {
      if (e.code() == "not-onnx" && looks_like_text(head)) {
        throw Error(e.code(), std::string(e.what()) + "; the file looks like text (an ONNX text-format model "
                    "must start with '<' or be named *.onnxtxt)");
      }
      throw;
    }
  }
  model->path = path;
  model->dir = dir;
  model->file_size = id.size;
  return model;
}

}  // namespace onnxscope::load
