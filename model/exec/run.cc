#include "model/exec/run.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "model/analysis/feeds.h"
#include "model/ops/kernel.h"
#include "model/ops/registry.h"
#include "model/ops/schema_text.h"
#include "model/util/error.h"
#include "model/util/file.h"
#include "model/util/text.h"

namespace onnxscope::exec {

using facts::Code;
using facts::diagnostic;
using facts::node_desc;

uint64_t default_memory_budget() {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || size <= 0) return uint64_t{4} << 30;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(size) / 2;
}

namespace {

constexpr int kMaxDepth = 64;  // nested subgraphs and function calls

std::string bytes_text(uint64_t b) {
  if (b >= (uint64_t{1} << 30)) return fmt::format("{:.1f} GiB", double(b) / double(uint64_t{1} << 30));
  if (b >= (uint64_t{1} << 20)) return fmt::format("{:.1f} MiB", double(b) / double(uint64_t{1} << 20));
  if (b >= 1024) return fmt::format("{:.1f} KiB", double(b) / 1024.0);
  return fmt::format("{} bytes", b);
}

bool non_finite(const Value& v) {
  const Tensor* t = value::tensor_of(v);
  if (!t || !is_float(t->dtype()) || !value::supported(t->dtype())) return false;
  if (t->dtype() == DType::Float32 || t->dtype() == DType::Float64) {
    // The common case without a call per element: a float is not finite
    // when its exponent bits are all ones.
    auto scan = [&](auto bits, auto exponent) {
      using U = decltype(bits);
      const auto* p = static_cast<const unsigned char*>(t->raw());
      const uint64_t n = t->count();
      U any = 0;
      for (uint64_t i = 0; i < n; ++i) {
        U v;
        std::memcpy(&v, p + i * sizeof(U), sizeof(U));
        any |= U((v & exponent) == exponent);
      }
      return any != 0;
    };
    return t->dtype() == DType::Float32 ? scan(uint32_t{0}, uint32_t{0x7f800000u})
                                        : scan(uint64_t{0}, uint64_t{0x7ff0000000000000ull});
  }
  for (uint64_t i = 0; i < t->count(); ++i) {
    if (!std::isfinite(t->as_double(i))) return true;
  }
  return false;
}

}  // namespace

