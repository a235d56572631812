// The ONNX text format (onnx-spec Syntax.md), parsed by onnx's own parser and
// handed on as serialized bytes, so that text and binary models take the same
// checked path through decode.cc and build.cc.
#include <onnx/defs/parser.h>
#include <onnx/onnx_pb.h>

#include <string>
#include <string_view>

#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::load {

std::string text_to_model_bytes(std::string_view text) {
  // onnx's parser reads a NUL-terminated string.
  std::string src(text);
  if (src.find('\0') != std::string::npos) fail("text-parse", "the text-format model contains a NUL byte");
  onnx::ModelProto proto;
  onnx::Common::Status status;
  try {
    status = onnx::OnnxParser::Parse(proto, src.c_str());
  } catch (const std::exception& e) {
    fail("text-parse", "not a valid ONNX text-format model: {}", e.what());
  }
  if (!status.IsOK()) {
    // onnx's message spans lines ("[ParseError at position (line: 4 column: 1)]
    // / Error context: ... / Expected ..."); onnxscope errors are one line.
    std::string msg;
    std::string_view rest = status.ErrorMessage();
    while (!rest.empty()) {
      auto nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
      if (line.empty()) continue;
      if (!msg.empty()) msg += "; ";
      msg += line;
    }
    fail("text-parse", "not a valid ONNX text-format model: {}", util::printable(msg));
  }
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) fail("text-parse", "the parsed text model cannot be serialized");
  return bytes;
}

}  // namespace onnxscope::load
