#include "model/exec/feeds.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <cerrno>
#include <cstdio>
#include <random>

#include "model/exec/run.h"
#include "model/load/loader.h"
#include "model/load/write.h"
#include "model/util/error.h"
#include "model/util/file.h"
#include "model/util/text.h"

namespace onnxscope::exec {

namespace {

using value::Tensor;

std::shared_ptr<const util::MappedFile> map_file(const std::filesystem::path& path) {
  util::FileId id;
  util::Fd fd = util::open_user_file(path, id);
  if (id.size > kMaxFeedBytes) {
    fail("feed-file", "{}: {} is larger than the {} a feed may take", path.string(), util::human_bytes(id.size),
         util::human_bytes(kMaxFeedBytes));
  }
  if (id.size == 0) return util::MappedFile::adopt(std::string());
  return util::MappedFile::map(fd.get(), id.size, "feed " + path.string());
}

std::string_view view(const util::MappedFile& f) {
  return {reinterpret_cast<const char*>(f.data()), f.size()};
}

// The value of `key` in a numpy header dict ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }").
std::string header_value(std::string_view h, std::string_view key) {
  std::string k = fmt::format("'{}':", key);
  size_t at = h.find(k);
  if (at == std::string_view::npos) return {};
  size_t p = at + k.size();
  while (p < h.size() && h[p] == ' ') ++p;
  if (p < h.size() && h[p] == '(') return std::string(h.substr(p, h.find(')', p) - p + 1));
  if (p < h.size() && h[p] == '\'') return std::string(h.substr(p + 1, h.find('\'', p + 1) - p - 1));
  size_t e = h.find_first_of(",}", p);
  return std::string(h.substr(p, e - p));
}

struct Descr {
  DType dtype;
  size_t size;
  bool swap;
  bool unicode = false;  // '<U8': fixed-width UTF-32 strings
};

Descr parse_descr(const std::string& d, const std::string& where) {
  if (d.size() < 3) fail("feed-file", "{}: numpy element type {} is not understood", where, util::quote(d));
  char order = d[0], kind = d[1];
  size_t size = 0;
  for (char c : d.substr(2)) {
    if (c < '0' || c > '9') fail("feed-file", "{}: numpy element type {} is not understood", where, util::quote(d));
    size = size * 10 + size_t(c - '0');
    if (size > 1 << 20) fail("feed-file", "{}: numpy element type {} is too wide", where, util::quote(d));
  }
  bool swap = order == '>' && size > 1;
  if (kind == 'U') return {DType::String, size * 4, swap, true};
  DType t = DType::Undefined;
  if (kind == 'f' && size == 4) t = DType::Float32;
  if (kind == 'f' && size == 8) t = DType::Float64;
  if (kind == 'f' && size == 2) t = DType::Float16;
  if (kind == 'i' && size == 1) t = DType::Int8;
  if (kind == 'i' && size == 2) t = DType::Int16;
  if (kind == 'i' && size == 4) t = DType::Int32;
  if (kind == 'i' && size == 8) t = DType::Int64;
  if (kind == 'u' && size == 1) t = DType::UInt8;
  if (kind == 'u' && size == 2) t = DType::UInt16;
  if (kind == 'u' && size == 4) t = DType::UInt32;
  if (kind == 'u' && size == 8) t = DType::UInt64;
  if (kind == 'b' && size == 1) t = DType::Bool;
  if (t == DType::Undefined) {
    fail("feed-file", "{}: numpy element type {} has no ONNX tensor type onnxscope computes with", where,
         util::quote(d));
  }
  return {t, size, swap};
}

std::vector<int64_t> parse_shape(const std::string& s, const std::string& where) {
  std::vector<int64_t> out;
  if (s.size() < 2 || s.front() != '(') fail("feed-file", "{}: numpy shape {} is not understood", where, util::quote(s));
  int64_t v = -1;
  for (char c : s.substr(1)) {
    if (c >= '0' && c <= '9') {
      v = (v < 0 ? 0 : v) * 10 + (c - '0');
      if (v > (int64_t{1} << 48)) fail("feed-file", "{}: numpy shape {} is too large", where, util::quote(s));
    } else if (c == ',' || c == ')') {
      if (v >= 0) out.push_back(v);
      v = -1;
    } else if (c != ' ') {
      fail("feed-file", "{}: numpy shape {} is not understood", where, util::quote(s));
    }
  }
  return out;
}

}  // namespace

Tensor parse_npy(std::string_view b, const std::string& where) {
  if (b.size() < 10 || b.substr(0, 6) != "\x93NUMPY") fail("feed-file", "{}: not a numpy .npy file", where);
  int major = static_cast<unsigned char>(b[6]);
  size_t hlen, start;
  if (major == 1) {
    hlen = static_cast<unsigned char>(b[8]) | size_t(static_cast<unsigned char>(b[9])) << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) fail("feed-file", "{}: the .npy header is cut short", where);
    hlen = 0;
    for (int i = 3; i >= 0; --i) hlen = hlen << 8 | static_cast<unsigned char>(b[8 + i]);
    start = 12;
  } else {
    fail("feed-file", "{}: .npy format version {} is not known", where, major);
  }
  if (hlen > b.size() - start) fail("feed-file", "{}: the .npy header is cut short", where);
  std::string_view h = b.substr(start, hlen);
  Descr d = parse_descr(header_value(h, "descr"), where);
  if (header_value(h, "fortran_order") == "True") {
    fail("feed-file", "{}: the array is in Fortran order; save it with np.ascontiguousarray first", where);
  }
  std::vector<int64_t> shape = parse_shape(header_value(h, "shape"), where);
  auto count = value::element_count(shape);
  std::string_view data = b.substr(start + hlen);
  if (!count || *count > data.size() / std::max<size_t>(d.size, 1) + (d.size == 0)) {
    fail("feed-file", "{}: the header promises [{}] of {}-byte elements, the file holds {} bytes of data", where,
         fmt::join(shape, ","), d.size, data.size());
  }
  Tensor t(d.dtype, shape);
  if (d.unicode) {
    // UTF-32 code points, zero-padded, to UTF-8.
    size_t chars = d.size / 4;
    for (uint64_t i = 0; i < *count; ++i) {
      std::string s;
      for (size_t c = 0; c < chars; ++c) {
        const auto* p = reinterpret_cast<const unsigned char*>(data.data() + (i * chars + c) * 4);
        uint32_t cp = d.swap ? (uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3])
                             : (uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0]);
        if (cp == 0) break;
        if (cp < 0x80) s += char(cp);
        else if (cp < 0x800) s += char(0xC0 | cp >> 6), s += char(0x80 | (cp & 0x3F));
        else if (cp < 0x10000) s += char(0xE0 | cp >> 12), s += char(0x80 | (cp >> 6 & 0x3F)), s += char(0x80 | (cp & 0x3F));
        else s += char(0xF0 | cp >> 18), s += char(0x80 | (cp >> 12 & 0x3F)), s += char(0x80 | (cp >> 6 & 0x3F)), s += char(0x80 | (cp & 0x3F));
      }
      t.data<std::string>()[i] = std::move(s);
    }
    return t;
  }
  auto* out = static_cast<unsigned char*>(t.raw_mut());
  std::memcpy(out, data.data(), *count * d.size);
  if (d.swap) {
    for (uint64_t i = 0; i < *count; ++i) std::reverse(out + i * d.size, out + (i + 1) * d.size);
  }
  if (d.dtype == DType::Bool) {
    for (uint64_t i = 0; i < *count; ++i) out[i] = out[i] != 0;
  }
  return t;
}