namespace {

// What kernels take for granted, checked before one runs: its required
// attributes with their types, its input count and required inputs, and
// each input's dtype against the operator's type constraints. Throws
// ops::KernelError naming the node.
void check_against_schema(const ir::Node& n, const ops::Schema* schema, const std::vector<const Value*>& ins) {
  // Kernels read required attributes without looking: a Loop without a
  // body would be a null graph. Inference diagnoses these
  // (missing-attribute; onnxruntime refuses the model when it loads);
  // the run stops at the node.
  for (const auto& a : schema->attributes) {
    if (!a.required) continue;
    const ir::Attribute* at = n.attr(a.name);
    if (!at) {
      ops::kernel_fail(Code::MissingAttribute, "{}: required attribute {} is missing", node_desc(n),
                       util::quote(a.name));
    }
    if (a.type != ir::AttrType::Undefined && at->type != a.type) {
      ops::kernel_fail(Code::MissingAttribute, "{}: required attribute {} is {}, not {}", node_desc(n),
                       util::quote(a.name), ir::attr_type_name(at->type), ir::attr_type_name(a.type));
    }
  }
  // Kernels read their required inputs without looking either: Min
  // without inputs, or Mean with an empty name among its variadic
  // inputs, would read through a null value. Inference diagnoses the
  // count (input-count); the run stops at the node.
  if (static_cast<int>(ins.size()) < schema->min_inputs()) {
    ops::kernel_fail(Code::InputCount, "{}: {}-{} takes at least {} input{}, the node has {}", node_desc(n),
                     n.op_type, schema->since_version, schema->min_inputs(), schema->min_inputs() == 1 ? "" : "s",
                     ins.size());
  }
  for (size_t i = 0; i < ins.size(); ++i) {
    const ops::FormalParam* f = ops::formal_at(schema->inputs, i);
    // (An optional value holding nothing is a value: OptionalHasElement.)
    if (n.inputs[i] == ir::kNoValue && f && f->arity != ops::Arity::Optional) {
      ops::kernel_fail(Code::InputCount, "{}: required input {} (#{}) is empty", node_desc(n),
                       util::quote(f->name), i);
    }
  }
  // An input whose schema allows one tensor type only (Reshape's shape,
  // Resize's sizes: int64) is read as that type without looking; another
  // dtype there (a dtype finding of inference, a type error
  // when onnxruntime loads the model) stops the run at the node.
  // Likewise inputs that share a type parameter (Max's T, PRelu's T) are
  // read as the first one's dtype: another dtype there stops the run.
  std::vector<std::pair<std::string_view, size_t>> bound;  // type parameter, first input bound to it
  for (size_t i = 0; i < ins.size(); ++i) {
    const value::Tensor* t = ins[i] ? value::tensor_of(*ins[i]) : nullptr;
    const ops::FormalParam* f = t ? ops::formal_at(schema->inputs, i) : nullptr;
    if (!f) continue;
    if (!std::string_view(f->type).starts_with("tensor(") && f->homogeneous) {
      auto it = std::find_if(bound.begin(), bound.end(), [&](const auto& b) { return b.first == f->type; });
      if (it == bound.end()) {
        bound.emplace_back(f->type, i);
      } else if (const value::Tensor* first = value::tensor_of(*ins[it->second]);
                 first && first->dtype() != t->dtype()) {
        ops::kernel_fail(Code::DtypeMismatch, "{}: type parameter {} is bound to both {} (input {}) and {} (input {})",
                         node_desc(n), f->type, dtype_name(first->dtype()), it->second, dtype_name(t->dtype()),
                         i);
      }
    }
    // Every input's dtype is one its type constraint allows (a dtype
    // finding of inference; onnxruntime refuses the model): kernels are
    // written for those dtypes only (Clip-6 on int8 would convert -FLT_MAX
    // to int8; Pow on int8 has no meaning in the operator).
    const std::string have = fmt::format("tensor({})", dtype_onnx_name(t->dtype()));
    auto allows = [&](std::string_view a) {
      return a == have || (a.starts_with("optional(") && a.size() == have.size() + 10 &&
                           a.substr(9, have.size()) == have);
    };
    if (std::string_view(f->type).starts_with("tensor(")) {
      if (!allows(f->type)) {
        ops::kernel_fail(Code::DtypeUnsupported, "{}: input {} ({}) is {}, the operator takes {}", node_desc(n),
                         i, util::quote(f->name), dtype_name(t->dtype()), f->type);
      }
      continue;
    }
    const ops::TypeConstraint* c = schema->constraint(f->type);
    if (!c || std::any_of(c->allowed.begin(), c->allowed.end(), allows)) continue;
    if (c->allowed.size() == 1) {
      ops::kernel_fail(Code::DtypeUnsupported, "{}: input {} ({}) is {}, the operator takes {}", node_desc(n), i,
                       util::quote(f->name), dtype_name(t->dtype()), c->allowed[0]);
    }
    ops::kernel_fail(Code::DtypeUnsupported, "{}: input {} ({}) is {}, which {}-{} does not accept for {} (allowed: {})",
                     node_desc(n), i, util::quote(f->name), dtype_name(t->dtype()), n.op_type,
                     schema->since_version, f->type, ops::allowed_list(*c));
  }
}

// Thrown through the frames when the front end asks the run to stop.
struct Interrupted {};

// The memory the run holds, shared by every frame.
struct Budget {
  uint64_t budget = 0;
  uint64_t held = 0;
  uint64_t pending = 0;  // charged by the node running now
  int64_t max_iterations = 0;
  // Bodies run so far (Loop and Scan iterations, If branches, function
  // calls, nested ones included): a Loop's own count is per Loop, so nested
  // Loops or functions calling functions several times would multiply past
  // any per-Loop limit. The run stops after max_iterations bodies in all.
  int64_t bodies = 0;
  bool keep_values = true;
  const ir::Model* model = nullptr;
  const std::function<bool()>* interrupted = nullptr;
  const std::function<bool()>* interrupted_in_kernel = nullptr;

  bool stop_asked() const { return interrupted && *interrupted && (*interrupted)(); }
  bool stop_asked_in_kernel() const {
    if (interrupted_in_kernel && *interrupted_in_kernel) return (*interrupted_in_kernel)();
    return stop_asked();
  }

