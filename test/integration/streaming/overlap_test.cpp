// Overlap is real: storage with a known latency (the pread worker sleeps per byte, one
// worker: one device) and kernels of a known cost (every matmul sleeps). Speculative
// prefetch's wall time per pass comes within 15% of max(io, compute); sequential's is
// about io + compute. io and compute are the engine's measured per-pass figures (read busy
// time, sum of compute steps); they are also checked against the injected costs, so the
// measurements themselves cannot drift. A measurement disturbed by another process is retried
// (three attempts, each printed); a pipeline that does not overlap misses every attempt.
#include "streaming_support.hpp"

#include "model_data.hpp"
#include "runtime/conversation.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <gtest/gtest.h>
#include <thread>
#include <vector>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

constexpr double kNsPerByte = 120;    // ~8 MB/s: a layer's reads take ~25 ms
constexpr auto kMatmulCost = std::chrono::milliseconds(4);

std::atomic<std::uint64_t> g_matmuls{0};

// With one compute thread a matmul is one call of matmul_rows over every row.
void slow_matmul(const kernels::WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                 std::size_t row_begin, std::size_t row_end)
{
    g_matmuls.fetch_add(1);
    std::this_thread::sleep_for(kMatmulCost);
    kernels::scalar_kernels().matmul_rows(w, x, xq, n, y, row_begin, row_end);
}

const kernels::KernelTable& slow_kernels()
{
    static const kernels::KernelTable table = [] {
        kernels::KernelTable t = kernels::scalar_kernels();
        t.name = "scalar+sleep";
        t.matmul_rows = slow_matmul;
        return t;
    }();
    return table;
}

struct Timing {
    double wall_ms = 0, io_ms = 0, compute_ms = 0, expected_io_ms = 0, expected_compute_ms = 0, overlap = 0;
};

// Decode passes of GPT-2 (every group streamed through a ring sized for its largest group).
Timing time_passes(plan::Strategy strategy)
{
    const auto model = test_data("gpt2-tiny-random-f32");
    runtime::Engine resident(model, small_options());
    std::uint64_t largest = 0;
    for (const auto& g : resident.plan_request().groups)
        largest = std::max(largest, g.bytes);

    auto options = small_options();
    options.budget = resident.plan_request().fixed_bytes + 2 * largest + 4096; // two slots, no room to pin
    options.strategy = strategy;
    options.kernels = &slow_kernels();
    options.reader.backend = io::IoBackend::Pread;
    options.reader.pread_threads = 1;
    options.reader.before_pread = [](std::size_t len) {
        std::this_thread::sleep_for(std::chrono::nanoseconds(static_cast<std::int64_t>(kNsPerByte * static_cast<double>(len))));
    };
    runtime::Engine engine(model, options);
    EXPECT_EQ(engine.plan().resident_bytes, 0u);
    runtime::Conversation session(engine);
    session.forward(std::vector<std::int32_t>{1, 2});
    session.forward(std::vector<std::int32_t>{3}); // steady state from here
    engine.reset_metrics();
    const auto matmuls_before = g_matmuls.load();
    constexpr int kPasses = 4;
    for (int i = 0; i < kPasses; ++i)
        session.forward(std::vector<std::int32_t>{4 + i});
    const auto& t = engine.totals();
    Timing r;
    r.wall_ms = t.wall_ms / kPasses;
    r.io_ms = t.io_ms / kPasses;
    r.compute_ms = t.compute_ms / kPasses;
    r.expected_io_ms = static_cast<double>(t.bytes_read) * kNsPerByte / 1e6 / kPasses;
    r.expected_compute_ms =
        static_cast<double>(g_matmuls.load() - matmuls_before) * static_cast<double>(kMatmulCost.count()) / kPasses;
    r.overlap = t.overlap();
    std::printf("%s: wall %.1f ms/pass, io %.1f ms (injected %.1f), compute %.1f ms (injected %.1f), overlap %.2f\n",
                std::string(plan::to_string(strategy)).c_str(), r.wall_ms, r.io_ms, r.expected_io_ms, r.compute_ms,
                r.expected_compute_ms, r.overlap);
    return r;
}

