// Batched sessions (continuous batching): several generations over one streaming engine share
// its forward passes. Each must produce exactly what it produces alone; the passes must really
// be shared (fewer passes and fewer bytes read than the runs alone); the budget holds every
// session's bytes within it; a stopped session leaves its pass and the others go on.
#include "streaming_support.hpp"

#include "edge_rt/error.hpp"
#include "env.hpp"
#include "runtime/conversation.hpp"
#include "runtime/generate.hpp"
#include "runtime/lookup_draft.hpp"

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <gtest/gtest.h>
#include <memory>
#include <optional>

namespace edge_rt {
namespace {

using test::bundled_model;

struct Job {
    std::vector<std::int32_t> prompt;
    runtime::GenerateOptions options;
    runtime::Generation out;
    std::exception_ptr error;
    bool done = false;
    std::shared_ptr<exec::StopSource> stop = std::make_shared<exec::StopSource>();
    std::function<void(Job&, const runtime::GeneratedToken&)> on_token; // optional
};

std::vector<std::int32_t> prompt_of(std::size_t len, std::size_t seed)
{
    std::vector<std::int32_t> p{1};
    for (std::size_t i = 1; i < len; ++i)
        p.push_back(static_cast<std::int32_t>(2 + (seed * 131 + i * 37) % 500));
    return p;
}

Job greedy_job(std::size_t prompt_len, std::size_t seed, std::size_t max_tokens)
{
    Job j;
    j.prompt = prompt_of(prompt_len, seed);
    j.options.max_tokens = max_tokens;
    j.options.sampler.temperature = 0;
    return j;
}

// Runs every job's generation at once on the engine's io_context, each in a session of its
// own, `start_after[i]` tokens of job 0 after the start (0: at once).
void run_together(runtime::Engine& engine, std::vector<Job>& jobs, std::vector<std::size_t> start_after = {})
{
    start_after.resize(jobs.size(), 0);
    auto& io = engine.executor().io();
    std::vector<std::unique_ptr<runtime::Conversation>> sessions;
    for (std::size_t i = 0; i < jobs.size(); ++i)
        sessions.push_back(std::make_unique<runtime::Conversation>(engine));
    std::vector<runtime::GenerateSinks> sinks(jobs.size());
    std::size_t remaining = jobs.size();
    const auto start = [&](std::size_t i) {
        Job& job = jobs[i];
        job.options.stop = job.stop.get();
        asio::co_spawn(io, runtime::run_generation(*sessions[i], job.prompt, job.options, sinks[i], job.out),
                       [&job, &remaining](std::exception_ptr e) {
                           job.error = e;
                           job.done = true;
                           --remaining;
                       });
    };
    for (std::size_t i = 0; i < jobs.size(); ++i)
        sinks[i].on_token = [&, i](const runtime::GeneratedToken& t) {
            if (jobs[i].on_token)
                jobs[i].on_token(jobs[i], t);
            if (i == 0)
                for (std::size_t j = 1; j < jobs.size(); ++j)
                    if (start_after[j] == t.index + 1)
                        start(j);
        };
    for (std::size_t i = 0; i < jobs.size(); ++i)
        if (i == 0 || start_after[i] == 0)
            start(i);
    while (remaining > 0) {
        if (io.stopped())
            io.restart();
        io.run_one();
    }
    for (auto& job : jobs)
        if (job.error)
            std::rethrow_exception(job.error);
}

runtime::Generation alone(runtime::Engine& engine, Job job)
{
    job.options.stop = nullptr;
    runtime::Conversation session(engine);
    return runtime::generate(session, job.prompt, job.options);
}

// A budget that streams most of the model and holds `sessions` sessions.
runtime::EngineOptions streaming_for(std::size_t sessions)
{
    auto o = test::small_options();
    o.sessions = sessions;
    runtime::Engine probe(bundled_model(), o);
    const auto& r = probe.plan_request();
    o.budget = std::max(r.fixed_bytes + test::weight_bytes(r) / 4, plan::minimum_budget(r));
    return o;
}

TEST(Batching, EverySessionGeneratesWhatItGeneratesAloneWithFewerPassesAndReads)
{
    const auto options = streaming_for(4);
    runtime::Engine engine(bundled_model(), options);
    ASSERT_FALSE(engine.plan().fully_resident());
    std::vector<Job> jobs;
    jobs.push_back(greedy_job(5, 1, 20));
    jobs.push_back(greedy_job(9, 2, 12));
    jobs.push_back(greedy_job(3, 3, 16));
    jobs.push_back(greedy_job(7, 4, 7));

    std::vector<runtime::Generation> want;
    std::uint64_t passes_alone = 0, bytes_alone = 0;
    for (const auto& j : jobs) {
        engine.reset_metrics();
        want.push_back(alone(engine, j));
        passes_alone += engine.totals().passes;
        bytes_alone += engine.totals().bytes_read;
    }
    engine.reset_metrics();
    run_together(engine, jobs);
    for (std::size_t i = 0; i < jobs.size(); ++i)
        EXPECT_EQ(jobs[i].out.generated, want[i].generated) << "job " << i;
    const auto& t = engine.totals();
    EXPECT_EQ(t.steps, passes_alone) << "every session's step ran once";
    // The longest job alone needs 1 + 19 passes (prompt + decodes; chunks of 8 tokens add one
    // for job 1); together they share: at most a few more than the longest.
    EXPECT_LE(t.passes, 24u);
    EXPECT_LT(t.passes * 2, passes_alone);
    EXPECT_LT(t.bytes_read * 2, bytes_alone) << "each streamed group is read once per shared pass";
}

TEST(Batching, SessionsJoinAndLeaveAtTokenBoundaries)
{
    runtime::Engine engine(bundled_model(), streaming_for(3));
    std::vector<Job> jobs;
    jobs.push_back(greedy_job(4, 5, 24));
    jobs.push_back(greedy_job(6, 6, 5));  // joins after job 0's 3rd token, leaves early
    jobs.push_back(greedy_job(10, 7, 8)); // joins after the 10th, its prompt in two chunks
    std::vector<runtime::Generation> want;
    for (const auto& j : jobs)
        want.push_back(alone(engine, j));
    engine.reset_metrics();
    run_together(engine, jobs, {0, 3, 10});
    for (std::size_t i = 0; i < jobs.size(); ++i)
        EXPECT_EQ(jobs[i].out.generated, want[i].generated) << "job " << i;
    EXPECT_GT(engine.totals().steps, engine.totals().passes) << "some passes were shared";
}

TEST(Batching, TheBudgetHoldsEverySessionAndComesBackWhenTheyEnd)
{
    const auto options = streaming_for(3);
    runtime::Engine engine(bundled_model(), options);
    const auto before = engine.budget().current();
    std::uint64_t peak = 0;
    std::vector<Job> jobs;
    for (std::size_t i = 0; i < 3; ++i) {
        jobs.push_back(greedy_job(4 + i, 10 + i, 10));
        jobs.back().on_token = [&](Job&, const runtime::GeneratedToken&) {
            peak = std::max(peak, engine.budget().current());
            EXPECT_LE(engine.budget().current(), engine.budget_bytes());
        };
    }
    run_together(engine, jobs);
    EXPECT_GT(peak, before) << "the sessions' bytes were charged";
    EXPECT_LE(engine.budget().peak(), engine.budget_bytes());
    EXPECT_EQ(engine.budget().current(), before) << "every session's bytes came back";
    // A fourth session does not fit the budget planned for three: refused, clearly.
    std::vector<std::unique_ptr<runtime::Conversation>> open;
    for (int i = 0; i < 3; ++i)
        open.push_back(std::make_unique<runtime::Conversation>(engine));
    EXPECT_THROW(runtime::Conversation extra(engine), BudgetError);
}

TEST(Batching, StoppingOneSessionLeavesTheOthersRunning)
{
    runtime::Engine engine(bundled_model(), streaming_for(3));
    std::vector<Job> jobs;
    for (std::size_t i = 0; i < 3; ++i)
        jobs.push_back(greedy_job(5, 20 + i, 15));
    std::vector<runtime::Generation> want;
    for (const auto& j : jobs)
        want.push_back(alone(engine, j));
    // Job 1 is stopped after its 4th token (on the io_context thread, between passes: its next
    // step leaves the queue or the pass it is in).
    jobs[1].on_token = [](Job& job, const runtime::GeneratedToken& t) {
        if (t.index == 3)
            job.stop->request();
    };
    run_together(engine, jobs);
    EXPECT_EQ(jobs[1].out.stop, runtime::Ending::Cancelled);
    ASSERT_EQ(jobs[1].out.generated.size(), 4u);
    EXPECT_TRUE(std::equal(jobs[1].out.generated.begin(), jobs[1].out.generated.end(), want[1].generated.begin()));
    EXPECT_EQ(jobs[0].out.generated, want[0].generated);
    EXPECT_EQ(jobs[2].out.generated, want[2].generated);
}

TEST(Batching, AStopInTheMiddleOfASharedPassEndsOnlyThatSession)
{
    std::atomic<int> calls{0};
    std::atomic<int> stop_at{-1};
    exec::StopSource* target = nullptr;
    runtime::Engine* running = nullptr;
    auto options = streaming_for(2);
    options.on_group = [&](std::size_t) {
        if (calls.fetch_add(1) == stop_at.load())
            asio::post(running->executor().io(), [&] { target->request(); });
    };
    runtime::Engine engine(bundled_model(), options);
    running = &engine;
    std::vector<Job> jobs;
    jobs.push_back(greedy_job(5, 30, 12));
    jobs.push_back(greedy_job(5, 31, 12));
    std::vector<runtime::Generation> want;
    for (const auto& j : jobs)
        want.push_back(alone(engine, j));
    target = jobs[0].stop.get();
    calls = 0;
    stop_at = 40; // a few shared passes in (7 groups, 2 sessions: 14 calls a pass)
    run_together(engine, jobs);
    EXPECT_EQ(jobs[0].out.stop, runtime::Ending::Cancelled);
    EXPECT_LT(jobs[0].out.generated.size(), want[0].generated.size());
    EXPECT_TRUE(std::equal(jobs[0].out.generated.begin(), jobs[0].out.generated.end(), want[0].generated.begin()));
    EXPECT_EQ(jobs[1].out.generated, want[1].generated) << "the other session went on";
    // The engine stays usable.
    EXPECT_EQ(alone(engine, jobs[0]).generated, want[0].generated);
}

TEST(Batching, SpeculativeAndPlainSessionsShareAPass)
{
    runtime::Engine engine(bundled_model(), streaming_for(2));
    runtime::LookupDraft lookup(3);
    std::vector<Job> jobs;
    jobs.push_back(greedy_job(12, 40, 30));
    jobs.push_back(greedy_job(12, 40, 30));
    jobs[0].options.speculation = {&lookup, 4};
    std::vector<runtime::Generation> want{alone(engine, jobs[1]), alone(engine, jobs[1])};
    engine.reset_metrics();
    run_together(engine, jobs);
    EXPECT_EQ(jobs[0].out.generated, want[0].generated) << "speculative greedy is plain greedy";
    EXPECT_EQ(jobs[1].out.generated, want[1].generated);
    EXPECT_GT(engine.totals().steps, engine.totals().passes);
}

} // namespace
} // namespace edge_rt