  // Compute time: the seconds of the steps before this one, and when this
  // one started (the inspector's pauses between steps do not count).
  double max_seconds = 0;  // 0: no limit
  double spent = 0;
  std::chrono::steady_clock::time_point step_start;
  // Of the compute time, the seconds spent reading initializers (Frame::lookup).
  double initializers = 0;

  // Before every node, subgraph and function body nodes included, and from
  // inside long kernels (ops::poll).
  void check_time() const {
    if (max_seconds <= 0) return;
    double now = spent + std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count();
    if (now > max_seconds) {
      ops::kernel_fail(Code::RunTimeBudget, "the run has computed for {:.1f} s, over its limit of {} s (--max-seconds)",
                       now, max_seconds);
    }
  }

  void charge(uint64_t bytes, std::string_view what) {
    if (bytes > budget || held + pending > budget - bytes) {
      ops::kernel_fail(Code::RunMemoryBudget, "{} needs {}, and the run holds {} of its {} budget", what,
                       bytes_text(bytes), bytes_text(held + pending), bytes_text(budget));
    }
    pending += bytes;
  }
};

// Initializers of at least this size are copied out of the model's mapping
// in a run that releases values (Frame::lookup).
constexpr uint64_t kCopiedInitializerBytes = uint64_t{64} << 10;

// One graph being computed: the main graph, a subgraph of an If/Loop/Scan
// node, or a model-local function's body.
class Frame : public ops::KernelHost {
 public:
  Frame(Budget& st, const ir::Graph& g, Frame* parent, const ir::Node* caller, int depth)
      : st_(st), g_(g), parent_(parent), caller_(caller), depth_(depth), values_(g.values.size()),
        charged_(g.nodes.size(), 0) {
    uses_.resize(g.values.size());
    for (const ir::Node& n : g.nodes) {
      for (ir::ValueId v : n.inputs) if (v != ir::kNoValue) ++uses_[v];
      for (ir::ValueId v : n.implicit_inputs) if (v != ir::kNoValue) ++uses_[v];
    }
  }
  ~Frame() override {
    for (uint64_t c : charged_) st_.held -= std::min(st_.held, c);
  }

  void bind(ir::ValueId v, Value x) { values_[v] = std::move(x); }
  Value& slot(ir::ValueId v) { return values_[v]; }

  // The value of v in this frame: computed, fed, an initializer, or the
  // enclosing frame's.
  const Value* lookup(ir::ValueId v) {
    Value& x = values_[v];
    if (!std::holds_alternative<std::monostate>(x)) return &x;
    const ir::Value& d = g_.value(v);
    if (d.kind == ir::ValueKind::OuterScope) return parent_ ? parent_->lookup(d.outer) : nullptr;
    if (const ir::Tensor* c = g_.initializer_of(v)) {
      auto t0 = std::chrono::steady_clock::now();
      x = value::from_constant(*c);
      // A tensor borrowed from the model's mapping is read now, so that its
      // page faults count as reading the initializer and not as its first
      // consumer's computation. In a run of the main graph that drops values
      // after their last use, a large one is copied into the run's own
      // memory, which the kernels read faster than the file's 4 KiB pages
      // (ResNet-18's last convolution: 6 ms reading in place, 2 ms from a
      // copy), and freed after
      // its last consumer (release_after); values kept for the inspector
      // are read in place, so that memory stays the model's mapping.
      if (auto* t = std::get_if<value::Tensor>(&x); t && t->borrowed()) {
        if (!st_.keep_values && !parent_ && t->nbytes() >= kCopiedInitializerBytes) {
          t->raw_mut();
        } else {
          util::prefault(t->raw(), t->nbytes());
        }
      }
      st_.initializers += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      return &x;
    }
    return nullptr;
  }

