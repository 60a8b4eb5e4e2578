// Configuration of the embedded runtime, mirroring the CLI's `run` options and the TOML
// profiles in configs/: memory budget, execution strategy, threads, I/O backend, context,
// and sampling.
#pragma once

#include "edge_rt/export.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt {

/// How streamed weight groups pass through memory (see `edge-rt-async run --strategy`).
enum class Strategy {
    Sequential,          ///< one slot: a read never overlaps compute
    GreedyGrouping,      ///< one slot holding as many groups as fit
    SpeculativePrefetch, ///< a ring of slots: the next groups load while the current one computes
    Auto,                ///< the planner picks
};

/// How weights are read (`--io-backend`).
enum class IoBackend {
    Auto,  ///< io_uring when the kernel allows it, else pread
    Uring, ///< io_uring (fails to load when unavailable)
    Pread, ///< a small pool of threads calling pread
};

/// "sequential", "greedy-grouping", "speculative-prefetch", "auto".
EDGE_RT_API std::string_view to_string(Strategy s) noexcept;
/// The strategy of that name; throws ConfigError naming the value otherwise.
EDGE_RT_API Strategy parse_strategy(std::string_view name);
/// "auto", "uring", "pread".
EDGE_RT_API std::string_view to_string(IoBackend b) noexcept;
/// The backend of that name; throws ConfigError naming the value otherwise.
EDGE_RT_API IoBackend parse_io_backend(std::string_view name);

/// The resource monitor (`--no-monitor`, `--monitor-interval`, the [monitor] TOML section):
/// while generations run it reads /proc and /sys every interval, and at each token boundary the
/// generation loop applies its limits: fewer prefetch slots under memory pressure, fewer compute
/// threads when hot. Changes step one at a time and recover after calm readings.
struct MonitorConfig {
    /// Off by default for embedders; the CLI turns it on.
    bool enabled = false;
    /// Milliseconds between readings (> 0).
    unsigned interval_ms = 500;
    /// Memory pressure (PSI "some" avg10, percent) that lowers / lets recover the prefetch depth.
    double psi_high = 10.0, psi_low = 2.0;
    /// MemAvailable / MemTotal that lowers / lets recover the prefetch depth.
    double available_low = 0.05, available_ok = 0.15;
    /// Temperature (Celsius) that lowers / lets recover the compute threads.
    double celsius_high = 80.0, celsius_ok = 70.0;
    /// Calm readings in a row before a limit steps back up.
    unsigned calm_readings = 3;
    /// Root of the /proc and /sys tree read (tests and containers point it elsewhere).
    std::string root = "/";
    /// Called on the io_context thread with one line for each change of the limits.
    std::function<void(const std::string& line)> on_change{};
};

/// The CPUs this process may run on (sched_getaffinity; elsewhere the hardware's thread
/// count), at least 1: the default compute thread count of the API and the CLI.
EDGE_RT_API unsigned default_threads();

