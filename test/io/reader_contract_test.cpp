#include "reader_contract.hpp"

#include "edge_rt/error.hpp"
#include "exec/executor.hpp"
#include "memory/pool.hpp"
#include "temp_dir.hpp"

#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <gmock/gmock.h>
#include <random>

using namespace edge_rt;
using ::testing::HasSubstr;

namespace {

std::vector<std::uint8_t> random_bytes(std::size_t n, unsigned seed)
{
    std::vector<std::uint8_t> b(n);
    std::mt19937 rng(seed);
    for (auto& x : b)
        x = static_cast<std::uint8_t>(rng());
    return b;
}

struct Fixture {
    test::TempDir dir;
    std::vector<std::uint8_t> bytes = random_bytes(3 * 1024 * 1024 + 123, 5);
    std::string path = dir.write("weights.bin", bytes).string();
    exec::Executor ex{1};

    std::unique_ptr<io::WeightReader> open(io::ReaderOptions o)
    {
        return io::open_reader(ex.io(), {path}, o);
    }
    void read(io::WeightReader& r, std::vector<io::ReadRange> ranges)
    {
        ex.run_blocking(r.read(std::move(ranges)));
    }
};

// Coroutine parameters, not lambda captures: they live in the coroutine frame.
asio::awaitable<void> read_and_count(io::WeightReader& r, io::ReadRange range, int& finished,
                                     asio::steady_timer& all)
{
    std::vector<io::ReadRange> ranges{range}; // not inside co_await: GCC 12 miscompiles that
    co_await r.read(std::move(ranges));
    if (++finished == 8)
        all.cancel();
}

io::ReaderOptions options(io::IoBackend b, std::size_t chunk = 64 * 1024)
{
    io::ReaderOptions o;
    o.backend = b;
    o.chunk_bytes = chunk;
    o.queue_depth = 8;
    return o;
}

} // namespace

TEST_P(ReaderContract, RandomRangesMatchTheFile)
{
    Fixture f;
    auto r = f.open(options(GetParam()));
    EXPECT_EQ(r->backend_name(), io::to_string(GetParam()));
    std::mt19937_64 rng(9);
    for (int round = 0; round < 20; ++round) {
        std::vector<std::vector<std::byte>> bufs(1 + rng() % 5);
        std::vector<io::ReadRange> ranges;
        std::vector<std::uint64_t> offsets;
        for (auto& b : bufs) {
            const std::uint64_t off = rng() % f.bytes.size();
            b.resize(std::min<std::uint64_t>(f.bytes.size() - off, 1 + rng() % 300000));
            ranges.push_back({0, off, b});
            offsets.push_back(off);
        }
        f.read(*r, ranges);
        for (std::size_t i = 0; i < bufs.size(); ++i)
            ASSERT_EQ(std::memcmp(bufs[i].data(), f.bytes.data() + offsets[i], bufs[i].size()), 0);
    }
    EXPECT_GE(r->stats().requests, 20u);
    EXPECT_GT(r->stats().busy_ms, 0.0);
}

// Page-aligned buffers and offsets: O_DIRECT where the file system allows; the tail past the end
// of file (a range rounded up to the alignment) comes back as zeros.
TEST_P(ReaderContract, AlignedRangesAndZeroFilledTail)
{
    Fixture f;
    auto r = f.open(options(GetParam()));
    memory::MemoryBudget budget(8u << 20);
    memory::Pool pool(budget);
    const std::uint64_t start = 2 * 1024 * 1024;
    const std::size_t len = (f.bytes.size() - start + 4095) / 4096 * 4096;
    auto lease = pool.acquire(len, "aligned read");
    std::memset(lease.data(), 0xAB, len);
    f.read(*r, {{0, start, lease.bytes()}});
    const std::size_t real = f.bytes.size() - start;
    EXPECT_EQ(std::memcmp(lease.data(), f.bytes.data() + start, real), 0);
    for (std::size_t i = real; i < len; ++i)
        ASSERT_EQ(lease.data()[i], std::byte{0}) << i;
    if (r->direct_io())
        EXPECT_GT(r->stats().direct_bytes, 0u);
    else
        EXPECT_EQ(r->stats().direct_bytes, 0u);
}

TEST_P(ReaderContract, ConcurrentBatches)
{
    Fixture f;
    auto r = f.open(options(GetParam(), 16 * 1024));
    std::vector<std::vector<std::byte>> bufs(8, std::vector<std::byte>(200000));
    f.ex.run_blocking([&]() -> asio::awaitable<void> {
        int finished = 0;
        asio::steady_timer all(f.ex.io(), std::chrono::steady_clock::time_point::max());
        for (std::size_t i = 0; i < bufs.size(); ++i)
            asio::co_spawn(f.ex.io(), read_and_count(*r, {0, i * 300000, bufs[i]}, finished, all),
                           asio::detached);
        std::error_code ec;
        co_await all.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }());
    for (std::size_t i = 0; i < bufs.size(); ++i)
        ASSERT_EQ(std::memcmp(bufs[i].data(), f.bytes.data() + i * 300000, 200000), 0) << i;
}