  // Runs node k; throws ops::KernelError or Error.
  void run_node(ir::NodeId k) {
    const ir::Node& n = g_.nodes[k];
    st_.check_time();
    std::vector<const Value*> ins;
    ins.reserve(n.inputs.size());
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      ir::ValueId v = n.inputs[i];
      if (v == ir::kNoValue) {
        ins.push_back(nullptr);
        continue;
      }
      const Value* x = lookup(v);
      if (!x) {
        ops::kernel_fail(Code::RunFailed, "{} input {} ({}) has no value", node_desc(n), i,
                         util::quote(g_.value(v).name));
      }
      if (auto* t = std::get_if<value::Tensor>(x)) {
        ops::check_walk(t->shape(), st_.budget,
                        fmt::format("{} input {} ({})", node_desc(n), i, util::quote(g_.value(v).name)));
      }
      ins.push_back(std::holds_alternative<value::None>(*x) ? nullptr : x);
    }
    std::vector<Value> outs(n.outputs.size());
    const ops::Schema* schema = ops::SchemaTable::builtin().find(n.domain, n.op_type, n.opset);
    st_.pending = 0;
    if (!schema) {
      const ir::Function* fn = st_.model->function(n.domain, n.op_type, n.overload);
      if (!fn) {
        ops::kernel_fail(Code::RunNoKernel, "{}: no operator {} in domain {} is known", node_desc(n), n.op_type,
                         ir::is_default_domain(n.domain) ? "ai.onnx" : n.domain);
      }
      call(n, *fn, ins, outs);
    } else {
      const ops::OpDef* def = ops::Registry::builtin().find_def(schema->domain, schema->name, schema->since_version);
      ops::Kernel kernel = def ? def->kernel(schema->since_version) : nullptr;
      if (!kernel) {
        ops::kernel_fail(Code::RunNoKernel, "{}: onnxscope has no kernel for {}-{}", node_desc(n), n.op_type,
                         schema->since_version);
      }
      check_against_schema(n, schema, ins);
      ops::KernelContext ctx(n, schema, caller_, std::move(ins), outs, *this);
      ops::PollScope polls(this);
      kernel(ctx);
    }
    charged_[k] = st_.pending;
    st_.held += st_.pending;
    st_.pending = 0;
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      if (n.outputs[i] != ir::kNoValue) values_[n.outputs[i]] = std::move(outs[i]);
    }
  }

  // Drops values whose last consumer was node k (not graph outputs).
  void release_after(ir::NodeId k) {
    const ir::Node& n = g_.nodes[k];
    auto drop = [&](ir::ValueId v) {
      if (v == ir::kNoValue || --uses_[v] > 0) return;
      const ir::Value& d = g_.value(v);
      if (d.is_graph_output) return;
      if (d.kind == ir::ValueKind::Initializer) {
        values_[v] = std::monostate{};  // its copy, if lookup made one
        return;
      }
      if (d.kind != ir::ValueKind::NodeOutput) return;
      ir::NodeId p = d.producer;
      values_[v] = std::monostate{};
      bool all_gone = true;
      for (ir::ValueId o : g_.nodes[p].outputs) {
        if (o != ir::kNoValue && !std::holds_alternative<std::monostate>(values_[o])) all_gone = false;
      }
      if (all_gone) {
        st_.held -= std::min(st_.held, charged_[p]);
        charged_[p] = 0;
      }
    };
    for (ir::ValueId v : n.inputs) drop(v);
    for (ir::ValueId v : n.implicit_inputs) drop(v);
  }

  uint64_t charged(ir::NodeId k) const { return charged_[k]; }

  // KernelHost.
  void charge(uint64_t bytes, std::string_view what) override { st_.charge(bytes, what); }
  uint64_t memory_budget() const override { return st_.budget; }
  int64_t max_iterations() const override { return st_.max_iterations; }
  void poll() override {
    st_.check_time();
    if (st_.stop_asked_in_kernel()) throw Interrupted{};
  }
  std::vector<Value> run_subgraph(const ir::Graph& sub, std::vector<Value> inputs) override {
    if (depth_ >= kMaxDepth) {
      ops::kernel_fail(Code::RunFailed, "subgraphs nest deeper than {} levels", kMaxDepth);
    }
    count_body();
    uint64_t outer_pending = st_.pending;
    st_.held += outer_pending;
    Frame f(st_, sub, this, caller_, depth_ + 1);
    for (size_t i = 0; i < sub.inputs.size() && i < inputs.size(); ++i) f.bind(sub.inputs[i], std::move(inputs[i]));
    std::vector<Value> outs = f.run_all();
    st_.held -= outer_pending;
    st_.pending = outer_pending;
    return outs;
  }

  std::vector<Value> run_all() {
    for (ir::NodeId k = 0; k < g_.nodes.size(); ++k) {
      if (st_.stop_asked()) throw Interrupted{};
      try {
        run_node(k);
      } catch (ops::KernelError& e) {
        // Name the node inside the subgraph, then let the outer node fail.
        if (e.message.find(node_desc(g_.nodes[k])) == std::string::npos) {
          e.message = fmt::format("in {} ({}): {}", node_desc(g_.nodes[k]), g_.path(), e.message);
        }
        throw;
      }
    }
    std::vector<Value> outs;
    for (ir::ValueId v : g_.outputs) {
      const Value* x = lookup(v);
      outs.push_back(x ? *x : Value(value::None{}));
    }
    return outs;
  }

 private:
  void call(const ir::Node& n, const ir::Function& fn, const std::vector<const Value*>& ins,
            std::vector<Value>& outs) {
    if (depth_ >= kMaxDepth) {
      ops::kernel_fail(Code::RunFailed, "{}: function calls nest deeper than {} levels", node_desc(n), kMaxDepth);
    }
    count_body();
    uint64_t outer_pending = st_.pending;
    st_.held += outer_pending;
    {
      Frame f(st_, *fn.body, nullptr, &n, depth_ + 1);
      for (size_t i = 0; i < fn.body->inputs.size(); ++i) {
        if (i < ins.size() && ins[i]) f.bind(fn.body->inputs[i], *ins[i]);
      }
      std::vector<Value> r = f.run_all();
      for (size_t i = 0; i < outs.size() && i < r.size(); ++i) outs[i] = std::move(r[i]);
    }
    st_.held -= outer_pending;
    st_.pending = outer_pending;
  }

  void count_body() {
    if (++st_.bodies > st_.max_iterations) {
      ops::kernel_fail(Code::RunLoopBudget,
                       "the run has computed {} subgraph and function bodies (Loop and Scan iterations, If branches, "
                       "function calls, nested ones included), the limit of --max-iterations",
                       st_.max_iterations);
    }
  }

  Budget& st_;
  const ir::Graph& g_;
  Frame* parent_;
  const ir::Node* caller_;
  int depth_;
  std::vector<Value> values_;
  std::vector<uint64_t> charged_;
  std::vector<uint32_t> uses_;
};

}  // namespace

