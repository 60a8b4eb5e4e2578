// Helpers of the streaming tests: the reference models, budgets that force streaming, and a
// greedy run that records every logit so two runs can be compared bit for bit.
#pragma once

#include "runtime/engine.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace edge_rt::runtime {
class Conversation;
}

namespace edge_rt::test {

/// The models every streaming test runs: stories260K F32 (bundled), its Q8_0 variant, the
/// GPT-2 F32 SafeTensors folder (transposed Conv1D tensors, two-tensor embedding group), and
/// wide_vocab_model().
std::vector<std::filesystem::path> streaming_models();

/// A synthetic Q8_0 Llama whose output matrix (vocabulary 4096 x 64) is several times a layer,
/// so the runtime splits it into parts; written once per process into a temporary folder.
std::filesystem::path wide_vocab_model();

/// Small context and prompt chunk, so fixed reservations stay small next to the weights;
/// logits planned for `logit_rows` rows (greedy_run wants every prompt row).
runtime::EngineOptions small_options(std::size_t logit_rows = 1);

/// Weight bytes of the plan's groups (what a fully resident run holds).
std::uint64_t weight_bytes(const plan::PlanRequest& request);

/// About a quarter of the weights plus the fixed reservations (with `logit_rows` rows of
/// logits) and row buffers, or the minimum when one group is bigger than that.
std::uint64_t quarter_budget(const std::filesystem::path& model, std::size_t logit_rows = 1);

/// The logits after feeding `id` to the session (one forward pass, one row).
std::vector<float> step_logits(runtime::Conversation& session, std::int32_t id);

/// Token 5's logits after 1, 2, 3 with every weight of `model` resident: what a streamed
/// session that survived a storage fault must still produce.
std::vector<float> resident_logits(const std::filesystem::path& model);

struct GreedyRun {
    std::vector<std::int32_t> ids;
    std::vector<float> logits; // every prompt row, then each decode step's row
};

/// A prompt of `prompt_len` ids (deterministic, inside the vocabulary), then `steps` greedy
/// tokens, each fed back one at a time.
GreedyRun greedy_run(runtime::Engine& engine, std::size_t prompt_len, std::size_t steps);

} // namespace edge_rt::test