// Each bound a measurement must meet, with what it was; empty when all hold.
using Violations = std::vector<std::string>;
void check(Violations& v, bool ok, const char* what, double got, double bound)
{
    if (!ok)
        v.push_back(std::string(what) + ": " + std::to_string(got) + " against " + std::to_string(bound));
}

// Measured io includes per-read costs the sleep does not (syscalls, scheduling): at least
// the injected time, at most 30% over it on a busy machine.
void check_measurements_track_the_injected_costs(Violations& v, const Timing& t)
{
    check(v, t.io_ms >= 0.95 * t.expected_io_ms, "io >= 0.95 x injected", t.io_ms, 0.95 * t.expected_io_ms);
    check(v, t.io_ms <= 1.3 * t.expected_io_ms, "io <= 1.3 x injected", t.io_ms, 1.3 * t.expected_io_ms);
    check(v, t.compute_ms >= t.expected_compute_ms, "compute >= injected", t.compute_ms, t.expected_compute_ms);
    check(v, t.compute_ms <= 1.3 * t.expected_compute_ms, "compute <= 1.3 x injected", t.compute_ms,
          1.3 * t.expected_compute_ms);
}

Violations speculative_violations(const Timing& t)
{
    Violations v;
    check(v, t.expected_io_ms > 20.0, "injected io > 20 ms", t.expected_io_ms, 20.0);
    check(v, t.expected_compute_ms > 10.0, "injected compute > 10 ms", t.expected_compute_ms, 10.0);
    check_measurements_track_the_injected_costs(v, t);
    const double bound = std::max(t.io_ms, t.compute_ms);
    check(v, t.wall_ms <= 1.15 * bound, "wall <= 1.15 x max(io, compute)", t.wall_ms, 1.15 * bound);
    check(v, t.wall_ms <= 0.9 * (t.expected_io_ms + t.expected_compute_ms), "wall <= 0.9 x injected sum (not sequential)",
          t.wall_ms, 0.9 * (t.expected_io_ms + t.expected_compute_ms));
    check(v, t.overlap >= 0.7, "overlap >= 0.7", t.overlap, 0.7);
    return v;
}

Violations sequential_violations(const Timing& t)
{
    Violations v;
    check_measurements_track_the_injected_costs(v, t);
    const double injected = t.expected_io_ms + t.expected_compute_ms, measured = t.io_ms + t.compute_ms;
    check(v, t.wall_ms >= 0.95 * injected, "wall >= 0.95 x injected sum", t.wall_ms, 0.95 * injected);
    check(v, t.wall_ms >= 0.9 * measured, "wall >= 0.9 x (io + compute)", t.wall_ms, 0.9 * measured);
    check(v, t.wall_ms <= 1.15 * measured, "wall <= 1.15 x (io + compute)", t.wall_ms, 1.15 * measured);
    check(v, t.overlap <= 0.2, "overlap <= 0.2", t.overlap, 0.2);
    return v;
}

// A timing on a shared machine can be disturbed (another process takes the CPU the reader or
// the sleeps wake on): up to three measurements, each printed; the test fails only when none
// meets every bound, listing what the last one missed. A broken pipeline misses every time.
void expect_within_three_attempts(plan::Strategy strategy, Violations (*violations)(const Timing&))
{
    Violations v;
    for (int attempt = 1; attempt <= 3; ++attempt) {
        v = violations(time_passes(strategy));
        if (v.empty())
            return;
        for (const auto& line : v)
            std::printf("  attempt %d missed: %s\n", attempt, line.c_str());
    }
    for (const auto& line : v)
        ADD_FAILURE() << line;
}

} // namespace

TEST(Overlap, SpeculativePrefetchHidesTheSmallerOfIoAndCompute)
{
    expect_within_three_attempts(plan::Strategy::SpeculativePrefetch, speculative_violations);
}

TEST(Overlap, SequentialCostsIoPlusCompute)
{
    expect_within_three_attempts(plan::Strategy::Sequential, sequential_violations);
}