struct TrialRun::State {
  Budget budget;
  std::unique_ptr<Frame> main;
};

TrialRun::TrialRun(const ir::Model& model, const analysis::Analysis* analysis, RunOptions opts)
    : model_(model), analysis_(analysis), opts_(opts),
      budget_(opts.max_memory ? opts.max_memory : default_memory_budget()) {
  stats_.resize(graph().nodes.size());
}

TrialRun::~TrialRun() = default;

void TrialRun::feed(std::string name, Tensor t) {
  other_feeds_.erase(name);
  feeds_[std::move(name)] = std::move(t);
  reset();
}

void TrialRun::feed_value(std::string name, Value v) {
  if (auto* t = std::get_if<Tensor>(&v)) return feed(std::move(name), std::move(*t));
  feeds_.erase(name);
  other_feeds_[std::move(name)] = std::move(v);
  reset();
}

std::vector<facts::Diagnostic> TrialRun::check_feeds() const {
  std::vector<analysis::FeedType> fed;
  for (const auto& [name, t] : feeds_) {
    std::vector<std::optional<int64_t>> dims(t.shape().begin(), t.shape().end());
    fed.push_back({name, analysis::FeedType::Kind::Tensor, t.dtype(), std::move(dims)});
  }
  for (const auto& [name, x] : other_feeds_) {
    fed.push_back({name, std::holds_alternative<value::Sequence>(x) ? analysis::FeedType::Kind::Sequence
                                                                     : analysis::FeedType::Kind::None});
  }
  return analysis::check_feeds(graph(), fed);
}

