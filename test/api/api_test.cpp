// The public C++ API (edge_rt/runtime.hpp) on a caller's io_context: async_load and
// async_generate with callback, use_awaitable and deferred completion tokens, cancellation,
// and sessions sharing one model. Reference: llama2.c's greedy output of stories260K.
#include "edge_rt/runtime.hpp"

#include "env.hpp"
#include "runtime/engine.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>

namespace edge_rt {
namespace {

std::vector<std::int32_t> reference_greedy_ids(std::size_t n)
{
    const char* data = std::getenv("EDGE_RT_TEST_DATA");
    if (!data)
        ADD_FAILURE() << "EDGE_RT_TEST_DATA is not set";
    std::ifstream in(std::filesystem::path(data ? data : "") / "stories260K/reference/greedy_bos_200steps.ids");
    std::vector<std::int32_t> ids;
    for (std::int32_t id; ids.size() < n && in >> id;)
        ids.push_back(id);
    EXPECT_EQ(ids.size(), n) << "reference ids missing";
    return ids;
}

Model load_blocking(asio::io_context& io, RuntimeConfig config = {},
                    const std::filesystem::path& path = test::bundled_model())
{
    Model model;
    std::exception_ptr error;
    async_load(io, path.string(), config, [&](std::exception_ptr e, Model m) {
        error = e;
        model = std::move(m);
    });
    io.run();
    io.restart();
    if (error)
        std::rethrow_exception(error);
    return model;
}

// Each test's io_context outlives its models: after the test body dropped them, TearDown runs
// it until their engines have shut down, as the API asks of embedders.
class PublicApi : public ::testing::Test {
protected:
    void TearDown() override
    {
        io.restart();
        io.run();
    }
    asio::io_context io{1};
};

// `error` holds an edge_rt::Error whose message names `what` (any other exception escapes
// and fails the test).
void expect_error_naming(const std::exception_ptr& error, const std::string& what)
{
    ASSERT_TRUE(error);
    try {
        std::rethrow_exception(error);
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
}

GenerateRequest greedy(std::size_t n)
{
    GenerateRequest r;
    r.max_tokens = n; // empty prompt: starts from BOS, as the reference does
    r.sampling.temperature = 0.0f;
    return r;
}

// info().arch is the architecture the file names, not the family the runtime computes it with.
TEST_F(PublicApi, InfoNamesTheFilesArchitecture)
{
    const auto arch_dir = test::shared_models() / "arch";
    if (!std::filesystem::exists(arch_dir / "qwen2-w256.gguf"))
        GTEST_SKIP() << arch_dir << " is absent (the shared architecture references)";
    const RuntimeConfig config{};
    EXPECT_EQ(load_blocking(io, config, arch_dir / "qwen2-w256.gguf").info().arch, "qwen2");
    EXPECT_EQ(load_blocking(io, config, arch_dir / "phi2-rand-qkv.gguf").info().arch, "phi2");
    EXPECT_EQ(load_blocking(io, config, arch_dir / "llama3rope-w256.gguf").info().arch, "llama");
}

TEST_F(PublicApi, CallbackTokenMatchesTheReferenceAndStreamsEveryToken)
{
    auto model = load_blocking(io);
    EXPECT_EQ(model.info().arch, "llama");
    EXPECT_TRUE(model.info().has_tokenizer);
    Session session(model);
    std::vector<std::int32_t> streamed;
    std::string streamed_text;
    std::error_code ec;
    GenerateResult result;
    async_generate(session, greedy(40), [&](const TokenEvent& t) {
        EXPECT_EQ(t.metrics.index, streamed.size());
        EXPECT_GT(t.metrics.pass_wall_ms, 0.0);
        streamed.push_back(t.id);
        streamed_text += t.text;
    },
                   [&](std::error_code e, GenerateResult r) {
                       ec = e;
                       result = std::move(r);
                   });
    io.run();
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(result.tokens, reference_greedy_ids(40));
    EXPECT_EQ(streamed, result.tokens);
    EXPECT_EQ(streamed_text, result.text);
    EXPECT_EQ(result.text.substr(0, 25), "Once upon a time, there w"); // reference .txt starts so
    EXPECT_EQ(result.stop, StopReason::MaxTokens);
    EXPECT_EQ(model.metrics().passes, 40u); // prefill + 39 decode passes
}

TEST_F(PublicApi, UseAwaitableAndDeferredGiveTheSameTokens)
{
    std::vector<std::int32_t> awaited, deferred;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        // A named config: GCC 12 miscompiles a braced temporary of a struct with std::string
        // members inside co_await (it bitwise-copies it; the copy's destructor frees a pointer
        // into the coroutine frame).
        const RuntimeConfig config;
        auto [error, model] = co_await async_load(io, test::bundled_model().string(), config,
                                                  asio::experimental::as_tuple(asio::use_awaitable));
        EXPECT_FALSE(error);
        Session session(model);
        auto r = co_await async_generate(session, greedy(20), {}, asio::use_awaitable);
        awaited = r.tokens;
        auto op = async_generate(session, greedy(20), {}, asio::experimental::deferred);
        auto [ec, r2] = co_await std::move(op)(asio::experimental::as_tuple(asio::use_awaitable));
        EXPECT_FALSE(ec);
        deferred = r2.tokens;
    }, [](std::exception_ptr e) { EXPECT_FALSE(e); });
    io.run();
    EXPECT_EQ(awaited, reference_greedy_ids(20));
    EXPECT_EQ(deferred, awaited);
}

// Cancels while the pass of token `at` is computing: the emit is posted from the token callback
// and runs once the next pass has handed its first group to the compute pool.
GenerateResult cancel_at(asio::io_context& io, Session& session, std::size_t at, std::error_code& ec)
{
    asio::cancellation_signal signal;
    GenerateResult result;
    async_generate(session, greedy(100), [&](const TokenEvent& t) {
        if (t.metrics.index + 1 == at)
            asio::post(io, [&signal] { signal.emit(asio::cancellation_type::terminal); });
    },
                   asio::bind_cancellation_slot(signal.slot(), [&](std::error_code e, GenerateResult r) {
                       ec = e;
                       result = std::move(r);
                   }));
    io.run();
    io.restart();
    return result;
}

TEST_F(PublicApi, CancellingMidGenerateStopsFreesTheBudgetAndKeepsTheModelUsable)
{
    // A budget that streams weights through the ring, so cancellation has reads to drain.
    RuntimeConfig config;
    auto probe = load_blocking(io);
    config.budget_bytes = probe.metrics().budget_bytes - 200'000;
    probe = {};
    io.run();
    io.restart();
    auto model = load_blocking(io, config);
    const auto baseline = model.metrics().budget_used_bytes;
    {
        Session session(model);
        EXPECT_GT(model.metrics().budget_used_bytes, baseline);
        std::error_code ec;
        const auto result = cancel_at(io, session, 5, ec);
        EXPECT_EQ(ec, asio::error::operation_aborted);
        EXPECT_EQ(result.stop, StopReason::Cancelled);
        ASSERT_EQ(result.tokens.size(), 5u); // what was produced before the cancelled pass
        EXPECT_EQ(result.tokens, reference_greedy_ids(5));
        EXPECT_EQ(model.metrics().active_generations, 0u);
    }
    EXPECT_EQ(model.metrics().budget_used_bytes, baseline);
    EXPECT_EQ(model.metrics().sessions, 0u);
    // The engine still generates correctly after the cancelled pass.
    Session again(model);
    std::error_code ec;
    GenerateResult result;
    async_generate(again, greedy(12), {}, [&](std::error_code e, GenerateResult r) {
        ec = e;
        result = std::move(r);
    });
    io.run();
    EXPECT_FALSE(ec);
    EXPECT_EQ(result.tokens, reference_greedy_ids(12));
}

GenerateRequest sampled(std::string prompt, std::uint64_t seed)
{
    GenerateRequest r;
    r.prompt = std::move(prompt);
    r.max_tokens = 30;
    r.sampling.seed = seed;
    return r;
}

TEST_F(PublicApi, TwoSessionsOverOneModelGiveTheTokensOfEachAlone)
{
    auto model = load_blocking(io);
    const GenerateRequest requests[2] = {sampled("Once upon a time", 7), sampled("The cat", 11)};
    std::vector<std::int32_t> alone[2], together[2];
    for (int i = 0; i < 2; ++i) {
        Session s(model);
        async_generate(s, requests[i], {}, [&, i](std::error_code ec, GenerateResult r) {
            EXPECT_FALSE(ec);
            alone[i] = r.tokens;
        });
        io.run();
        io.restart();
    }
    Session a(model), b(model);
    std::vector<int> order; // which session produced each streamed token: they take turns
    async_generate(a, requests[0], [&](const TokenEvent&) { order.push_back(0); },
                   [&](std::error_code ec, GenerateResult r) { EXPECT_FALSE(ec); together[0] = r.tokens; });
    async_generate(b, requests[1], [&](const TokenEvent&) { order.push_back(1); },
                   [&](std::error_code ec, GenerateResult r) { EXPECT_FALSE(ec); together[1] = r.tokens; });
    io.run();
    EXPECT_EQ(together[0], alone[0]);
    EXPECT_EQ(together[1], alone[1]);
    EXPECT_NE(alone[0], alone[1]);
    ASSERT_GE(order.size(), 4u);
    EXPECT_NE(order[0], order[1]) << "passes interleave at token granularity";
}

TEST_F(PublicApi, BadRequestsCompleteWithAClearError)
{
    auto model = load_blocking(io, {.ctx_size = 8});
    Session session(model);
    std::error_code ec;
    GenerateResult result;
    GenerateRequest r;
    r.prompt = "Once upon a time there was a little girl who liked cats";
    async_generate(session, r, {}, [&](std::error_code e, GenerateResult res) {
        ec = e;
        result = std::move(res);
    });
    // A second generate on a busy session is refused, the first is unaffected.
    std::error_code busy;
    async_generate(session, greedy(2), {}, [&](std::error_code e, GenerateResult) { busy = e; });
    io.run();
    EXPECT_EQ(ec, GenerateErrc::BadRequest);
    EXPECT_NE(result.error.find("more than the context of 8"), std::string::npos) << result.error;
    EXPECT_EQ(busy, GenerateErrc::Busy);
}

TEST_F(PublicApi, LoadFailureNamesTheFile)
{
    std::exception_ptr error;
    async_load(io, "/nonexistent/model.gguf", {}, [&](std::exception_ptr e, Model) { error = e; });
    io.run();
    expect_error_naming(error, "/nonexistent/model.gguf");
}

} // namespace
} // namespace edge_rt