Tensor read_npy(const std::filesystem::path& path) {
  auto f = map_file(path);
  return parse_npy(view(*f), path.string());
}

namespace {

uint32_t u32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(b[at + i]);
  return v;
}
uint16_t u16(std::string_view b, size_t at) {
  return uint16_t(static_cast<unsigned char>(b[at]) | static_cast<unsigned char>(b[at + 1]) << 8);
}

}  // namespace

std::map<std::string, Tensor> read_npz(const std::filesystem::path& path) {
  auto f = map_file(path);
  std::string_view b = view(*f);
  std::string where = path.string();
  // The end-of-central-directory record: within the last 64 KiB + 22 bytes.
  size_t eocd = std::string_view::npos;
  for (size_t i = b.size() >= 22 ? b.size() - 22 : 0; b.size() >= 22; --i) {
    if (u32(b, i) == 0x06054b50) {
      eocd = i;
      break;
    }
    if (i == 0 || b.size() - i > 65557) break;
  }
  if (eocd == std::string_view::npos) fail("feed-file", "{}: not an .npz (zip) archive", where);
  uint16_t entries = u16(b, eocd + 10);
  size_t cd = u32(b, eocd + 16);
  std::map<std::string, Tensor> out;
  for (uint16_t e = 0; e < entries; ++e) {
    if (cd + 46 > b.size() || u32(b, cd) != 0x02014b50) fail("feed-file", "{}: the zip directory is damaged", where);
    uint16_t method = u16(b, cd + 10);
    uint64_t csize = u32(b, cd + 20), usize = u32(b, cd + 24);
    uint16_t nlen = u16(b, cd + 28), xlen = u16(b, cd + 30), clen = u16(b, cd + 32);
    size_t local = u32(b, cd + 42);
    if (cd + 46 + nlen > b.size()) fail("feed-file", "{}: the zip directory is damaged", where);
    std::string name(b.substr(cd + 46, nlen));
    cd += 46 + nlen + xlen + clen;
    if (local + 30 > b.size() || u32(b, local) != 0x04034b50) fail("feed-file", "{}: entry {} is damaged", where, name);
    size_t data = local + 30 + u16(b, local + 26) + u16(b, local + 28);
    if (csize == 0xFFFFFFFF || usize == 0xFFFFFFFF) {
      fail("feed-file", "{}: entry {} is a zip64 entry, larger than onnxscope reads", where, name);
    }
    if (data > b.size() || csize > b.size() - data) fail("feed-file", "{}: entry {} is cut short", where, name);
    if (usize > kMaxFeedBytes) fail("feed-file", "{}: entry {} is larger than a feed may take", where, name);
    std::string_view raw = b.substr(data, csize);
    std::string inflated;
    if (method == 8) {
      inflated.resize(usize);
      z_stream z{};
      if (inflateInit2(&z, -MAX_WBITS) != Z_OK) fail("feed-file", "{}: cannot inflate {}", where, name);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
      z.avail_in = static_cast<uInt>(raw.size());
      z.next_out = reinterpret_cast<Bytef*>(inflated.data());
      z.avail_out = static_cast<uInt>(inflated.size());
      int rc = inflate(&z, Z_FINISH);
      inflateEnd(&z);
      if (rc != Z_STREAM_END || z.total_out != usize) fail("feed-file", "{}: entry {} does not inflate", where, name);
      raw = inflated;
    } else if (method != 0) {
      fail("feed-file", "{}: entry {} uses zip compression method {}; np.savez and np.savez_compressed use 0 and 8",
           where, name, method);
    }
    if (name.size() > 4 && name.substr(name.size() - 4) == ".npy") name.resize(name.size() - 4);
    out[name] = parse_npy(raw, where + ":" + name);
  }
  return out;
}

