// The architecture variants of ../shared/models/arch (README.md there): qwen2, llama with
// Llama 3 rope scaling, phi2. Each has llama.cpp's and a float64 forward pass's logits for one
// fixed 24-token sequence, every position, teacher forced.
#pragma once

#include "runtime/engine.hpp"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace edge_rt::test {

/// ../shared/models/arch, or empty when it is not there (the caller skips).
std::filesystem::path arch_models_dir();

/// The 24 token ids every reference evaluates (positions 0..23, one batch).
const std::vector<std::int32_t>& arch_reference_ids();

/// Logits of every position of arch_reference_ids() in one forward pass ([24][n_vocab]).
std::vector<float> teacher_forced_logits(runtime::Engine& engine);
/// The same for `model`, with golden_options() (kernel variant and threads from the environment).
std::vector<float> teacher_forced_logits(const std::filesystem::path& model);

/// Largest |a[i] - b[i]| (infinity when the sizes differ or a value is not finite).
double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b);

/// Arg-max of each row of `n_vocab` values.
std::vector<std::size_t> row_argmax(const std::vector<float>& logits, std::size_t n_vocab);

} // namespace edge_rt::test

/// Skips the test (visibly) when ../shared/models/arch is missing.
#define EDGE_RT_ARCH_DIR_OR_SKIP(dir)                                                                  \
    const auto dir = edge_rt::test::arch_models_dir();                                               \
    if (dir.empty())                                                                                 \
        GTEST_SKIP() << "no ../shared/models/arch (EDGE_RT_SHARED_MODELS) with the reference models"
