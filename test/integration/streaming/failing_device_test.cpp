// Storage faults from a real failing device: the model is streamed from a FUSE file system
// (test/support/fuse_file.*) whose reads the kernel fails with EIO, cuts short, or leaves
// unanswered, so the reader meets them through the same system calls as on a disk.
// storage_faults_test injects the same faults through the reader's hooks; this is the check
// that the real calls behave as those hooks assume. On FUSE the reader uses pread (auto picks
// it; io_uring is refused, see ReadsFromFuseUsePread). Exits 77 (SKIP) where FUSE cannot be
// mounted (not root, no /dev/fuse, a container without CAP_SYS_ADMIN, qemu-user).
#include "streaming_support.hpp"

#include "edge_rt/error.hpp"
#include "env.hpp"
#include "fuse_file.hpp"
#include "runtime/conversation.hpp"
#include "sanitizer_check.hpp"
#include "temp_dir.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <gtest/gtest.h>
#include <optional>
#include <thread>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

std::unique_ptr<runtime::Engine> open_engine(const std::filesystem::path& model, io::IoBackend backend,
                                             std::chrono::milliseconds timeout = std::chrono::milliseconds(0),
                                             double budget_scale = 1.0)
{
    auto o = small_options();
    o.budget = static_cast<std::uint64_t>(static_cast<double>(quarter_budget(model, 0)) * budget_scale);
    o.reader.backend = backend;
    if (timeout.count() > 0)
        o.reader.read_timeout = timeout;
    return std::make_unique<runtime::Engine>(model, o);
}

class FailingDevice : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::string why;
        fuse = FuseFile::mount(bundled_model(), dir.path(), why);
        ASSERT_NE(fuse, nullptr) << why; // main() checked that mounting works
    }
    TempDir dir;
    std::unique_ptr<FuseFile> fuse;
};

} // namespace

// On FUSE, io_uring reports a read the server answered short as complete, with the rest of
// the buffer filled from the start of the request again (kernel 6.18: a 1 MiB read answered
// 64 KiB at a time came back as 1048576 bytes, the bytes at +64 KiB those at +0), so the
// reader could not see the damage. `auto` reads such a file with pread; `uring` is refused.
TEST_F(FailingDevice, ReadsFromFuseUsePread)
{
    auto engine = open_engine(fuse->path(), io::IoBackend::Auto);
    EXPECT_EQ(engine->reader().backend_name(), "pread");
    try {
        open_engine(fuse->path(), io::IoBackend::Uring);
        FAIL() << "io_uring on a FUSE file was accepted";
    } catch (const ConfigError& e) { // refused before io_uring is even probed
        EXPECT_NE(std::string(e.what()).find(fuse->path().string() + " is on a FUSE file system"), std::string::npos)
            << e.what();
    }
}

// EIO from the device in the middle of a streamed pass: the pass fails with the file and the
// error named, the budget gets back every byte, and once the device reads again the same
// session gives the resident logits.
TEST_F(FailingDevice, EioInTheMiddleOfAPassIsAnErrorAndTheSessionRecovers)
{
    const auto want = resident_logits(bundled_model());
    auto engine = open_engine(fuse->path(), io::IoBackend::Auto);
    ASSERT_FALSE(engine->plan().fully_resident());
    runtime::Conversation session(*engine);
    session.forward(std::vector<std::int32_t>{1, 2, 3});
    const auto held_between_passes = engine->budget().current();
    const auto failed_before = fuse->failed();
    fuse->fail_request(2); // the third read request from now: inside the next pass
    try {
        session.forward(std::vector<std::int32_t>{5});
        FAIL() << "the device's EIO did not surface";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find(fuse->path().string()), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(std::strerror(EIO)), std::string::npos) << e.what();
    }
    EXPECT_EQ(fuse->failed(), failed_before + 1) << "the error came from the device";
    EXPECT_EQ(engine->budget().current(), held_between_passes) << "a failed pass kept budget";
    EXPECT_LE(engine->budget().peak(), engine->budget().limit());
    session.reset();
    session.forward(std::vector<std::int32_t>{1, 2, 3});
    EXPECT_EQ(step_logits(session, 5), want);
}

