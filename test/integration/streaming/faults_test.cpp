// Faults while streaming: EIO at random reads ends the pass with a clear IoError and leaves
// the engine usable; short reads are retried and change nothing; a model file truncated after
// load ends in an IoError naming the file. Cancellation stops at a group boundary.
#include "streaming_support.hpp"

#include "edge_rt/error.hpp"
#include "env.hpp"
#include "runtime/generate.hpp"
#include "runtime/conversation.hpp"
#include "temp_dir.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <asio/post.hpp>
#include <gtest/gtest.h>
#include <mutex>
#include <random>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

runtime::EngineOptions streaming_options(const std::filesystem::path& model)
{
    auto o = small_options();
    o.budget = quarter_budget(model, 0);
    o.reader.backend = io::IoBackend::Pread;
    return o;
}

std::vector<float> decode_logits(runtime::Conversation& s, std::int32_t id)
{
    const auto l = s.forward(std::vector<std::int32_t>{id});
    return {l.begin(), l.end()};
}

} // namespace

TEST(StreamingFaults, EioAtRandomReadsIsAClearErrorAndTheEngineRecovers)
{
    const auto model = bundled_model();
    runtime::Engine resident(model, small_options());
    runtime::Conversation want(resident);
    want.forward(std::vector<std::int32_t>{1, 2, 3});
    const auto want_logits = decode_logits(want, 5);

    std::mt19937 rng(7);
    for (int trial = 0; trial < 4; ++trial) {
        std::atomic<int> countdown{-1};
        auto options = streaming_options(model);
        options.reader.fault = [&](std::uint32_t, std::uint64_t, std::size_t, int result) {
            return countdown.fetch_sub(1) == 0 ? -EIO : result;
        };
        runtime::Engine engine(model, options);
        ASSERT_FALSE(engine.plan().fully_resident());
        runtime::Conversation session(engine);
        session.forward(std::vector<std::int32_t>{1, 2, 3});
        countdown = static_cast<int>(rng() % 12); // the k-th read from now fails
        bool failed = false;
        for (int pass = 0; pass < 6 && !failed; ++pass) {
            try {
                session.forward(std::vector<std::int32_t>{5});
                session.reset();
                session.forward(std::vector<std::int32_t>{1, 2, 3});
            } catch (const IoError& e) {
                failed = true;
                EXPECT_NE(std::string(e.what()).find(model.string()), std::string::npos) << e.what();
                EXPECT_NE(std::string(e.what()).find(std::strerror(EIO)), std::string::npos) << e.what();
            }
        }
        ASSERT_TRUE(failed) << "no injected EIO surfaced";
        // The ring was drained and restarted: the same step now gives the resident answer.
        session.reset();
        session.forward(std::vector<std::int32_t>{1, 2, 3});
        EXPECT_EQ(decode_logits(session, 5), want_logits);
    }
}

TEST(StreamingFaults, ShortReadsAreRetriedAndChangeNothing)
{
    for (const auto& model : streaming_models()) {
        SCOPED_TRACE(model.string());
        runtime::Engine resident(model, small_options());
        const auto want = greedy_run(resident, 5, 4);
        std::mt19937 rng(11);
        std::mutex m;
        auto options = small_options(5);
        options.budget = quarter_budget(model, 5);
        options.reader.backend = io::IoBackend::Pread;
        options.reader.fault = [&](std::uint32_t, std::uint64_t, std::size_t, int result) {
            std::lock_guard lock(m);
            return result > 1 && rng() % 3 == 0 ? result / 2 - 1 : result; // odd lengths: unaligned rests
        };
        runtime::Engine engine(model, options);
        ASSERT_FALSE(engine.plan().fully_resident());
        const auto got = greedy_run(engine, 5, 4);
        EXPECT_EQ(got.ids, want.ids);
        EXPECT_EQ(got.logits, want.logits);
        EXPECT_GT(engine.reader().stats().retries, 0u);
    }
}

TEST(StreamingFaults, AModelTruncatedAfterLoadIsAClearError)
{
    TempDir dir;
    const auto path = dir.path() / "stories260K.gguf";
    std::filesystem::copy_file(bundled_model(), path);
    auto options = streaming_options(path);
    runtime::Engine engine(path, options);
    ASSERT_FALSE(engine.plan().fully_resident());
    runtime::Conversation session(engine);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
    bool failed = false;
    for (int pass = 0; pass < 4 && !failed; ++pass) {
        try {
            session.forward(std::vector<std::int32_t>{1});
        } catch (const IoError& e) {
            failed = true;
            EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("end of file"), std::string::npos) << e.what();
        }
    }
    EXPECT_TRUE(failed);
}

TEST(StreamingCancel, AStopRequestEndsGenerationAtAGroupBoundary)
{
    const auto model = bundled_model();
    exec::StopSource stop; // the generation's own stop state
    std::atomic<int> calls{0};
    std::atomic<int> stop_at{-1};
    runtime::Engine* running = nullptr;
    auto options = streaming_options(model);
    const std::size_t groups = 2 + 5; // embedding, 5 layers, output
    options.on_group = [&](std::size_t) {
        // Requested on the io_context's thread, as StopSource asks; the pass is waiting for
        // this group's compute meanwhile, so it sees the stop at the next boundary.
        if (calls.fetch_add(1) == stop_at.load())
            asio::post(running->executor().io(), [&] { stop.request(); });
    };
    runtime::Engine engine(model, options);
    running = &engine;
    runtime::GenerateOptions greedy;
    greedy.max_tokens = 10;
    greedy.sampler.temperature = 0;
    const std::vector<std::int32_t> prompt{1};

    runtime::Engine resident(model, small_options());
    runtime::Conversation ref(resident);
    const auto want = runtime::generate(ref, prompt, greedy);
    ASSERT_EQ(want.generated.size(), 10u);

    // Stop during the 4th pass (prefill + 2 decodes done: 3 tokens sampled), in its 3rd group.
    stop_at = static_cast<int>(3 * groups + 2);
    {
        runtime::Conversation session(engine);
        auto stoppable = greedy;
        stoppable.stop = &stop;
        const auto got = runtime::generate(session, prompt, stoppable);
        EXPECT_EQ(got.stop, runtime::Ending::Cancelled);
        ASSERT_EQ(got.generated.size(), 3u); // sampled after passes 0, 1 and 2
        EXPECT_TRUE(std::equal(got.generated.begin(), got.generated.end(), want.generated.begin()));
        EXPECT_EQ(calls.load(), static_cast<int>(3 * groups + 3)); // the running group finished, no more
    }
    stop_at = -1; // a new generation has its own stop state: nothing carries over
    runtime::Conversation again(engine);
    EXPECT_EQ(runtime::generate(again, prompt, greedy).generated, want.generated);
}
