// Storage faults while streaming, with the budget's books checked: a failed pass (EIO in the
// middle, short reads followed by EIO) gives back every byte it took, on both reader backends,
// and the session runs again with the resident answer; a model file replaced on disk after load
// keeps being read from the file the engine opened (rename replaces the name, not the inode);
// a read that never completes ends the pass with a timeout error, not a hang.
#include "streaming_support.hpp"

#include "edge_rt/error.hpp"
#include "env.hpp"
#include "runtime/conversation.hpp"
#include "temp_dir.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <optional>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

runtime::EngineOptions streaming_options(const std::filesystem::path& model, io::IoBackend backend)
{
    auto o = small_options();
    o.budget = quarter_budget(model, 0);
    o.reader.backend = backend;
    return o;
}

// The engine, or nullopt when this backend cannot run here (io_uring under qemu or seccomp).
std::optional<runtime::Engine> try_engine(const std::filesystem::path& model, const runtime::EngineOptions& o)
{
    try {
        return std::optional<runtime::Engine>(std::in_place, model, o);
    } catch (const ConfigError&) {
        if (o.reader.backend == io::IoBackend::Uring)
            return std::nullopt;
        throw;
    }
}

} // namespace

TEST(StorageFaults, AFailedPassGivesBackEveryByteOnBothBackends)
{
    const auto model = bundled_model();
    const auto want_logits = resident_logits(model);

    int backends_run = 0;
    for (const auto backend : {io::IoBackend::Pread, io::IoBackend::Uring}) {
        for (const bool short_reads_first : {false, true}) {
            SCOPED_TRACE(std::string(io::to_string(backend)) + (short_reads_first ? ", short reads then EIO" : ", EIO"));
            std::atomic<int> countdown{-1};
            auto options = streaming_options(model, backend);
            options.reader.fault = [&](std::uint32_t, std::uint64_t, std::size_t, int result) {
                const int left = countdown.fetch_sub(1);
                if (left == 0)
                    return -EIO;
                return short_reads_first && left > 0 && result > 1 ? result / 2 : result;
            };
            auto engine = try_engine(model, options);
            if (!engine)
                continue;
            ++backends_run;
            ASSERT_FALSE(engine->plan().fully_resident());
            runtime::Conversation session(*engine);
            session.forward(std::vector<std::int32_t>{1, 2, 3});
            const auto held_between_passes = engine->budget().current();
            countdown = 3; // the 4th read from now fails: in the middle of the next pass
            try {
                session.forward(std::vector<std::int32_t>{5});
                FAIL() << "the injected EIO did not surface";
            } catch (const IoError& e) {
                EXPECT_NE(std::string(e.what()).find(model.string()), std::string::npos) << e.what();
                EXPECT_NE(std::string(e.what()).find(std::strerror(EIO)), std::string::npos) << e.what();
            }
            EXPECT_EQ(engine->budget().current(), held_between_passes) << "a failed pass kept budget";
            EXPECT_LE(engine->budget().peak(), engine->budget().limit());
            session.reset();
            session.forward(std::vector<std::int32_t>{1, 2, 3});
            EXPECT_EQ(step_logits(session, 5), want_logits);
            EXPECT_EQ(engine->budget().current(), held_between_passes);
        }
    }
    EXPECT_GE(backends_run, 2) << "the pread backend always runs";
}

TEST(StorageFaults, AModelReplacedOnDiskAfterLoadIsStillReadFromTheOpenedFile)
{
    TempDir dir;
    const auto path = dir.path() / "stories260K.gguf";
    std::filesystem::copy_file(bundled_model(), path);
    runtime::Engine engine(path, streaming_options(path, io::IoBackend::Pread));
    ASSERT_FALSE(engine.plan().fully_resident());
    runtime::Conversation session(engine);
    session.forward(std::vector<std::int32_t>{1, 2, 3});
    const auto before = step_logits(session, 5);

    // Another file of the same size (all zeros) renamed over the model's name.
    const auto other = dir.path() / "other.gguf";
    {
        std::ofstream out(other, std::ios::binary);
        const std::vector<char> zeros(std::filesystem::file_size(path), 0);
        out.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    }
    std::filesystem::rename(other, path);

    session.reset();
    session.forward(std::vector<std::int32_t>{1, 2, 3});
    EXPECT_EQ(step_logits(session, 5), before);
}

// A read that never completes (ReaderOptions::hang: it waits on a pipe) ends the pass after
// read_timeout with an IoError naming the file, and the budget gets back every byte. io_uring
// cancels the read, so the session runs again; a pread cannot be interrupted, so that reader
// refuses reads while its thread is stuck (a clean failure, not a hang or a reused buffer).
TEST(StorageFaults, AReadThatNeverCompletesTimesOutAndGivesBackEveryByte)
{
    const auto model = bundled_model();
    const auto want_logits = resident_logits(model);

    int backends_run = 0;
    for (const auto backend : {io::IoBackend::Pread, io::IoBackend::Uring}) {
        SCOPED_TRACE(std::string(io::to_string(backend)));
        std::atomic<int> countdown{-1};
        auto options = streaming_options(model, backend);
        options.reader.read_timeout = std::chrono::milliseconds(300);
        options.reader.hang = [&](std::uint32_t, std::uint64_t, std::size_t) { return countdown.fetch_sub(1) == 0; };
        auto engine = try_engine(model, options);
        if (!engine)
            continue;
        ++backends_run;
        runtime::Conversation session(*engine);
        session.forward(std::vector<std::int32_t>{1, 2, 3});
        const auto held_between_passes = engine->budget().current();
        countdown = 3; // the 4th read from now hangs: in the middle of the next pass
        const auto start = std::chrono::steady_clock::now();
        try {
            session.forward(std::vector<std::int32_t>{5});
            FAIL() << "the hung read did not surface";
        } catch (const IoError& e) {
            EXPECT_NE(std::string(e.what()).find(model.string()), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("timed out after 0.3 s"), std::string::npos) << e.what();
        }
        EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
        EXPECT_EQ(engine->budget().current(), held_between_passes) << "a timed-out pass kept budget";
        session.reset();
        if (backend == io::IoBackend::Uring) { // cancelled: the session is usable
            session.forward(std::vector<std::int32_t>{1, 2, 3});
            EXPECT_EQ(step_logits(session, 5), want_logits);
        } else { // the pread still blocks: every read is refused, with the reason
            try {
                session.forward(std::vector<std::int32_t>{1, 2, 3});
                FAIL() << "a reader with a stuck pread read again";
            } catch (const IoError& e) {
                EXPECT_NE(std::string(e.what()).find("until a read that timed out returns"), std::string::npos)
                    << e.what();
            }
        }
        EXPECT_EQ(engine->budget().current(), held_between_passes);
    } // the engine's destruction ends the hung read (the hook's pipe closes) and joins it
    EXPECT_GE(backends_run, 1) << "the pread backend always runs";
}
