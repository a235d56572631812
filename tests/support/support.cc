#include "tests/support/support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <onnx/defs/parser.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace onnxscope::test {

onnx::ModelProto parse_text(std::string_view text) {
  onnx::ModelProto m;
  std::string src(text);
  auto status = onnx::OnnxParser::Parse(m, src.c_str());
  if (!status.IsOK()) throw std::runtime_error("test model does not parse: " + status.ErrorMessage());
  return m;
}

std::string serialize(const onnx::ModelProto& m) {
  std::string s;
  if (!m.SerializeToString(&s)) throw std::runtime_error("cannot serialize test model");
  return s;
}

onnx::ModelProto add_with_external_weights(const std::string& location) {
  auto proto = parse_text(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[4] x) => (float[4] y) <float[4] w = {0.0, 0.0, 0.0, 0.0}> { y = Add(x, w) })");
  auto* w = proto.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* e = w->add_external_data();
  e->set_key("location");
  e->set_value(location);
  return proto;
}

void append_len_field(std::string& out, uint32_t field, std::string_view payload) {
  auto varint = [&](uint64_t v) {
    while (v >= 0x80) {
      out += static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    out += static_cast<char>(v);
  };
  varint((uint64_t{field} << 3) | 2);
  varint(payload.size());
  out.append(payload);
}

TempDir::TempDir() {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (int i = 0; i < 100; ++i) {
    auto p = base / ("onnxscope-test-" + std::to_string(rd()));
    if (std::filesystem::create_directory(p)) {
      path_ = p;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary folder");
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, std::string_view bytes) const {
  auto p = path_ / name;
  std::filesystem::create_directories(p.parent_path());
  write_file(p, bytes);
  return p;
}

void write_file(const std::filesystem::path& p, std::string_view bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

std::string negating_loop(int64_t trips) {
  return fmt::format(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2] x) => (float[2] y) {{
  n = Constant <value = int64 {{{}}}> ()
  c = Constant <value = bool {{1}}> ()
  y = Loop(n, c, x) <body = body (int64 i, bool ci, float[2] v) => (bool co, float[2] w) {{
    co = Identity(ci)
    w = Neg(v)
  }}>
}})",
                     trips);
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

namespace {

void drain(int fd, std::string& into) {
  char buf[65536];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) into.append(buf, static_cast<size_t>(n));
}

}  // namespace

RunResult run_onnxscope(const std::vector<std::string>& args, const std::filesystem::path& cwd, int timeout_s,
                        RunLimits limits) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  std::vector<std::string> argv_s{ONNXSCOPE_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("NO_COLOR=", 0) == 0 || kv.rfind("COLUMNS=", 0) == 0) continue;
    env_s.emplace_back(kv);
  }
  env_s.push_back("NO_COLOR=1");
  // A sanitized onnxscope cannot start under an address-space limit (its
  // shadow memory reserves terabytes of addresses): there the limit becomes
  // the sanitizer's own, every allocation larger than it failing as it would
  // past RLIMIT_AS.
  if (kSanitized && limits.address_space) {
    const std::string cap = fmt::format("max_allocation_size_mb={}:allocator_may_return_null=1", limits.address_space >> 20);
    auto it = std::find_if(env_s.begin(), env_s.end(), [](const std::string& e) { return e.rfind("ASAN_OPTIONS=", 0) == 0; });
    if (it == env_s.end()) env_s.push_back("ASAN_OPTIONS=" + cap);
    else *it += (it->size() > std::string_view("ASAN_OPTIONS=").size() ? ":" : "") + cap;
    limits.address_space = 0;
  }
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  // posix_spawn sets no limits of its own: the child inherits this process's
  // soft limits, lowered for the spawn and restored at once (the tests run
  // on one thread).
  std::vector<std::pair<decltype(RLIMIT_AS), rlimit>> saved;
  for (auto [resource, value] : {std::pair{RLIMIT_AS, limits.address_space}, {RLIMIT_FSIZE, limits.file_size}}) {
    if (value == 0) continue;
    rlimit old{};
    ::getrlimit(resource, &old);
    saved.emplace_back(resource, old);
    rlimit lowered = old;
    lowered.rlim_cur = std::min<rlim_t>(old.rlim_max, value);
    ::setrlimit(resource, &lowered);
  }
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  for (const auto& [resource, old] : saved) ::setrlimit(resource, &old);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) throw std::runtime_error("cannot start " + argv_s[0]);

  RunResult r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  bool out_open = true, err_open = true, killed = false;
  while (out_open || err_open) {
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int n = ::poll(fds, 2, 200);
    if (n > 0) {
      for (int i = 0; i < 2; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        std::string& into = i == 0 ? r.out : r.err;
        size_t before = into.size();
        drain(fds[i].fd, into);
        if (into.size() == before) (i == 0 ? out_open : err_open) = false;
      }
    }
    if (std::chrono::steady_clock::now() > deadline && !killed) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  r.max_rss_kib = usage.ru_maxrss;
  if (killed) r.exit_code = -2;
  else if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  else r.exit_code = -1000 - WTERMSIG(status);
  return r;
}

std::filesystem::path testdata_root() {
  if (const char* env = std::getenv("ONNXSCOPE_TESTDATA")) return env;
  return "/usr/share/libonnx-testdata/data";
}

std::vector<std::filesystem::path> testdata_models() {
  std::vector<std::filesystem::path> out;
  for (const char* sub : {"node", "pytorch-converted", "pytorch-operator", "simple"}) {
    auto dir = testdata_root() / sub;
    if (!std::filesystem::is_directory(dir)) continue;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      auto m = e.path() / "model.onnx";
      if (std::filesystem::is_regular_file(m)) out.push_back(m);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::filesystem::path light_models_dir() {
  if (const char* env = std::getenv("ONNXSCOPE_LIGHT_MODELS")) return env;
  return source_dir().parent_path().parent_path() / "shared" / "reference" / "onnx-light-models";
}

std::filesystem::path source_dir() { return ONNXSCOPE_TEST_SOURCE_DIR; }

void compare_golden(const std::filesystem::path& golden, const std::string& actual) {
  if (const char* u = std::getenv("ONNXSCOPE_UPDATE_GOLDEN"); u && *u == '1') {
    write_file(golden, actual);
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(golden)) << "missing golden file " << golden
                                               << "; run with ONNXSCOPE_UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, read_file(golden)) << "golden " << golden.filename();
}

}  // namespace onnxscope::test