TEST_P(ReaderContract, ShortReadsAndEagainAreRetried)
{
    Fixture f;
    auto o = options(GetParam());
    std::mt19937 rng(3);
    o.fault = [&rng](std::uint32_t, std::uint64_t, std::size_t, int result) {
        if (result > 1 && rng() % 3 == 0)
            return result / 2; // pretend the kernel returned half
        if (rng() % 7 == 0)
            return -EAGAIN;
        return result;
    };
    auto r = f.open(o);
    std::vector<std::byte> buf(f.bytes.size());
    f.read(*r, {{0, 0, buf}});
    EXPECT_EQ(std::memcmp(buf.data(), f.bytes.data(), buf.size()), 0);
    EXPECT_GT(r->stats().retries, 0u);
}

TEST_P(ReaderContract, InjectedEioIsAClearErrorAndTheReaderStaysUsable)
{
    Fixture f;
    auto o = options(GetParam());
    bool fail = true;
    o.fault = [&fail](std::uint32_t, std::uint64_t offset, std::size_t, int result) {
        return fail && offset >= 1024 * 1024 ? -EIO : result;
    };
    auto r = f.open(o);
    std::vector<std::byte> buf(f.bytes.size());
    try {
        f.read(*r, {{0, 0, buf}});
        FAIL() << "EIO was not reported";
    } catch (const IoError& e) {
        EXPECT_THAT(e.what(), HasSubstr(f.path));
        EXPECT_THAT(e.what(), HasSubstr("Input/output error"));
    }
    fail = false;
    f.read(*r, {{0, 0, buf}});
    EXPECT_EQ(std::memcmp(buf.data(), f.bytes.data(), buf.size()), 0);
}

// ReaderOptions::hang makes the read at 1 MiB wait forever: the batch fails after read_timeout
// (not a hang) with the file and the timeout named. io_uring cancels the read and reads again;
// the pread backend cannot interrupt its thread, so it refuses reads until the thread returns
// (the reader's destruction ends the hook's read, and joins).
TEST_P(ReaderContract, AReadThatNeverCompletesTimesOut)
{
    Fixture f;
    auto o = options(GetParam());
    o.read_timeout = std::chrono::milliseconds(200);
    bool hang = true;
    o.hang = [&hang](std::uint32_t, std::uint64_t offset, std::size_t) { return hang && offset == 1024 * 1024; };
    auto r = f.open(o);
    std::vector<std::byte> buf(f.bytes.size());
    const auto start = std::chrono::steady_clock::now();
    try {
        f.read(*r, {{0, 0, buf}});
        FAIL() << "the hung read was not reported";
    } catch (const IoError& e) {
        EXPECT_THAT(e.what(), HasSubstr(f.path));
        EXPECT_THAT(e.what(), HasSubstr("at offset 1048576 timed out after 0.2 s"));
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    hang = false;
    if (GetParam() == io::IoBackend::Pread) {
        try {
            f.read(*r, {{0, 0, buf}});
            FAIL() << "a reader with a stuck pread read again";
        } catch (const IoError& e) {
            EXPECT_THAT(e.what(), HasSubstr("until a read that timed out returns"));
        }
        return;
    }
    f.read(*r, {{0, 0, buf}});
    EXPECT_EQ(std::memcmp(buf.data(), f.bytes.data(), buf.size()), 0);
}

TEST_P(ReaderContract, FileTruncatedUnderTheReader)
{
    Fixture f;
    auto r = f.open(options(GetParam()));
    std::filesystem::resize_file(f.path, 1024 * 1024);
    std::vector<std::byte> buf(100000);
    try {
        f.read(*r, {{0, 2 * 1024 * 1024, buf}});
        FAIL() << "reading past the new end succeeded";
    } catch (const IoError& e) {
        EXPECT_THAT(e.what(), HasSubstr("unexpected end of file"));
        EXPECT_THAT(e.what(), HasSubstr("the file is now 1048576 bytes"));
    }
}

TEST_P(ReaderContract, BadRangesAreRejected)
{
    Fixture f;
    auto r = f.open(options(GetParam()));
    std::vector<std::byte> buf(10);
    EXPECT_THROW(f.read(*r, {{1, 0, buf}}), IoError);
    EXPECT_THROW(f.read(*r, {{0, f.bytes.size() + 1, buf}}), IoError);
    f.read(*r, {}); // nothing to do is fine
    EXPECT_THROW(io::open_reader(f.ex.io(), {f.path + ".missing"}, options(GetParam())), IoError);
}
