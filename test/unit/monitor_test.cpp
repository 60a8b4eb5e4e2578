// The monitor against fake /proc and /sys trees, and the policy's hysteresis step by step.
#include "env.hpp"
#include "exec/executor.hpp"
#include "monitor/monitor.hpp"
#include "runtime/generate.hpp"
#include "temp_dir.hpp"

#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <vector>

using namespace edge_rt;
using namespace edge_rt::monitor;

namespace {

void put(const std::filesystem::path& p, const std::string& text)
{
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

// A Raspberry Pi 4 as its files would read: 2 cores here to keep the fixture short.
void fake_pi(const std::filesystem::path& root, long millicelsius, const char* throttled, unsigned busy0)
{
    put(root / "proc/meminfo", "MemTotal:        3884096 kB\nMemFree:  100 kB\nMemAvailable:    1942048 kB\n");
    put(root / "proc/pressure/memory", "some avg10=1.50 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.25 avg60=0.00 avg300=0.00 total=0\n");
    put(root / "proc/loadavg", "2.50 1.25 0.75 3/200 1234\n");
    put(root / "proc/stat", "cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 " + std::to_string(busy0) +
                                " 0 0 100 0 0 0 0 0 0\ncpu1 0 0 0 100 0 0 0 0 0 0\nintr 1\n");
    put(root / "sys/class/thermal/thermal_zone0/temp", std::to_string(millicelsius) + "\n");
    put(root / "sys/class/thermal/thermal_zone0/type", "cpu-thermal\n");
    for (int c = 0; c < 2; ++c) {
        const auto f = root / "sys/devices/system/cpu" / ("cpu" + std::to_string(c)) / "cpufreq";
        put(f / "scaling_cur_freq", "1500000\n");
        put(f / "cpuinfo_max_freq", "1800000\n");
        put(f / "scaling_governor", "ondemand\n");
    }
    put(root / "sys/devices/platform/soc/soc:firmware/get_throttled", throttled);
}

} // namespace

TEST(Sampler, ReadsAFakePi)
{
    test::TempDir dir;
    fake_pi(dir.path(), 61234, "0x50005\n", 0);
    Sampler sampler(dir.path());
    const Snapshot first = sampler.sample();
    EXPECT_EQ(first.mem_total, 3884096ull * 1024);
    EXPECT_EQ(first.mem_available, 1942048ull * 1024);
    EXPECT_DOUBLE_EQ(first.psi_some_avg10.value(), 1.5);
    EXPECT_DOUBLE_EQ(first.psi_full_avg10.value(), 0.25);
    EXPECT_DOUBLE_EQ(first.load1.value(), 2.5);
    ASSERT_EQ(first.thermal.size(), 1u);
    EXPECT_EQ(first.thermal[0].type, "cpu-thermal");
    EXPECT_DOUBLE_EQ(first.thermal[0].celsius, 61.234);
    ASSERT_EQ(first.cores.size(), 2u);
    EXPECT_EQ(first.cores[1].max_khz, 1800000u);
    EXPECT_EQ(first.cores[0].governor, "ondemand");
    EXPECT_FALSE(first.cores[0].busy.has_value()) << "busy needs two readings";
    ASSERT_TRUE(first.throttle.has_value());
    EXPECT_TRUE(first.throttle->under_voltage());
    EXPECT_TRUE(first.throttle->throttled());
    EXPECT_FALSE(first.throttle->freq_capped());
    EXPECT_TRUE(first.throttle->any_since_boot());

    // cpu0 spends 100 more busy ticks of 100 more total: fully busy; cpu1 does nothing.
    fake_pi(dir.path(), 61234, "0x0\n", 100);
    put(dir.path() / "proc/stat", "cpu0 100 0 0 100 0 0 0 0 0 0\ncpu1 0 0 0 200 0 0 0 0 0 0\n");
    const Snapshot second = sampler.sample(&first);
    EXPECT_DOUBLE_EQ(second.cores[0].busy.value(), 1.0);
    EXPECT_DOUBLE_EQ(second.cores[1].busy.value(), 0.0);
}

TEST(Sampler, MissingFilesGiveEmptyFields)
{
    test::TempDir dir;
    put(dir.path() / "proc/meminfo", "garbage\n");
    put(dir.path() / "sys/devices/platform/soc/soc:firmware/get_throttled", "not hex");
    const Snapshot s = Sampler(dir.path()).sample();
    EXPECT_FALSE(s.mem_total.has_value());
    EXPECT_FALSE(s.psi_some_avg10.has_value());
    EXPECT_FALSE(s.max_celsius().has_value());
    EXPECT_TRUE(s.cores.empty());
    EXPECT_FALSE(s.throttle.has_value());
}

TEST(Policy, StepsDownUnderPressureAndUpOnlyAfterCalmReadings)
{
    Policy p({3, 4}, PolicyConfig{});
    Snapshot calm;
    calm.mem_total = 100;
    calm.mem_available = 50;
    calm.psi_some_avg10 = 0.5;
    calm.thermal = {{"cpu", 50}};
    Snapshot pressure = calm;
    pressure.psi_some_avg10 = 25;
    Snapshot hot = calm;
    hot.thermal = {{"cpu", 85}};

    EXPECT_FALSE(p.update(calm).has_value());
    ASSERT_TRUE(p.update(pressure).has_value());
    EXPECT_EQ(p.limits(), (Limits{2, 4}));
    p.update(pressure);
    p.update(pressure);
    EXPECT_EQ(p.limits(), (Limits{1, 4})) << "never below one slot";
    p.update(calm);
    p.update(calm);
    EXPECT_EQ(p.limits(), (Limits{1, 4})) << "two calm readings are not enough";
    const auto msg = p.update(calm);
    ASSERT_TRUE(msg.has_value());
    EXPECT_NE(msg->find("prefetch depth 1 -> 2"), std::string::npos) << *msg;
    p.update(hot);
    EXPECT_EQ(p.limits().threads, 3u);
    Snapshot throttled = calm;
    throttled.throttle = ThrottleFlags{0x4};
    p.update(throttled);
    EXPECT_EQ(p.limits().threads, 2u) << "firmware throttling counts as hot";
    Snapshot warm = calm; // between ok (70) and high (80): neither hot nor calm
    warm.thermal = {{"cpu", 75}};
    for (int i = 0; i < 5; ++i)
        p.update(warm);
    EXPECT_EQ(p.limits().threads, 2u);
}

// The monitor runs as a timer task on the io_context and stops cleanly.
TEST(Monitor, SamplesPeriodicallyOnTheIoContext)
{
    test::TempDir dir;
    fake_pi(dir.path(), 50000, "0x0\n", 0);
    exec::Executor ex(1);
    Monitor m(ex.io(), Sampler(dir.path()), Policy({2, 4}), std::chrono::milliseconds(2));
    m.start();
    ex.run_blocking([&]() -> asio::awaitable<void> {
        asio::steady_timer t(ex.io());
        while (m.readings() < 5) {
            t.expires_after(std::chrono::milliseconds(2));
            co_await t.async_wait(asio::use_awaitable);
        }
        m.stop(); // without this, run() would never return: the timer is pending work
    }());
    EXPECT_GE(m.readings(), 5u);
    EXPECT_EQ(m.latest().cores.size(), 2u);
    EXPECT_EQ(m.limits(), (Limits{2, 4}));
}

namespace {

void set_pressure(const std::filesystem::path& root, double some_avg10)
{
    put(root / "proc/pressure/memory", fmt::format("some avg10={:.2f} avg60=0.00 avg300=0.00 total=0\n"
                                                   "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
                                                   some_avg10));
}

// The bundled model streamed through a two-slot ring: the smallest budget whose plan streams
// some groups through exactly two slots (found with the planner alone, before any load).
runtime::EngineOptions streaming_options()
{
    runtime::EngineOptions o;
    o.n_ctx = 64;
    o.max_batch = 8;
    o.strategy = plan::Strategy::SpeculativePrefetch;
    o.prefetch_depth = 2;
    o.reader.backend = io::IoBackend::Pread;
    runtime::Engine resident(test::bundled_model(), o);
    auto request = resident.plan_request();
    const auto whole = resident.plan().predicted_peak;
    for (request.budget = plan::minimum_budget(request); request.budget < whole; request.budget += 4096) {
        const auto p = plan::make_plan(request);
        if (p.slots == 2 && !p.fully_resident()) {
            o.budget = request.budget;
            return o;
        }
    }
    ADD_FAILURE() << "no budget streams the bundled model through two slots";
    return o;
}

struct MonitoredRun {
    std::vector<std::int32_t> tokens;
    std::vector<unsigned> depth;             // ring slots in use when each token was produced
    std::vector<std::uint64_t> budget_used;  // the budget's current bytes at each token
};

/// Greedy generation of 12 tokens; `at_token(k)` runs after the k-th token (1-based).
MonitoredRun generate_12(runtime::Engine& engine, const monitor::Monitor* mon, const std::function<void(std::size_t)>& at_token)
{
    runtime::Conversation session(engine);
    runtime::GenerateOptions gen;
    gen.max_tokens = 12;
    gen.sampler.temperature = 0;
    engine.set_monitor(mon); // applied before each of its passes
    MonitoredRun run;
    const std::vector<std::int32_t> prompt{1, 403, 407};
    runtime::generate(session, prompt, gen, [&](std::int32_t id, std::span<const float>) {
        run.tokens.push_back(id);
        run.depth.push_back(engine.prefetch_depth());
        run.budget_used.push_back(engine.budget().current());
        if (at_token)
            at_token(run.tokens.size());
    });
    return run;
}

} // namespace

// Pressure that appears mid-run lowers the prefetch depth at the next token boundary, gives the
// slot's bytes back, and recovers after calm readings; the tokens are those of an unmonitored run.
TEST(MonitorDrivesEngine, PressureShrinksTheRingAtATokenBoundaryWithoutChangingTokens)
{
    const auto options = streaming_options();
    ASSERT_GT(options.budget, 0u);
    runtime::Engine plain(test::bundled_model(), options);
    const auto reference = generate_12(plain, nullptr, {}).tokens;

    test::TempDir dir;
    fake_pi(dir.path(), 50000, "0x0\n", 0); // PSI 1.5%, half the memory available: calm
    runtime::Engine engine(test::bundled_model(), options);
    ASSERT_EQ(engine.plan().slots, 2u);
    std::vector<std::string> log;
    monitor::Monitor mon(engine.executor().io(), Sampler(dir.path()), Policy({engine.plan().slots, 1}),
                         std::chrono::hours(1), // readings only when the test asks: deterministic
                         [&](const std::string& line) { log.push_back(line); });
    mon.start();
    const auto run = generate_12(engine, &mon, [&](std::size_t k) {
        if (k == 4) {
            set_pressure(dir.path(), 23.1);
            mon.sample_now();
        }
        if (k == 8) {
            set_pressure(dir.path(), 0.5);
            for (int i = 0; i < 3; ++i) // calm_readings
                mon.sample_now();
        }
    });
    mon.stop();

    EXPECT_EQ(run.tokens, reference);
    const std::vector<unsigned> want{2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2};
    EXPECT_EQ(run.depth, want);
    // The slot taken out of use went back to the budget (the pool's cache was trimmed) and came back.
    EXPECT_GE(run.budget_used[3] - run.budget_used[4], engine.plan().slot_bytes);
    EXPECT_EQ(run.budget_used[8], run.budget_used[3]);
    EXPECT_LE(engine.budget().peak(), options.budget);
    ASSERT_EQ(log.size(), 2u);
    EXPECT_NE(log[0].find("prefetch depth 2 -> 1"), std::string::npos) << log[0];
    EXPECT_NE(log[0].find("23.1%"), std::string::npos) << log[0];
    EXPECT_NE(log[1].find("prefetch depth 1 -> 2"), std::string::npos) << log[1];
}

// Limits are clamped to what was planned: never more slots than the plan, never more threads
// than the pool has, never fewer than one.
TEST(MonitorDrivesEngine, LimitsStayWithinThePlan)
{
    auto options = streaming_options();
    options.threads = 2;
    runtime::Engine engine(test::bundled_model(), options);
    EXPECT_EQ(engine.prefetch_depth(), 2u);
    EXPECT_EQ(engine.active_threads(), 2u);
    engine.apply_limits_blocking(5, 9);
    EXPECT_EQ(engine.prefetch_depth(), 2u);
    EXPECT_EQ(engine.active_threads(), 2u);
    EXPECT_EQ(engine.executor().compute().parallel().threads(), 2u);
    engine.apply_limits_blocking(0, 0);
    EXPECT_EQ(engine.prefetch_depth(), 1u);
    EXPECT_EQ(engine.active_threads(), 1u);
    EXPECT_EQ(engine.executor().compute().parallel().threads(), 1u); // the kernels see the limit
    runtime::Conversation session(engine);
    const std::vector<std::int32_t> prompt{1};
    EXPECT_EQ(session.forward(prompt).size(), engine.config().n_vocab);
    engine.apply_limits_blocking(2, 2);
    EXPECT_EQ(engine.prefetch_depth(), 2u);
    EXPECT_LE(engine.budget().peak(), options.budget);
}