namespace {

std::string descr_of(DType t) {
  switch (t) {
    case DType::Float32: return "<f4";
    case DType::Float64: return "<f8";
    case DType::Float16: return "<f2";
    case DType::Int8: return "|i1";
    case DType::Int16: return "<i2";
    case DType::Int32: return "<i4";
    case DType::Int64: return "<i8";
    case DType::UInt8: return "|u1";
    case DType::UInt16: return "<u2";
    case DType::UInt32: return "<u4";
    case DType::UInt64: return "<u8";
    case DType::Bool: return "|b1";
    default: break;
  }
  fail("write", "{} tensors have no numpy element type", dtype_name(t));
}

void put16(std::string& b, uint32_t v) { b += char(v & 0xFF), b += char(v >> 8 & 0xFF); }
void put32(std::string& b, uint32_t v) { put16(b, v & 0xFFFF), put16(b, v >> 16); }

std::u32string utf32(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : c & (0x3F >> (n - 1));
    for (int k = 1; k < n && i + size_t(k) < s.size(); ++k) cp = cp << 6 | (static_cast<unsigned char>(s[i + size_t(k)]) & 0x3F);
    out += cp;
    i += size_t(n);
  }
  return out;
}

}  // namespace

std::string npy_bytes(const Tensor& t) {
  // numpy's spelling: (), (3,), (2, 3)
  std::string shape = t.rank() == 1 ? fmt::format("({},)", t.dim(0)) : fmt::format("({})", fmt::join(t.shape(), ", "));
  std::string data, descr;
  if (t.dtype() == DType::String) {
    size_t width = 1;
    std::vector<std::u32string> u;
    for (uint64_t i = 0; i < t.count(); ++i) {
      u.push_back(utf32(t.data<std::string>()[i]));
      width = std::max(width, u.back().size());
    }
    descr = fmt::format("<U{}", width);
    for (const auto& s : u) {
      for (size_t k = 0; k < width; ++k) put32(data, k < s.size() ? uint32_t(s[k]) : 0);
    }
  } else {
    descr = descr_of(t.dtype());
    data.assign(static_cast<const char*>(t.raw()), t.nbytes());
  }
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr, shape);
  dict.append(64 - (10 + dict.size() + 1) % 64, ' ');
  dict += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  put16(out, uint32_t(dict.size()));
  return out + dict + data;
}

