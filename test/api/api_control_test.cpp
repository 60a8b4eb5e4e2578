// The public API's control of a running generation: the monitor throttling an embedded session
// (pressure driven through a fake /proc), cancelling a generation that waits for another
// session's pass, and a moved-from session. Reference: llama2.c's greedy output of stories260K.
#include "edge_rt/runtime.hpp"

#include "env.hpp"
#include "temp_dir.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/post.hpp>
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

void put(const std::filesystem::path& path, const std::string& text)
{
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

// A machine under memory pressure (PSI some avg10 23.1%, half the memory available) and hot
// (85 C), as /proc and /sys show it.
void fake_pressured_machine(const std::filesystem::path& root)
{
    put(root / "proc/meminfo", "MemTotal:        3884096 kB\nMemFree:  100 kB\nMemAvailable:    1942048 kB\n");
    put(root / "proc/pressure/memory", "some avg10=23.10 avg60=0.00 avg300=0.00 total=0\n"
                                       "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
    put(root / "sys/class/thermal/thermal_zone0/temp", "85000\n");
    put(root / "sys/class/thermal/thermal_zone0/type", "cpu-thermal\n");
}

// The bundled model streamed through a two-slot ring (the budget the CLI tests stream it with).
RuntimeConfig streaming_config()
{
    RuntimeConfig c;
    c.budget_bytes = 900 * 1024;
    c.ctx_size = 64;
    c.strategy = Strategy::SpeculativePrefetch;
    c.io_backend = IoBackend::Pread;
    c.threads = 2;
    return c;
}

GenerateRequest greedy(std::size_t n)
{
    GenerateRequest r;
    r.max_tokens = n; // empty prompt: starts from BOS, as the reference does
    r.sampling.temperature = 0.0f;
    return r;
}

class ApiControl : public ::testing::Test {
protected:
    Model load(RuntimeConfig config)
    {
        Model model;
        std::exception_ptr error;
        async_load(io, test::bundled_model().string(), std::move(config), [&](std::exception_ptr e, Model m) {
            error = e;
            model = std::move(m);
        });
        io.run();
        io.restart();
        if (error)
            std::rethrow_exception(error);
        return model;
    }
    // The engines shut down on the io_context after the test body dropped the models.
    void TearDown() override
    {
        io.restart();
        io.run();
    }
    asio::io_context io{1};
};

} // namespace

// The monitor's first reading (taken when the generation starts) sees pressure and heat: from the
// first token boundary on, the ring uses one slot and the kernels one thread, the change is
// reported once, and the tokens are still the reference's.
TEST_F(ApiControl, MonitorThrottlesAnEmbeddedSessionAtTokenBoundaries)
{
    test::TempDir dir;
    fake_pressured_machine(dir.path());
    auto config = streaming_config();
    config.monitor.enabled = true;
    config.monitor.interval_ms = 3600 * 1000; // one reading, at the start: deterministic
    config.monitor.root = dir.path().string();
    std::vector<std::string> log;
    config.monitor.on_change = [&](const std::string& line) { log.push_back(line); };
    Model model = load(config);
    ASSERT_FALSE(model.plan().fully_resident);
    ASSERT_EQ(model.plan().slots, 2u);
    EXPECT_EQ(model.metrics().prefetch_depth, 2u);
    EXPECT_EQ(model.metrics().active_threads, 2u);

    Session session(model);
    std::vector<unsigned> depth, threads;
    std::error_code ec;
    GenerateResult result;
    async_generate(
        session, greedy(6),
        [&](const TokenEvent&) {
            const auto m = model.metrics();
            depth.push_back(m.prefetch_depth);
            threads.push_back(m.active_threads);
        },
        [&](std::error_code e, GenerateResult r) {
            ec = e;
            result = std::move(r);
        });
    io.run(); // returns: the monitor's timer runs only while a generation does
    io.restart();
    ASSERT_FALSE(ec) << result.error;
    EXPECT_EQ(result.tokens, reference_greedy_ids(6));
    EXPECT_EQ(depth, std::vector<unsigned>(6, 1u));
    EXPECT_EQ(threads, std::vector<unsigned>(6, 1u));
    ASSERT_EQ(log.size(), 1u);
    EXPECT_NE(log[0].find("prefetch depth 2 -> 1, threads 2 -> 1"), std::string::npos) << log[0];
    EXPECT_NE(log[0].find("23.1%"), std::string::npos) << log[0];
    EXPECT_LE(model.metrics().budget_peak_bytes, config.budget_bytes);
}

// Without the monitor nothing changes: the limits are the plan's.
TEST_F(ApiControl, WithoutTheMonitorTheLimitsStayThePlans)
{
    Model model = load(streaming_config());
    Session session(model);
    std::vector<unsigned> depth;
    async_generate(
        session, greedy(3), [&](const TokenEvent&) { depth.push_back(model.metrics().prefetch_depth); },
        [](std::error_code, GenerateResult) {});
    io.run();
    io.restart();
    EXPECT_EQ(depth, std::vector<unsigned>(3, 2u));
}

// Session b waits for a's pass (passes are serialised). Cancelling b completes it at once, with
// operation_aborted, before a has produced a token; a is undisturbed, and b works afterwards.
TEST_F(ApiControl, CancellingAGenerateWaitingForAnotherSessionsPassCompletesPromptly)
{
    Model model = load({});
    Session a(model), b(model);
    std::size_t a_tokens = 0;
    std::size_t a_tokens_when_b_completed = SIZE_MAX;
    GenerateResult a_result, b_result;
    std::error_code a_ec, b_ec;
    bool b_done = false;
    asio::cancellation_signal cancel_b;
    async_generate(a, greedy(40), [&](const TokenEvent&) { ++a_tokens; }, [&](std::error_code e, GenerateResult r) {
        a_ec = e;
        a_result = std::move(r);
    });
    async_generate(b, greedy(40), {},
                   asio::bind_cancellation_slot(cancel_b.slot(), [&](std::error_code e, GenerateResult r) {
                       b_ec = e;
                       b_result = std::move(r);
                       b_done = true;
                       a_tokens_when_b_completed = a_tokens;
                   }));
    // Runs after both have started: a holds the pass lock (its prefill), b is queued behind it.
    asio::post(io, [&] {
        EXPECT_EQ(model.metrics().active_generations, 2u);
        cancel_b.emit(asio::cancellation_type::terminal);
    });
    io.run();
    io.restart();
    ASSERT_TRUE(b_done);
    EXPECT_EQ(b_ec, asio::error::operation_aborted);
    EXPECT_EQ(b_result.stop, StopReason::Cancelled);
    EXPECT_TRUE(b_result.tokens.empty());
    EXPECT_EQ(a_tokens_when_b_completed, 0u) << "b waited for a's pass instead of leaving the queue";
    ASSERT_FALSE(a_ec) << a_result.error;
    EXPECT_EQ(a_result.tokens, reference_greedy_ids(40));

    GenerateResult again;
    async_generate(b, greedy(8), {}, [&](std::error_code e, GenerateResult r) {
        EXPECT_FALSE(e) << r.error;
        again = std::move(r);
    });
    io.run();
    io.restart();
    EXPECT_EQ(again.tokens, reference_greedy_ids(8));
}

// Every cancellation type is honoured the same way.
TEST_F(ApiControl, PartialAndTotalCancellationStopAsTerminalDoes)
{
    Model model = load({});
    for (auto type : {asio::cancellation_type::partial, asio::cancellation_type::total}) {
        Session session(model);
        asio::cancellation_signal cancel;
        std::error_code ec;
        GenerateResult result;
        async_generate(
            session, greedy(100),
            [&](const TokenEvent& t) {
                if (t.metrics.index == 2)
                    cancel.emit(type);
            },
            asio::bind_cancellation_slot(cancel.slot(), [&](std::error_code e, GenerateResult r) {
                ec = e;
                result = std::move(r);
            }));
        io.run();
        io.restart();
        EXPECT_EQ(ec, asio::error::operation_aborted);
        EXPECT_EQ(result.stop, StopReason::Cancelled);
        EXPECT_EQ(result.tokens, reference_greedy_ids(3)); // stopped before the next pass
    }
}

// A moved-from session holds nothing and says so instead of dereferencing null.
TEST_F(ApiControl, AMovedFromSessionIsAClearErrorNotACrash)
{
    Model model = load({});
    Session from(model);
    Session to(std::move(from));
    EXPECT_FALSE(from.valid());
    EXPECT_TRUE(to.valid());
    EXPECT_EQ(from.n_ctx(), 0u);
    EXPECT_EQ(from.bytes(), 0u);
    EXPECT_THROW(from.model(), ConfigError);
    EXPECT_THROW(async_generate(from, greedy(2), {}, [](std::error_code, GenerateResult) {}), ConfigError);
    GenerateResult result;
    async_generate(to, greedy(4), {}, [&](std::error_code e, GenerateResult r) {
        EXPECT_FALSE(e);
        result = std::move(r);
    });
    io.run();
    io.restart();
    EXPECT_EQ(result.tokens, reference_greedy_ids(4));
}

} // namespace edge_rt
