// A model ready to run, and the streaming engine that runs every forward pass of it.
// Loading: open the model → validate → size each weight group → make_plan → lease the
// resident groups and the prefetch ring from ONE pool/budget → read the resident groups once
// → start the first prefetch reads. forward() then runs the pipeline of DESIGN.md §2 as a
// coroutine on the engine's executor (see streamer.hpp for the read schedule).
#pragma once

#include "edge_rt/error.hpp"
#include "exec/executor.hpp"
#include "io/reader.hpp"
#include "kernels/kernel_table.hpp"
#include "memory/budget.hpp"
#include "memory/pool.hpp"
#include "arch/architecture.hpp"
#include "model/model_source.hpp"
#include "monitor/monitor.hpp"
#include "exec/stop.hpp"
#include "plan/plan.hpp"
#include "runtime/metrics.hpp"

#include <asio/awaitable.hpp>
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>

namespace edge_rt::runtime {

class Streamer;
class RowReader;
class PassBatcher;

struct EngineOptions {
    /// Bytes for everything the engine and its sessions hold; 0 = no limit (every weight
    /// resident; budget_bytes() then reports what that takes).
    std::uint64_t budget = 0;
    plan::Strategy strategy = plan::Strategy::SpeculativePrefetch;
    unsigned prefetch_depth = 2;
    std::size_t n_ctx = 0;       // context the KV cache is planned for; 0 = default_context_length()
    std::size_t max_batch = 512; // prompt chunk: activations and embedding rows are planned for it
    std::size_t logit_rows = 1;  // rows of logits planned for (more when every prompt row is wanted)
    std::size_t sessions = 1;    // sessions planned for: each its KV cache, activations, logits
    unsigned threads = 1;        // compute pool threads
    io::ReaderOptions reader;    // backend, O_DIRECT, queue depth (and test hooks)
    /// Embedding: run on this io_context (the caller runs it) instead of an owned one. The
    /// constructor then stops before the resident reads, which would block: the caller
    /// co_awaits load_resident() on that io_context, and shutdown() before destroying the engine.
    asio::io_context* io = nullptr;
    const kernels::KernelTable* kernels = nullptr; // nullptr = best_kernels() (EDGE_RT_KERNELS or the CPU's best)
    /// Tests only: called on the compute thread as each architecture group starts computing.
    std::function<void(std::size_t arch_group)> on_group;
};

/// Thrown by forward() when its step's stop flag was set; the pass ended at a group boundary.
class Cancelled : public Error {
public:
    using Error::Error;
};

/// One batch through every group: what the pipeline hands to the architecture.
struct ForwardStep {
    std::span<const std::int32_t> tokens;
    std::size_t pos0 = 0;
    model::Activations* act = nullptr;
    model::KvCache* kv = nullptr;
    std::size_t logit_rows = 0; // 0: skip the output computation (a non-final prompt chunk)
    std::span<float> logits;
    /// The generation's stop flag (exec::StopSource), checked before each group; null = never.
    const std::atomic<bool>* stop = nullptr;
};

/// A step in a batched pass (PassBatcher): the pass finishes a member early (done, error =
/// Cancelled) when its stop flag is set at a group boundary, and calls `finished` then.
struct BatchMember {
    ForwardStep step;
    std::exception_ptr error;
    bool done = false;
    std::function<void()> finished;
};

/// min(the model's trained context, 2048).
std::size_t default_context_length(const model::ModelConfig& config);

/// The context to plan for: `requested`, or default_context_length() when 0. Throws
/// ConfigError, naming `who` (a file or model name), when GPT-2's learned positions end sooner.
std::size_t checked_context_length(const model::ModelConfig& config, std::size_t requested, const std::string& who);

class Engine {
public:
    /// Opens `path` (GGUF file or SafeTensors folder) and loads it as described above. Throws
    /// FormatError / IoError naming the file, BudgetError (before any weight is read) when
    /// the budget is below the plan's minimum, ConfigError for impossible options.
    explicit Engine(const std::filesystem::path& path, EngineOptions options = {});
    /// The same for a model whose headers are already read.
    explicit Engine(model::ModelSource source, EngineOptions options = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    const model::ModelSource& source() const { return source_; }
    const model::ModelConfig& config() const { return source_.config; }
    const model::Architecture& arch() const { return *arch_; }
    const EngineOptions& options() const { return options_; }
    const plan::PlanRequest& plan_request() const { return request_; }
    const plan::ExecutionPlan& plan() const { return plan_; }
    std::size_t n_ctx() const { return n_ctx_; }
    std::size_t max_batch() const { return options_.max_batch; }

    memory::MemoryBudget& budget() { return *budget_; }
    const memory::MemoryBudget& budget() const { return *budget_; }
    /// The budget asked for, or (no limit) what the whole model takes: the plan's peak.
    std::uint64_t budget_bytes() const { return options_.budget ? options_.budget : plan_.predicted_peak; }
    exec::Executor& executor() { return *executor_; }
    const io::WeightReader& reader() const { return *reader_; }

    /// Wall time of the constructor: headers, validation, plan, resident reads, transposes.
    double load_ms() const { return load_ms_; }
    std::uint64_t load_bytes_read() const { return load_bytes_; }
    /// Every forward pass since the last reset_metrics(), summed; and the last one alone.
    const PassMetrics& totals() const { return totals_; }
    const PassMetrics& last_pass() const { return last_; }
    void reset_metrics() { totals_ = {}; }

    /// One step (a prompt chunk, a token, a verify batch) of one session, run in the next pass
    /// together with every other session's step waiting then (continuous batching: each
    /// streamed group is read once per pass, for all of them). Must run on executor().io().
    /// Throws Cancelled once `stop` is requested (a waiting step leaves at once, a running one
    /// at the next group boundary; the others in its pass go on), IoError from reads (for every
    /// step of that pass; the ring is drained and restarted, so the engine stays usable).
    asio::awaitable<void> forward(ForwardStep step, exec::StopSource* stop = nullptr);
    /// Steps waiting for the next pass, and steps in the pass running now.
    std::size_t queued_steps() const;
    std::size_t running_steps() const;
    /// Its limits apply before every pass (a token boundary for every session); null = none.
    /// Must outlive the engine's passes and run on the engine's io_context.
    void set_monitor(const monitor::Monitor* monitor) { monitor_ = monitor; }

    /// Token boundary only (no pass running; on executor().io()): the monitor's limits. The
    /// prefetch ring uses at most `prefetch_depth` of its planned slots (never more than planned,
    /// at least 1; see Streamer::resize_ring) and active_threads() becomes `threads`, clamped
    /// to [1, options().threads]. No-op when nothing changes.
    asio::awaitable<void> apply_limits(unsigned prefetch_depth, unsigned threads);
    /// The same from outside the io_context, for an engine that owns it (tests, tools).
    void apply_limits_blocking(unsigned prefetch_depth, unsigned threads);
    /// Prefetch slots in use now (0 when nothing streams).
    unsigned prefetch_depth() const;
    /// Compute threads the kernels may use now (the monitor lowers it when hot).
    unsigned active_threads() const noexcept { return active_threads_.load(std::memory_order_relaxed); }
    /// Embedded engines only (options().io): reads the resident groups and starts the first
    /// prefetch reads, without blocking the io_context. Must run on executor().io(), once.
    asio::awaitable<void> load_resident();
    /// Waits for every read in flight. An embedded engine's destructor never waits (it cannot
    /// when the caller's io_context is not running), so embedders await this last, on
    /// executor().io(), before destroying the engine.
    asio::awaitable<void> shutdown();


private:
    void load();
    plan::PlanRequest make_request() const;
    asio::awaitable<void> run_pass(std::span<BatchMember* const> members);
    asio::awaitable<void> embed_on_demand(const ForwardStep& step);
    asio::awaitable<void> run_groups(std::vector<BatchMember*>& live, double& compute_ms);
    void compute_group(std::size_t planned, const ForwardStep& step, const std::vector<std::vector<kernels::WeightView>>& views) const;

    model::ModelSource source_;
    EngineOptions options_;
    std::unique_ptr<model::Architecture> arch_;
    std::size_t n_ctx_ = 0;
    plan::PlanRequest request_;
    plan::ExecutionPlan plan_;
    // Destroyed bottom-up: the streamer's reads finish before the reader, the leases return
    // before the pool, the pool before the budget.
    std::unique_ptr<memory::MemoryBudget> budget_;
    std::unique_ptr<memory::Pool> pool_;
    std::unique_ptr<exec::Executor> executor_;
    std::unique_ptr<io::WeightReader> reader_;
    std::unique_ptr<RowReader> rows_;
    std::unique_ptr<Streamer> streamer_;
    std::shared_ptr<PassBatcher> batcher_;
    const monitor::Monitor* monitor_ = nullptr;
    std::atomic<unsigned> active_threads_{1};
    bool shut_down_ = false;
    double load_ms_ = 0;
    std::uint64_t load_bytes_ = 0;
    PassMetrics totals_, last_;
};

} // namespace edge_rt::runtime