void write_npz(const std::filesystem::path& path, const std::map<std::string, const Tensor*>& arrays) {
  std::string zip, dir;
  uint16_t entries = 0;
  for (const auto& [name, t] : arrays) {
    std::string entry = name + ".npy";
    std::string body = npy_bytes(*t);
    if (body.size() >= 0xFFFFFFFFu || zip.size() >= 0xFFFFFFFFu - body.size()) {
      fail("write", "{}: {} is larger than an .npz without zip64 holds", path.string(), util::quote(name));
    }
    uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
    uint32_t offset = static_cast<uint32_t>(zip.size());
    // Local header, stored (method 0).
    put32(zip, 0x04034b50), put16(zip, 20), put16(zip, 0), put16(zip, 0), put16(zip, 0), put16(zip, 0x21);
    put32(zip, crc), put32(zip, uint32_t(body.size())), put32(zip, uint32_t(body.size()));
    put16(zip, uint32_t(entry.size())), put16(zip, 0);
    zip += entry;
    zip += body;
    put32(dir, 0x02014b50), put16(dir, 20), put16(dir, 20), put16(dir, 0), put16(dir, 0), put16(dir, 0), put16(dir, 0x21);
    put32(dir, crc), put32(dir, uint32_t(body.size())), put32(dir, uint32_t(body.size()));
    put16(dir, uint32_t(entry.size())), put16(dir, 0), put16(dir, 0), put16(dir, 0), put16(dir, 0), put32(dir, 0);
    put32(dir, offset);
    dir += entry;
    ++entries;
  }
  uint32_t dir_offset = static_cast<uint32_t>(zip.size());
  zip += dir;
  put32(zip, 0x06054b50), put16(zip, 0), put16(zip, 0), put16(zip, entries), put16(zip, entries);
  put32(zip, uint32_t(dir.size())), put32(zip, dir_offset), put16(zip, 0);
  // Through a temporary file renamed into place: a run killed while writing
  // leaves no half archive under the final name.
  load::write_file_atomic(path, zip);
}