// Short reads from the device (half of what was asked, many in a row): the reader asks again
// for the rest, and the pass gives the resident logits.
TEST_F(FailingDevice, ShortReadsAreCompletedNotTakenForTheData)
{
    const auto want = resident_logits(bundled_model());
    auto engine = open_engine(fuse->path(), io::IoBackend::Auto);
    runtime::Conversation session(*engine);
    const auto before = fuse->shortened();
    fuse->shorten_requests(40);
    session.forward(std::vector<std::int32_t>{1, 2, 3});
    EXPECT_EQ(step_logits(session, 5), want);
    EXPECT_GT(fuse->shortened(), before) << "no read was cut short: the test tested nothing";
    fuse->shorten_requests(0);
}

// A read the device never answers: the generation ends after read_timeout with an error
// naming the file (whichever pass, or prefetch for the next one, the read belonged to), and
// every byte of the budget comes back. A pread blocked in the kernel cannot be interrupted, so
// the reader refuses further reads, saying why, and the prefetch ring keeps every slot (one
// may still be written), until the device answers; then it reads again.
TEST_F(FailingDevice, AReadTheDeviceNeverAnswersTimesOut)
{
    const auto want = resident_logits(bundled_model());
    // A budget with room for a prefetch ring of two or more slots (checked below).
    auto engine = open_engine(fuse->path(), io::IoBackend::Auto, std::chrono::milliseconds(300), 1.6);
    ASSERT_FALSE(engine->plan().fully_resident());
    runtime::Conversation session(*engine);
    session.forward(std::vector<std::int32_t>{1, 2, 3});
    const auto held_between_passes = engine->budget().current();
    const auto held_before = fuse->held();
    fuse->hold_request(2);
    const auto start = std::chrono::steady_clock::now();
    std::string error;
    for (std::int32_t id = 5; id < 15 && error.empty(); ++id) {
        try {
            session.forward(std::vector<std::int32_t>{id});
        } catch (const IoError& e) {
            error = e.what();
        }
    }
    ASSERT_EQ(fuse->held(), held_before + 1) << "no read was held: the test tested nothing";
    EXPECT_NE(error.find(fuse->path().string()), std::string::npos) << error;
    EXPECT_NE(error.find("timed out after 0.3 s"), std::string::npos) << error;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
    session.reset();
    EXPECT_EQ(engine->budget().current(), held_between_passes) << "a timed-out pass kept budget";
    try {
        session.forward(std::vector<std::int32_t>{1, 2, 3});
        FAIL() << "a reader with a blocked pread read again";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("until a read that timed out returns"), std::string::npos)
            << e.what();
    }
    // The monitor asking for a smaller ring meanwhile frees no slot the pread may write.
    const unsigned slots = engine->prefetch_depth();
    ASSERT_GE(slots, 2u);
    engine->apply_limits_blocking(1, engine->options().threads);
    EXPECT_EQ(engine->prefetch_depth(), slots) << "a slot was freed under a blocked pread";
    EXPECT_EQ(engine->budget().current(), held_between_passes);
    fuse->release(); // the device answers: the pread returns, and the reader reads again
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::optional<std::vector<float>> got;
    while (!got && std::chrono::steady_clock::now() < until) {
        try {
            session.reset();
            session.forward(std::vector<std::int32_t>{1, 2, 3});
            got = step_logits(session, 5);
        } catch (const IoError&) { // the returning thread has not been seen yet
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    ASSERT_TRUE(got) << "the reader never read again after the device answered";
    EXPECT_EQ(*got, want);
    EXPECT_EQ(engine->budget().current(), held_between_passes);
    engine->apply_limits_blocking(1, engine->options().threads); // now it may shrink
    EXPECT_EQ(engine->prefetch_depth(), 1u);
    EXPECT_LT(engine->budget().current(), held_between_passes);
}

int main(int argc, char** argv)
{
    if (!sanitizer_expectation_met())
        return 1;
    {
        const TempDir probe;
        std::string why;
        if (!FuseFile::mount(bundled_model(), probe.path(), why)) {
            std::printf("SKIP: no FUSE file system to fail reads with here: %s\n", why.c_str());
            return 77;
        }
    }
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