void TrialRun::start() {
  state_ = std::make_unique<State>();
  state_->budget.budget = budget_;
  state_->budget.max_iterations = opts_.max_iterations;
  state_->budget.max_seconds = opts_.max_seconds;
  state_->budget.keep_values = opts_.keep_values;
  state_->budget.model = &model_;
  state_->budget.interrupted = &opts_.interrupted;
  state_->budget.interrupted_in_kernel = &opts_.interrupted_in_kernel;
  state_->main = std::make_unique<Frame>(state_->budget, graph(), nullptr, nullptr, 0);
  bindings_.clear();
  const ir::Graph& g = graph();
  for (ir::ValueId v : g.inputs) {
    if (auto o = other_feeds_.find(g.value(v).name); o != other_feeds_.end()) state_->main->bind(v, o->second);
    auto it = feeds_.find(g.value(v).name);
    if (it == feeds_.end()) continue;
    state_->main->bind(v, it->second);
    const ir::Type& decl = g.declared_type(v);
    if (decl.is_tensor() && decl.has_shape && decl.rank() == it->second.rank()) {
      for (size_t a = 0; a < decl.rank(); ++a) {
        if (decl.dims[a].kind == ir::DimDecl::Kind::Param) bindings_.emplace(decl.dims[a].param, it->second.dim(a));
      }
    }
  }
  if (analysis_) {
    // Fresh symbols inference named after an input's axis, bound too.
    for (const auto& [symbol, origin] : analysis_->origins) {
      auto it = feeds_.find(origin.input);
      if (it != feeds_.end() && origin.axis < it->second.rank()) bindings_.emplace(symbol, it->second.dim(origin.axis));
    }
  }
}

void TrialRun::reset() {
  state_.reset();
  next_ = 0;
  paused_at_ = SIZE_MAX;
  failure_.reset();
  findings_.clear();
  std::fill(stats_.begin(), stats_.end(), NodeStats{});
}

void TrialRun::fail(ir::NodeId n, facts::Code code, std::string message) {
  // Whatever the code's usual phase, a node that fails while it computes
  // fails in a run.
  failure_ = diagnostic(code).phase(facts::Phase::Run).node(graph(), n).message(std::move(message));
}

Stop TrialRun::step() {
  if (failure_) return Stop::Failed;
  if (next_ >= graph().nodes.size()) return Stop::Done;
  if (!state_) {
    start();
    auto problems = check_feeds();
    for (auto& p : problems) {
      if (p.severity == facts::Severity::Error && !failure_) failure_ = p;
      else findings_.push_back(p);
    }
    if (failure_) return Stop::Failed;
  }
  ir::NodeId k = static_cast<ir::NodeId>(next_);
  auto t0 = std::chrono::steady_clock::now();
  const uint64_t held = state_->budget.held;
  const double initializers = state_->budget.initializers;
  state_->budget.step_start = t0;
  try {
    state_->main->run_node(k);
  } catch (const Interrupted&) {
    // The node's partial work is dropped: its frames are gone, its outputs
    // were never bound; what it had charged is given back.
    state_->budget.held = held;
    state_->budget.pending = 0;
    state_->budget.spent += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return Stop::Interrupted;
  } catch (const ops::KernelError& e) {
    fail(k, e.code, e.message);
  } catch (const Error& e) {
    fail(k, e.code() == "exec-dtype" ? Code::RunNoKernel : Code::RunFailed,
         fmt::format("{}: {}", node_desc(graph().nodes[k]), e.what()));
  } catch (const std::bad_alloc&) {
    fail(k, Code::RunMemoryBudget, fmt::format("{}: out of memory", node_desc(graph().nodes[k])));
  } catch (const std::exception& e) {
    // A kernel's unchecked case (a size the model made up past what a
    // vector holds): the node fails, named, instead of the process.
    fail(k, Code::RunFailed, fmt::format("{}: {} (a case onnxscope's kernel does not check)",
                                         node_desc(graph().nodes[k]), e.what()));
  }
  NodeStats& st = stats_[k];
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  state_->budget.spent += total;
  st.initializer_seconds = std::min(total, state_->budget.initializers - initializers);
  st.seconds = total - st.initializer_seconds;
  if (failure_) return Stop::Failed;
  st.ran = true;
  st.bytes = state_->main->charged(k);
  for (ir::ValueId v : graph().nodes[k].outputs) {
    const Value* x = v == ir::kNoValue ? nullptr : value(v);
    const Tensor* t = x ? value::tensor_of(*x) : nullptr;
    st.outputs.emplace_back(t ? t->dtype() : DType::Undefined, t ? t->shape() : std::vector<int64_t>{});
  }
  check_shapes(k);
  note_non_finite(k);
  if (!opts_.keep_values) state_->main->release_after(k);
  ++next_;
  return next_ >= graph().nodes.size() ? Stop::Done : Stop::Ran;
}

