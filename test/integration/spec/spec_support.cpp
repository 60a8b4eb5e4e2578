#include "spec_support.hpp"

#include "kernels/dispatch.hpp"
#include "model_data.hpp"
#include "plan/plan.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <gtest/gtest.h>

namespace edge_rt::test {

bool kernels_unavailable()
{
    const char* forced = std::getenv("EDGE_RT_KERNELS");
    if (forced == nullptr || *forced == '\0')
        return false;
    const auto all = kernels::available_kernels();
    return std::none_of(all.begin(), all.end(), [&](const auto* t) { return std::strcmp(t->name, forced) == 0; });
}

runtime::EngineOptions spec_options(std::uint64_t budget)
{
    runtime::EngineOptions o;
    o.n_ctx = 256;
    o.max_batch = 16;
    o.logit_rows = 9;
    o.budget = budget;
    return o;
}

std::uint64_t streaming_budget(const std::filesystem::path& model)
{
    runtime::Engine resident(model, spec_options());
    const auto& r = resident.plan_request();
    std::uint64_t weights = 0, rows = 0;
    for (const auto& g : r.groups) {
        weights += g.bytes;
        rows += g.row_bytes;
    }
    return std::max(r.fixed_bytes + rows + weights / 4, plan::minimum_budget(r));
}

DraftEngine::DraftEngine(runtime::Engine& target, const std::filesystem::path& path) : target_(target)
{
    auto o = spec_options();
    o.io = &target.executor().io();
    engine_ = std::make_unique<runtime::Engine>(path, o);
    target.executor().run_blocking(engine_->load_resident());
}

DraftEngine::~DraftEngine()
{
    target_.executor().run_blocking(engine_->shutdown());
}

runtime::Generation generate_with(runtime::Engine& engine, const std::vector<std::int32_t>& prompt, std::size_t n,
                                  const runtime::SamplerConfig& sampler, runtime::Draft* draft, std::size_t k)
{
    runtime::Conversation conv(engine);
    runtime::GenerateOptions o;
    o.max_tokens = n;
    o.sampler = sampler;
    o.speculation = {draft, k};
    return runtime::generate(conv, prompt, o);
}

runtime::SamplerConfig greedy()
{
    runtime::SamplerConfig s;
    s.temperature = 0.0f;
    return s;
}

std::vector<std::int32_t> story_prompt(std::size_t n)
{
    auto ids = read_ids(test_data("stories260K/reference/greedy_bos_200steps.ids"));
    ids.resize(std::min(n, ids.size()));
    ids.insert(ids.begin(), 1); // BOS
    return ids;
}

} // namespace edge_rt::test
