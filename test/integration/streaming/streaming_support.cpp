#include "streaming_support.hpp"

#include "env.hpp"
#include "model_data.hpp"
#include "writer/synthetic_model.hpp"
#include "plan/plan.hpp"
#include "runtime/conversation.hpp"
#include "small_config.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <gtest/gtest.h>

namespace edge_rt::test {

std::filesystem::path wide_vocab_model()
{
    static const TempDir dir;
    static const std::filesystem::path path = [] {
        model::SyntheticOptions o;
        o.preset = "wide-vocab";
        o.custom = small_llama_config("wide-vocab", 3, 4096);
        o.weight_type = DType::Q8_0;
        o.seed = 5;
        o.output = dir.path() / "wide-vocab-q8_0.gguf";
        model::write_synthetic_model(o);
        return o.output;
    }();
    return path;
}

std::vector<std::filesystem::path> streaming_models()
{
    return {bundled_model(), test_data("stories260K/variants/stories260K-Q8_0.gguf"),
            test_data("gpt2-tiny-random-f32"), wide_vocab_model()};
}

runtime::EngineOptions small_options(std::size_t logit_rows)
{
    runtime::EngineOptions o;
    o.logit_rows = logit_rows;
    o.n_ctx = 64;
    o.max_batch = 8;
    return o;
}

std::uint64_t weight_bytes(const plan::PlanRequest& request)
{
    std::uint64_t total = 0;
    for (const auto& g : request.groups)
        total += g.bytes;
    return total;
}

std::uint64_t quarter_budget(const std::filesystem::path& model, std::size_t logit_rows)
{
    runtime::Engine resident(model, small_options(logit_rows));
    const auto& r = resident.plan_request();
    std::uint64_t rows = 0;
    for (const auto& g : r.groups)
        rows += g.row_bytes;
    const std::uint64_t quarter = r.fixed_bytes + rows + weight_bytes(r) / 4;
    return std::max(quarter, plan::minimum_budget(r));
}

std::vector<float> step_logits(runtime::Conversation& session, std::int32_t id)
{
    const auto l = session.forward(std::vector<std::int32_t>{id});
    return {l.begin(), l.end()};
}

std::vector<float> resident_logits(const std::filesystem::path& model)
{
    runtime::Engine resident(model, small_options());
    runtime::Conversation want(resident);
    want.forward(std::vector<std::int32_t>{1, 2, 3});
    return step_logits(want, 5);
}

GreedyRun greedy_run(runtime::Engine& engine, std::size_t prompt_len, std::size_t steps)
{
    const auto vocab = static_cast<std::int32_t>(engine.config().n_vocab);
    std::vector<std::int32_t> prompt;
    for (std::size_t i = 0; i < prompt_len; ++i)
        prompt.push_back(static_cast<std::int32_t>((7 + 37 * i) % static_cast<std::size_t>(vocab)));
    runtime::Conversation session(engine);
    GreedyRun run;
    auto logits = session.forward(prompt, true);
    run.logits.assign(logits.begin(), logits.end());
    auto last = logits.subspan(logits.size() - engine.config().n_vocab);
    for (std::size_t s = 0; s < steps; ++s) {
        const auto id = static_cast<std::int32_t>(std::max_element(last.begin(), last.end()) - last.begin());
        run.ids.push_back(id);
        last = session.forward(std::vector<std::int32_t>{id});
        run.logits.insert(run.logits.end(), last.begin(), last.end());
    }
    return run;
}

} // namespace edge_rt::test
