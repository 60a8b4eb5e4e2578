// Configuration of the embedded runtime, mirroring the CLI's `run` options and the TOML
// profiles in configs/: memory budget, execution strategy, threads, I/O backend, context,
// and sampling.
#pragma once

#include <cstddef>
#include <cstdint>

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

/// Everything fixed when a model is loaded (`run` options and the TOML keys of the same name).
struct RuntimeConfig {
    /// Bytes for everything the model and all its sessions hold; 0 = enough for the whole model.
    std::uint64_t budget_bytes = 0;
    /// Execution strategy for weights that do not fit the budget.
    Strategy strategy = Strategy::SpeculativePrefetch;
    /// Prefetch slots for SpeculativePrefetch (>= 2 overlaps reads with compute).
    unsigned prefetch_depth = 2;
    /// Compute pool threads.
    unsigned threads = 1;
    /// Weight reader backend.
    IoBackend io_backend = IoBackend::Auto;
    /// O_DIRECT reads where the file system and alignment allow.
    bool direct_io = true;
    /// Context length in tokens the KV caches are planned for; 0 = min(model context, 2048).
    std::size_t ctx_size = 0;
    /// Prompt chunk in tokens: longer prompts run in several batched passes.
    std::size_t max_batch = 512;
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
