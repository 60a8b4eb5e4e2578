// Helpers of the speculative-decoding tests: engines, a draft model sharing the target's
// io_context (as the API runs it), and generations with and without a draft.
#pragma once

#include "runtime/conversation.hpp"
#include "runtime/engine.hpp"
#include "runtime/generate.hpp"

#include <filesystem>
#include <memory>
#include <vector>

namespace edge_rt::test {

/// Skips the test when EDGE_RT_KERNELS names a variant this CPU lacks.
bool kernels_unavailable();

/// Context 256, prompt chunk 16, logits planned for 9 rows (k = 8); budget 0 = resident.
runtime::EngineOptions spec_options(std::uint64_t budget = 0);

/// About a quarter of the weights plus the fixed reservations (at least the minimum): every
/// pass streams most groups.
std::uint64_t streaming_budget(const std::filesystem::path& model);

/// A fully resident draft engine on `target`'s io_context, loaded and shut down there.
class DraftEngine {
public:
    DraftEngine(runtime::Engine& target, const std::filesystem::path& path);
    ~DraftEngine();
    runtime::Engine& engine() { return *engine_; }

private:
    runtime::Engine& target_;
    std::unique_ptr<runtime::Engine> engine_;
};

/// `n` tokens after `prompt` on a fresh conversation (no EOS stop), with `draft` verifying up
/// to `k` tokens per pass when given.
runtime::Generation generate_with(runtime::Engine& engine, const std::vector<std::int32_t>& prompt, std::size_t n,
                                  const runtime::SamplerConfig& sampler, runtime::Draft* draft = nullptr,
                                  std::size_t k = 0);

runtime::SamplerConfig greedy();

/// llama2.c's greedy continuation of BOS for stories260K: a real story as a prompt.
std::vector<std::int32_t> story_prompt(std::size_t n);

} // namespace edge_rt::test
