// The files of a trial run (model/session, private): values written as
// .npy into a folder (--save-outputs, --save-all), expected values read
// from a test_data_set folder or a .pb (--expected), and the report of the
// node a failed run stopped at.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/session/session.h"

namespace onnxscope::session {

// A folder that values are written into as NAME.npy. The folder is made (or
// checked to be a folder) at construction; `option` ("--save-outputs") names
// it in errors; `keep_off` are files never written (the model, its data).
class NpyFolder {
 public:
  NpyFolder(std::filesystem::path dir, std::string option, std::vector<std::filesystem::path> keep_off);
  // A tensor as NAME.npy; a sequence as NAME_0.npy, NAME_1.npy ...; an empty
  // optional, or a dtype numpy has no type for, is noted, not written.
  // bfloat16 is written as float32 (numpy has no bfloat16), with a note.
  void write(std::string_view name, const value::Value& v, SaveReport& out);
  // Throws Error "usage" when NAME.npy would be a file the folder must not
  // be written over (checked before the run, so that it fails fast).
  void check(std::string_view name) const;

 private:
  void check_target(const std::filesystem::path& target) const;
  std::string unique_stem(const std::string& stem, std::string_view name, SaveReport& out);
  void write_tensor(std::string_view name, const std::string& stem, const value::Tensor& t, SaveReport& out);

  std::filesystem::path dir_;
  std::string option_;
  std::vector<std::filesystem::path> keep_off_;
  std::map<std::string, std::string> used_;  // stem -> value name
};

// The model file and the external data files of its main graph's initializers.
std::vector<std::filesystem::path> model_files(const ir::Model& m);

// For --expected DIR with no feeds: "NAME=DIR/input_K.pb" for each input_K.pb
// of the folder, NAME the tensor's name when it is an input of the graph,
// else the K-th input without a default. Empty when there are none.
std::vector<std::string> expected_feed_specs(const ir::Graph& g, const std::filesystem::path& dir);

// The graph's outputs (as the run left them) against --expected: a folder's
// output_K.pb matched by name or else by position, or one .pb. Throws Error
// "usage" for a path that is neither, a folder without output_*.pb, or a
// single .pb for a model of several outputs that it does not name.
ExpectedReport compare_expected(const ir::Graph& g, const exec::TrialRun& run, const std::filesystem::path& source);

// The failing node of a run, its inputs, and the findings of the analysis
// on it or upstream of it. nullopt when the run did not fail at a node of
// the main graph.
std::optional<FailureReport> failure_report(const exec::TrialRun& run, const analysis::Analysis* a);

}  // namespace onnxscope::session