/// Everything fixed when a model is loaded (`run` options and the TOML keys of the same name).
struct RuntimeConfig {
    /// Bytes for everything the model and all its sessions hold; 0 = enough for the whole model.
    std::uint64_t budget_bytes = 0;
    /// Execution strategy for weights that do not fit the budget.
    Strategy strategy = Strategy::SpeculativePrefetch;
    /// Prefetch slots for SpeculativePrefetch (>= 2 overlaps reads with compute).
    unsigned prefetch_depth = 2;
    /// Compute pool threads; 0 = default_threads(), the CPUs this process may run on.
    unsigned threads = 0;
    /// Weight reader backend.
    IoBackend io_backend = IoBackend::Auto;
    /// O_DIRECT reads where the file system and alignment allow.
    bool direct_io = true;
    /// Context length in tokens the KV caches are planned for; 0 = min(model context, 2048).
    std::size_t ctx_size = 0;
    /// Prompt chunk in tokens: longer prompts run in several batched passes.
    std::size_t max_batch = 512;
    /// Sessions the plan reserves memory for (each a KV cache of ctx_size, activations for one
    /// prompt chunk, logits): sessions generating at once share every forward pass, so each
    /// streamed weight group is read once for all of them. 0 = 1. A session beyond them opens
    /// only while the budget has room (BudgetError otherwise).
    std::size_t sessions = 1;
    /// Reads in flight at once (io_uring queue depth, pread threads).
    unsigned queue_depth = 32;
    /// A weight read not completed after this many milliseconds ends the generation with an
    /// IoError naming the file ("... timed out after N s") instead of waiting forever; 0 = no limit.
    unsigned read_timeout_ms = 30'000;
    /// A tokenizer to use instead of the model's own (a GGUF, a tokenizer.json, or a folder with
    /// vocab.json+merges.txt or encoder.json+vocab.bpe); empty = the model's. Unlike the model's
    /// own, which is optional, it must load.
    std::string tokenizer_path{};
    /// The resource monitor.
    MonitorConfig monitor{};
    /// Speculative decoding's draft model (`--draft-model`): a small model with the same
    /// vocabulary, loaded fully resident next to this one. Its bytes (weights, KV cache,
    /// activations) are charged to budget_bytes: the target model plans with what is left.
    /// Empty = none.
    std::string draft_model_path{};
    /// Draft tokens a verify pass carries at most (`--draft-max`); 0 = 8. With a draft model,
    /// logits for draft_max + 1 rows are planned for (otherwise they are charged when a
    /// speculative generation starts).
    std::size_t draft_max = 0;
};

/// Where speculative decoding's guesses come from (`--lookup`, `--draft-model`).
enum class DraftKind {
    None,   ///< plain decoding: one token per forward pass
    Lookup, ///< prompt lookup: the tokens that followed the context's last n-gram earlier in it
    Model,  ///< the draft model loaded with RuntimeConfig::draft_model_path
    /// A measuring device for benchmarks, not a feature: replays SpeculationConfig::replay_ids
    /// (the model's own greedy continuation, recorded) with each guess right with probability
    /// replay_acceptance, so a speed-up can be measured at a chosen acceptance.
    Replay,
};

/// Speculative decoding for one generation: a draft guesses up to k tokens, one pass of the
/// model verifies them all (each streamed weight group read once for the batch), the KV cache
/// keeps what was accepted. Greedy output is exactly plain greedy decoding's; sampled output
/// has the same distribution (the standard accept/reject rule).
struct SpeculationConfig {
    /// The draft.
    DraftKind draft = DraftKind::None;
    /// Prompt lookup: the longest n-gram tried (down to 1).
    std::size_t lookup_ngram = 3;
    /// k at most for this generation; 0 = RuntimeConfig::draft_max. The plan's cost model
    /// lowers it so a verify pass stays bound by its reads, and k shrinks while the model
    /// rejects most guesses.
    std::size_t max_draft = 0;
    /// DraftKind::Replay only: the generation's greedy tokens as recorded, and the probability
    /// that each guess is right (its first wrong guess ends a proposal).
    std::vector<std::int32_t> replay_ids{};
    double replay_acceptance = 1.0;
};

/// Token sampling (`--temp`, `--top-k`, `--top-p`, `--repeat-penalty`, `--repeat-last-n`, `--seed`).
struct SamplingConfig {
    /// <= 0: greedy (argmax; the lowest id wins a tie).
    float temperature = 0.8f;
    /// Keep the K most likely tokens; <= 0 = all.
    int top_k = 40;
    /// Keep the most likely tokens up to this probability; 1 = all.
    float top_p = 0.95f;
    /// Penalty for recent tokens; 1 = off.
    float repeat_penalty = 1.0f;
    /// Recent tokens the penalty looks at; -1 = all.
    int repeat_last_n = 64;
    /// Seed of the random draws: the same seed gives the same text everywhere.
    std::uint64_t seed = 0;
};

} // namespace edge_rt