namespace {

value::Value value_of(const load::ValueProto& p, const std::shared_ptr<const void>& keeper) {
  switch (p.kind) {
    case load::ValueProto::Kind::Tensor: return value::from_constant(p.tensor, keeper);
    case load::ValueProto::Kind::Sequence: {
      value::Sequence s;
      for (const auto& item : p.items) {
        value::Value v = value_of(item, keeper);
        const Tensor* t = value::tensor_of(v);
        if (!t) fail("feed-file", "a sequence of sequences or optionals is not read");
        s.elem = t->dtype();
        s.items.push_back(*t);
      }
      return s;
    }
    case load::ValueProto::Kind::Optional:
      return p.items.empty() ? value::Value(value::None{}) : value_of(p.items[0], keeper);
  }
  return value::None{};
}

}  // namespace

value::Value read_value_pb(const std::filesystem::path& path, const ir::Type& type, std::string* name) {
  using K = load::ValueProto::Kind;
  K kind = type.kind == ir::Type::Kind::Sequence   ? K::Sequence
           : type.kind == ir::Type::Kind::Optional ? K::Optional
                                                    : K::Tensor;
  load::ValueFile vf;
  try {
    vf = load::load_value_file(path, kind);
  } catch (const Error& e) {
    throw e.with_context(path.string());
  }
  if (name) *name = std::string(vf.value.name);
  return value_of(vf.value, vf.holder->buffer);
}

Tensor read_pb(const std::filesystem::path& path, std::string* name) {
  load::TensorFile tf;
  try {
    tf = load::load_tensor_file(path);
  } catch (const Error& e) {
    throw e.with_context(path.string());
  }
  if (name) *name = std::string(tf.tensor.name);
  Tensor t = value::from_constant(tf.tensor, tf.holder->buffer);
  // Copied: a view would keep the whole decoded file alive for one tensor anyway.
  return t;
}

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::map<std::string, Tensor> read_feed_file(const ir::Graph& g, const std::string& name,
                                             const std::filesystem::path& path) {
  std::string p = path.string();
  std::map<std::string, Tensor> out;
  if (ends_with(p, ".npz")) {
    auto all = read_npz(path);
    if (!name.empty()) {
      if (all.size() != 1) fail("feed-file", "{} holds {} arrays; name them as inputs instead of NAME=", p, all.size());
      out[name] = std::move(all.begin()->second);
      return out;
    }
    return all;
  }
  std::string pb_name;
  Tensor t = ends_with(p, ".npy") ? read_npy(path) : read_pb(path, &pb_name);
  std::string target = !name.empty() ? name : pb_name;
  if (target.empty()) {
    std::vector<std::string> open;
    for (ir::ValueId v : g.inputs) {
      if (g.value(v).initializer == ir::kNone) open.emplace_back(g.value(v).name);
    }
    if (open.size() != 1) {
      fail("feed-file", "{} does not say which input it feeds and the graph has {} inputs; write NAME={}", p,
           open.size(), p);
    }
    target = open[0];
  }
  out[target] = std::move(t);
  return out;
}