Stop TrialRun::run_to(ir::NodeId node) {
  while (next_ <= node) {
    Stop s = step();
    if (s != Stop::Ran) return s;
  }
  return Stop::Ran;
}

Stop TrialRun::run(bool stop_at_non_finite, const std::set<ir::NodeId>& breakpoints) {
  while (true) {
    // Stops before a breakpoint node, once: run() again goes past it.
    if (breakpoints.count(static_cast<ir::NodeId>(next_)) && paused_at_ != next_ && !done()) {
      paused_at_ = next_;
      return Stop::Breakpoint;
    }
    if (!done() && opts_.interrupted && opts_.interrupted()) return Stop::Interrupted;
    size_t k = next_;
    Stop s = step();
    if (s == Stop::Failed || s == Stop::Done || s == Stop::Interrupted) return s;
    if (stop_at_non_finite && stats_[k].non_finite) return Stop::NonFinite;
  }
}

const Value* TrialRun::value(ir::ValueId v) const {
  if (!state_) return nullptr;
  const Value* x = state_->main->lookup(v);
  return x && !std::holds_alternative<std::monostate>(*x) ? x : nullptr;
}

uint64_t TrialRun::bytes_held() const { return state_ ? state_->budget.held : 0; }

double TrialRun::seconds() const {
  double s = 0;
  for (const NodeStats& n : stats_) s += n.seconds;
  return s;
}

double TrialRun::initializer_seconds() const {
  double s = 0;
  for (const NodeStats& n : stats_) s += n.initializer_seconds;
  return s;
}

void TrialRun::check_shapes(ir::NodeId k) {
  if (!analysis_) return;
  const ir::Graph& g = graph();
  const ir::Node& n = g.nodes[k];
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    if (n.outputs[i] == ir::kNoValue) continue;
    const Value* x = value(n.outputs[i]);
    const Tensor* t = x ? value::tensor_of(*x) : nullptr;
    if (!t) continue;
    const facts::Inferred& inf = analysis_->value(g, n.outputs[i]);
    if (inf.kind != facts::Inferred::Kind::Tensor || !inf.shape.known) continue;
    std::string why;
    if (inf.shape.rank() != t->rank()) {
      why = fmt::format("rank {}, inference {}", t->rank(), inf.shape.rank());
    } else {
      for (size_t a = 0; a < t->rank() && why.empty(); ++a) {
        sym::Dim d = inf.shape.dims[a];
        if (!d) continue;
        auto want = sym::eval(d, bindings_);
        if (want && *want != t->dim(a)) {
          why = fmt::format("dimension {} is {}, inference {} = {}", a, t->dim(a), sym::to_string(d), *want);
        }
      }
    }
    if (!why.empty()) {
      findings_.push_back(diagnostic(Code::RunInferenceDisagrees)
                              .node(g, k)
                              .input(std::string(g.value(n.outputs[i]).name))
                              .message(fmt::format("{} output {} has shape [{}]: {}", node_desc(n), i,
                                                   fmt::join(t->shape(), ","), why)));
    }
  }
}

void TrialRun::note_non_finite(ir::NodeId k) {
  const ir::Graph& g = graph();
  const ir::Node& n = g.nodes[k];
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    if (n.outputs[i] == ir::kNoValue) continue;
    const Value* x = value(n.outputs[i]);
    if (!x || !non_finite(*x)) continue;
    stats_[k].non_finite = true;
    // Reported where it appears: not when an input already held one.
    bool inherited = false;
    for (ir::ValueId v : n.inputs) {
      const Value* in = v == ir::kNoValue ? nullptr : state_->main->lookup(v);
      if (in && non_finite(*in)) inherited = true;
    }
    if (!inherited) {
      findings_.push_back(diagnostic(Code::RunNonFinite)
                              .node(g, k)
                              .input(std::string(g.value(n.outputs[i]).name))
                              .message(fmt::format("{} output {} holds NaN or infinity, from finite inputs",
                                                   node_desc(n), i)));
    }
    break;
  }
}

}  // namespace onnxscope::exec
