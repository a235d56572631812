#include "model/analysis/feeds.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/util/text.h"

namespace onnxscope::analysis {

using facts::Code;
using facts::diagnostic;

namespace {

std::string type_word(DType t) { return fmt::format("tensor({})", dtype_onnx_name(t)); }

// The PyTorch conversion that gives a tensor of this dtype.
std::string torch_cast(DType t) {
  switch (t) {
    case DType::Int64: return ".long()";
    case DType::Int32: return ".int()";
    case DType::Float32: return ".float()";
    case DType::Float16: return ".half()";
    case DType::BFloat16: return ".bfloat16()";
    case DType::Float64: return ".double()";
    case DType::Bool: return ".bool()";
    case DType::UInt8: return ".byte()";
    case DType::Int8: return ".char()";
    case DType::Int16: return ".short()";
    default: return fmt::format(".to({})", dtype_name(t));
  }
}

const FeedType* find_feed(const std::vector<FeedType>& feeds, std::string_view name) {
  for (const FeedType& f : feeds) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

std::vector<facts::Diagnostic> check_feeds(const ir::Graph& g, const std::vector<FeedType>& feeds, FeedCheck opts) {
  std::vector<facts::Diagnostic> out;
  for (const FeedType& f : feeds) {
    ir::ValueId v = g.find(f.name);
    bool is_input = v != ir::kNoValue && std::find(g.inputs.begin(), g.inputs.end(), v) != g.inputs.end();
    if (!is_input) {
      out.push_back(diagnostic(Code::FeedUnknown)
                        .input(f.name)
                        .message(fmt::format("the graph has no input {}; onnxruntime ignores this feed",
                                             util::quote(f.name))));
    }
  }
  for (ir::ValueId v : g.inputs) {
    const ir::Value& d = g.value(v);
    std::string name(d.name);
    const FeedType* f = find_feed(feeds, name);
    if (!f) {
      if (opts.require_all && d.initializer == ir::kNone) {
        out.push_back(diagnostic(Code::FeedMissing)
                          .input(name)
                          .message(fmt::format("onnxruntime: \"input '{}' is missing in 'feeds'.\" Input {} has no "
                                               "default value and is not fed",
                                               name, util::quote(name))));
      }
      continue;
    }
    const ir::Type& decl = g.declared_type(v);
    if (f->kind != FeedType::Kind::Tensor) {
      if (decl.is_tensor()) {
        out.push_back(diagnostic(Code::FeedDtype)
                          .input(name)
                          .message(fmt::format("input {} is declared a tensor; the feed is a {}", util::quote(name),
                                               f->kind == FeedType::Kind::Sequence ? "sequence" : "empty optional")));
      }
      continue;
    }
    if (!decl.is_tensor()) continue;
    if (f->dtype && decl.elem != DType::Undefined && *f->dtype != decl.elem) {
      out.push_back(diagnostic(Code::FeedDtype)
                        .input(name)
                        .message(fmt::format("onnxruntime: \"Unexpected input data type. Actual: ({}) , expected: "
                                             "({})\". Input {} is declared {}; the feed is {}",
                                             type_word(*f->dtype), type_word(decl.elem), util::quote(name),
                                             dtype_name(decl.elem), dtype_name(*f->dtype)))
                        .hint(fmt::format("feed {} ({} in PyTorch, .astype(np.{}) in numpy)", dtype_name(decl.elem),
                                          torch_cast(decl.elem), dtype_name(decl.elem))));
    }
    if (!decl.has_shape || !f->dims) continue;
    const auto& dims = *f->dims;
    if (dims.size() != decl.rank()) {
      out.push_back(diagnostic(Code::FeedRank)
                        .input(name)
                        .message(fmt::format("onnxruntime: \"Invalid rank for input: {} Got: {} Expected: {} Please "
                                             "fix either the inputs/outputs or the model.\". The feed has {} "
                                             "dimensions, the input {}",
                                             name, dims.size(), decl.rank(), dims.size(), decl.rank())));
      continue;
    }
    std::string bad, fixed, dynamic;
    for (size_t a = 0; a < decl.rank(); ++a) {
      const ir::DimDecl& dd = decl.dims[a];
      if (dd.kind == ir::DimDecl::Kind::Value) {
        fixed += fmt::format("{}{}={}", fixed.empty() ? "" : ", ", a, dd.value);
        if (dims[a] && *dims[a] != dd.value) bad += fmt::format(" index: {} Got: {} Expected: {}\n", a, *dims[a], dd.value);
      } else {
        dynamic += fmt::format("{}{}{}", dynamic.empty() ? "" : ", ", a,
                               dd.kind == ir::DimDecl::Kind::Param ? fmt::format(" ({})", dd.param) : "");
      }
    }
    if (!bad.empty()) {
      out.push_back(
          diagnostic(Code::FeedDim)
              .input(name)
              .message(fmt::format("onnxruntime: \"Got invalid dimensions for input: {} for the following indices\n"
                                   "{} Please fix either the inputs/outputs or the model.\". Input {} fixes axes {}{}",
                                   name, bad, util::quote(name), fixed,
                                   dynamic.empty() ? "; no axis is dynamic" : "; dynamic: " + dynamic))
              .hint("export with this axis in dynamic_axes (torch.onnx.export) or dynamic_shapes (torch.export), "
                    "or feed the size the model fixes"));
    }
  }
  return out;
}

}  // namespace onnxscope::analysis