namespace {

// The size of the dimension an integer input indexes, when it reaches
// Gather's indices (through Cast, Reshape, Unsqueeze, Squeeze, Flatten,
// Identity) and the analysis knows that dimension.
std::optional<int64_t> index_range(const ir::Graph& g, const analysis::Analysis* a, ir::ValueId v, int depth = 0) {
  if (!a || depth > 8) return std::nullopt;
  for (ir::NodeId k : g.consumers(v)) {
    const ir::Node& n = g.nodes[k];
    if (n.op_type == "Gather" && n.inputs.size() > 1 && n.inputs[1] == v && ir::is_default_domain(n.domain)) {
      const facts::Inferred& data = a->value(g, n.inputs[0]);
      int64_t axis = 0;
      if (const ir::Attribute* at = n.attr("axis"); at && at->i()) axis = *at->i();
      if (data.shape.known && data.shape.rank() > 0) {
        if (axis < 0) axis += static_cast<int64_t>(data.shape.rank());
        if (axis >= 0 && axis < static_cast<int64_t>(data.shape.rank()) && data.shape.dims[size_t(axis)]) {
          if (auto c = data.shape.dims[size_t(axis)].as_int()) return *c;
        }
      }
    }
    static constexpr std::string_view kPass[] = {"Cast", "Reshape", "Unsqueeze", "Squeeze", "Flatten", "Identity"};
    if (std::find(std::begin(kPass), std::end(kPass), n.op_type) != std::end(kPass) && !n.outputs.empty() &&
        n.outputs[0] != ir::kNoValue && n.inputs.size() > 0 && n.inputs[0] == v) {
      if (auto r = index_range(g, a, n.outputs[0], depth + 1)) return r;
    }
  }
  return std::nullopt;
}

}  // namespace

std::map<std::string, Tensor> random_feeds(const ir::Model& m, const analysis::Analysis* a,
                                           const std::map<std::string, int64_t, std::less<>>& bindings,
                                           uint64_t seed, const std::map<std::string, Tensor>* fed,
                                           uint64_t max_bytes) {
  const ir::Graph& g = *m.graph;
  std::mt19937_64 rng(seed);
  const uint64_t budget = max_bytes ? max_bytes : default_memory_budget();
  uint64_t drawn = 0;
  std::map<std::string, Tensor> out;
  std::vector<std::string> unbound;
  for (ir::ValueId v : g.inputs) {
    const ir::Value& d = g.value(v);
    if (d.initializer != ir::kNone) continue;
    if (fed && fed->count(std::string(d.name))) continue;
    const ir::Type& t = g.declared_type(v);
    if (!t.is_tensor()) {
      fail("feed-random", "input {} is not a tensor; random feeds are tensors only", util::quote(d.name));
    }
    if (!t.has_shape) fail("feed-random", "input {} declares no shape; feed it from a file", util::quote(d.name));
    std::vector<int64_t> shape;
    for (size_t i = 0; i < t.dims.size(); ++i) {
      const ir::DimDecl& dd = t.dims[i];
      if (dd.kind == ir::DimDecl::Kind::Value) {
        shape.push_back(dd.value);
      } else if (dd.kind == ir::DimDecl::Kind::Param && bindings.count(dd.param)) {
        shape.push_back(bindings.find(dd.param)->second);
      } else {
        unbound.push_back(dd.kind == ir::DimDecl::Kind::Param ? fmt::format("{} ({} axis {})", dd.param, d.name, i)
                                                              : fmt::format("{} axis {} (unnamed)", d.name, i));
        shape.push_back(1);
      }
    }
    if (!unbound.empty()) continue;
    // The declared shape decides the size: refuse it before allocating.
    if (auto neg = std::find_if(shape.begin(), shape.end(), [](int64_t x) { return x < 0; }); neg != shape.end()) {
      fail("feed-random", "input {} declares dimension {} at axis {}; a random input needs sizes of 0 or more",
           util::quote(d.name), *neg, neg - shape.begin());
    }
    auto n = value::element_count(shape);
    if (!n) {
      fail("feed-random", "input {} declares {}[{}]: its dimensions multiply past 2^63, which no tensor holds",
           util::quote(d.name), dtype_name(t.elem), fmt::join(shape, ","));
    }
    const uint64_t each = t.elem == DType::String ? 32 : value::elem_size(t.elem);
    if (*n > (budget - drawn) / std::max<uint64_t>(each, 1)) {
      fail("exec-memory",
           "random input {} {}[{}] needs {}, more than the memory budget of {} bytes leaves for it (--max-memory)",
           util::quote(d.name), dtype_name(t.elem), fmt::join(shape, ","),
           *n <= UINT64_MAX / std::max<uint64_t>(each, 1) ? fmt::format("{} bytes", *n * each)
                                                            : std::string("more than 2^64 bytes"),
           budget);
    }
    drawn += *n * each;
    Tensor x(t.elem, shape);
    if (t.elem == DType::String) {
      for (uint64_t i = 0; i < x.count(); ++i) x.data<std::string>()[i] = fmt::format("s{}", rng() % 100);
    } else {
      std::optional<int64_t> range = is_integer(t.elem) ? index_range(g, a, v) : std::nullopt;
      value::visit_numeric(t.elem, [&](auto z) {
        using T = decltype(z);
        T* p = x.data<T>();
        for (uint64_t i = 0; i < x.count(); ++i) {
          if constexpr (std::is_same_v<T, bool>) {
            p[i] = rng() & 1;
          } else if constexpr (std::is_integral_v<T>) {
            int64_t hi = range && *range > 0 ? *range : 10;
            p[i] = static_cast<T>(rng() % static_cast<uint64_t>(hi));
          } else {
            double u = double(rng() >> 11) / double(uint64_t{1} << 53) * 2.0 - 1.0;
            if constexpr (std::is_same_v<T, value::Half>) p[i] = value::to_half(float(u));
            else if constexpr (std::is_same_v<T, value::BFloat16>) p[i] = value::to_bfloat16(float(u));
            else p[i] = static_cast<T>(u);
          }
        }
      });
    }
    out[std::string(d.name)] = std::move(x);
  }
  if (!unbound.empty()) {
    fail("feed-random", "bind the symbolic dimensions to draw random inputs (--bind SYMBOL=N): {}",
         fmt::join(unbound, ", "));
  }
  return out;
}