namespace edge_rt {
namespace {

RuntimeConfig streaming_config()
{
    RuntimeConfig c;
    c.budget_bytes = 900 * 1024; // under the bundled model's 1.2 MiB of weights
    c.ctx_size = 64;
    c.io_backend = IoBackend::Pread;
    return c;
}

// async_plan's plan is the one the engine makes for the same options, and it reads no weight.
TEST(PublicApiPlan, CallbackPlanEqualsTheEnginesPlan)
{
    asio::io_context io{1};
    PlanInfo info;
    std::exception_ptr error;
    async_plan(io, test::bundled_model().string(), streaming_config(), [&](std::exception_ptr e, PlanInfo p) {
        error = e;
        info = std::move(p);
    });
    io.run(); // returns only once the plan is delivered (the operation holds work)
    ASSERT_FALSE(error);

    runtime::EngineOptions options;
    options.budget = 900 * 1024;
    options.n_ctx = 64;
    options.reader.backend = io::IoBackend::Pread;
    runtime::Engine engine(test::bundled_model(), options);
    const auto& plan = engine.plan();
    EXPECT_EQ(info.strategy, Strategy::SpeculativePrefetch);
    EXPECT_EQ(info.n_ctx, 64u);
    EXPECT_EQ(info.groups, plan.groups.size());
    EXPECT_EQ(info.slots, plan.slots);
    EXPECT_EQ(info.predicted_peak_bytes, plan.predicted_peak);
    EXPECT_EQ(info.streamed_bytes_per_pass, plan.streamed_bytes);
    EXPECT_EQ(info.minimum_budget_bytes, plan.minimum_budget);
    EXPECT_LE(info.predicted_peak_bytes, 900u * 1024u);
    EXPECT_GT(info.streamed_bytes_per_pass, 0u); // it does not all fit
    EXPECT_LT(info.resident_groups, info.groups);
}

// A budget below the minimum fails with BudgetError naming the minimum; use_awaitable throws it.
TEST(PublicApiPlan, AwaitableThrowsBudgetErrorBelowTheMinimum)
{
    asio::io_context io{1};
    auto config = streaming_config();
    config.budget_bytes = 64 * 1024;
    std::string message;
    bool budget_error = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            try {
                co_await async_plan(io, test::bundled_model().string(), config, asio::use_awaitable);
            } catch (const BudgetError& e) {
                budget_error = true;
                message = e.what();
            }
        },
        asio::detached);
    io.run();
    EXPECT_TRUE(budget_error);
    EXPECT_NE(message.find("minimum"), std::string::npos) << message;
}

TEST(PublicApiPlan, MissingFileIsAnIoErrorNamingIt)
{
    asio::io_context io{1};
    std::exception_ptr error;
    async_plan(io, "/nonexistent/model.gguf", RuntimeConfig{}, [&](std::exception_ptr e, PlanInfo) { error = e; });
    io.run();
    expect_error_naming(error, "/nonexistent/model.gguf");
}

} // namespace
} // namespace edge_rt
