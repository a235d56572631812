// The seed corpora of the fuzz targets, from the ONNX backend test models
// (Debian's libonnx-testdata) and the project's fixtures:
//   make_seeds OUT_DIR MODEL_OR_FOLDER...
// writes OUT_DIR/model/NAME.onnx (the model as it is: fuzz_model),
// OUT_DIR/text/NAME.onnxtxt (its ONNX text form, written with onnx's
// printer and kept only when it parses back: fuzz_text; .onnxtxt fixtures
// are taken as they are) and OUT_DIR/tui/NAME.bin (a few key sequences
// before the model: fuzz_tui). Models over 256 KiB are skipped: libFuzzer
// works best with small inputs.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <onnx/defs/printer.h>
#include <onnx/onnx_pb.h>

#include "model/load/loader.h"
#include "model/util/error.h"

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out << bytes;
}

std::string opsets(const google::protobuf::RepeatedPtrField<onnx::OperatorSetIdProto>& ops) {
  std::string s = "[";
  for (int i = 0; i < ops.size(); ++i) {
    if (i) s += ", ";
    s += "\"" + ops[i].domain() + "\" : " + std::to_string(ops[i].version());
  }
  return s + "]";
}

// The ONNX text of a model: onnx 1.12 prints graphs and functions, the
// header is written here in the syntax of onnx/defs/parser.h.
std::string text_of(const onnx::ModelProto& m) {
  std::ostringstream os;
  os << "<\n  ir_version: " << m.ir_version() << ",\n  opset_import: " << opsets(m.opset_import()) << "\n>\n";
  os << m.graph() << "\n";
  for (const auto& f : m.functions()) os << f << "\n";
  return os.str();
}

// Key sequences for the inspector: move, open, views, find, bind, run, step.
const char* const kKeys[] = {"jjj\n\t2e\n3\n4\n", "rsssc\x1b", "v\njj]]][[\n", "/A\nnN:x\n", "A1f\x7fG", "bN=2\nr"};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: make_seeds OUT_DIR MODEL_OR_FOLDER...\n");
    return 2;
  }
  const fs::path out(argv[1]);
  for (const char* d : {"model", "text", "tui"}) fs::create_directories(out / d);
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    fs::path p(argv[i]);
    if (!fs::exists(p)) continue;  // an optional source
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p)) {
        auto ext = e.path().extension();
        if (e.is_regular_file() && (ext == ".onnx" || ext == ".onnxtxt")) files.push_back(e.path());
      }
    } else {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  size_t n_model = 0, n_text = 0, n_tui = 0, skipped = 0;
  for (const auto& f : files) {
    if (fs::file_size(f) > 256 * 1024) {
      ++skipped;
      continue;
    }
    // A name that keeps the test's folder: node/test_abs/model.onnx -> test_abs_model
    std::string name = f.parent_path().filename().string() + "_" + f.stem().string();
    std::string bytes = read(f);
    if (f.extension() == ".onnxtxt") {
      write(out / "text" / (name + ".onnxtxt"), bytes);
      ++n_text;
      try {  // its binary form, for the other two
        auto m = onnxscope::load::load_model_text(bytes);
        (void)m;
      } catch (const onnxscope::Error&) {
      }
      continue;
    }
    onnx::ModelProto m;
    if (!m.ParseFromString(bytes)) {
      ++skipped;
      continue;
    }
    write(out / "model" / (name + ".onnx"), bytes);
    ++n_model;
    std::string text = text_of(m);
    try {
      onnxscope::load::load_model_text(text);
      write(out / "text" / (name + ".onnxtxt"), text);
      ++n_text;
    } catch (const onnxscope::Error&) {
    }
    const std::string keys = kKeys[n_model % std::size(kKeys)];
    write(out / "tui" / (name + ".bin"), std::string(1, static_cast<char>(keys.size())) + keys + bytes);
    ++n_tui;
  }
  std::printf("%zu model seeds, %zu text seeds, %zu tui seeds (%zu files skipped)\n", n_model, n_text, n_tui, skipped);
  return 0;
}