Feeds assemble_feeds(const ir::Model& m, const analysis::Analysis* a, const std::vector<std::string>& specs,
                     bool random, std::map<std::string, int64_t, std::less<>> bindings, uint64_t seed,
                     uint64_t max_bytes) {
  const ir::Graph& g = *m.graph;
  Feeds out;
  for (const std::string& spec : specs) {
    std::string name, file = spec;
    if (auto eq = spec.find('='); eq != std::string::npos) {
      name = spec.substr(0, eq);
      file = spec.substr(eq + 1);
    }
    if (file.empty()) fail("usage", "--feed {}: no file named", util::quote(spec));
    std::map<std::string, Tensor> got;
    try {
      got = read_feed_file(g, name, file);
    } catch (const Error& e) {
      // The message names the file; the context says which feed it was for.
      throw e.with_context(name.empty() ? "--feed" : "--feed " + name);
    }
    bool archive = name.empty() && ends_with(file, ".npz");
    for (auto& [input, t] : got) {
      out.sources.emplace_back(input, archive ? file + ":" + input : file);
      out.tensors[input] = std::move(t);
    }
  }
  if (!random) return out;
  // Inputs fed from files bind their symbols too.
  for (ir::ValueId v : g.inputs) {
    auto it = out.tensors.find(std::string(g.value(v).name));
    const ir::Type& t = g.declared_type(v);
    if (it == out.tensors.end() || !t.is_tensor() || t.rank() != it->second.rank()) continue;
    for (size_t i = 0; i < t.rank(); ++i) {
      if (t.dims[i].kind == ir::DimDecl::Kind::Param) bindings.emplace(t.dims[i].param, it->second.dim(i));
    }
  }
  // Only the inputs not fed are drawn (their unbound symbols are what is missing).
  std::map<std::string, Tensor> drawn = random_feeds(m, a, bindings, seed, &out.tensors, max_bytes);
  for (auto& [input, t] : drawn) {
    out.sources.emplace_back(input, "random");
    out.tensors[input] = std::move(t);
  }
  return out;
}

}  // namespace onnxscope::exec
