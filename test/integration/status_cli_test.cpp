// `status` against fake /proc and /sys trees (hidden --root), the machine's own, and an I/O probe.
#include "process.hpp"
#include "temp_dir.hpp"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace edge_rt::test;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

void put(const fs::path& p, const std::string& text)
{
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

// A Pi-like machine: 2 GiB available, one hot zone, cpufreq, firmware flags 0x50005.
void fake_pi(const fs::path& root, const std::string& psi_some)
{
    put(root / "proc/meminfo", "MemTotal:        3977000 kB\nMemFree:  100 kB\nMemAvailable:    2097152 kB\n");
    put(root / "proc/pressure/memory", "some avg10=" + psi_some + " avg60=0.00 avg300=0.00 total=0\n"
                                       "full avg10=1.25 avg60=0.00 avg300=0.00 total=0\n");
    put(root / "proc/loadavg", "0.50 0.40 0.30 1/100 1234\n");
    put(root / "proc/stat", "cpu  10 0 10 100 0 0 0 0 0 0\ncpu0 5 0 5 50 0 0 0 0 0 0\ncpu1 5 0 5 50 0 0 0 0 0 0\n");
    put(root / "sys/class/thermal/thermal_zone0/type", "cpu-thermal\n");
    put(root / "sys/class/thermal/thermal_zone0/temp", "71500\n");
    const auto freq = root / "sys/devices/system/cpu/cpu0/cpufreq";
    put(freq / "scaling_cur_freq", "1500000\n");
    put(freq / "cpuinfo_max_freq", "1800000\n");
    put(freq / "scaling_governor", "ondemand\n");
    put(root / "sys/devices/platform/soc/soc:firmware/get_throttled", "0x50005\n");
}

nlohmann::json status_json(const std::vector<std::string>& extra)
{
    std::vector<std::string> args{"status", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
}

} // namespace

TEST(StatusCli, FakePiTreeReadsBackAsJson)
{
    TempDir root;
    fake_pi(root.path(), "0.50");
    const auto j = status_json({"--root", root.path().string()});
    EXPECT_EQ(j["memory"]["total_bytes"], 3977000ull * 1024);
    EXPECT_EQ(j["memory"]["available_bytes"], 2097152ull * 1024);
    EXPECT_EQ(j["memory"]["psi_full_avg10"], 1.25);
    EXPECT_EQ(j["thermal"]["zones"][0]["type"], "cpu-thermal");
    EXPECT_DOUBLE_EQ(j["thermal"]["headroom_celsius"].get<double>(), 80.0 - 71.5);
    EXPECT_EQ(j["thermal"]["throttle_flags"]["raw"], 0x50005);
    EXPECT_EQ(j["thermal"]["throttle_flags"]["under_voltage_now"], true);
    EXPECT_EQ(j["thermal"]["throttle_flags"]["throttled_now"], true);
    EXPECT_EQ(j["cpu"]["online"], 2);
    EXPECT_EQ(j["cpu"]["cores"][0]["governor"], "ondemand");
    EXPECT_EQ(j["cpu"]["cores"][0]["cur_mhz"], 1500.0);
    EXPECT_EQ(j["cpu"]["cores"][0]["max_mhz"], 1800.0);
    EXPECT_TRUE(j["cpu"]["cores"][1]["governor"].is_null());
    EXPECT_TRUE(j["cpu"]["cores"][0]["busy_percent"].is_null()) << "static counters: no load to compute";
    // 75% of 2 GiB, whole MiB.
    EXPECT_EQ(j["assessment"]["memory_budget_bytes"], 1536ull << 20);
    EXPECT_EQ(j["assessment"]["memory_budget"], "1.50G");
    EXPECT_EQ(j["assessment"]["strategy"], "auto");
    EXPECT_TRUE(j["storage"].is_null());
}

TEST(StatusCli, PressureShrinksTheBudgetAndABigModelIsStreamed)
{
    TempDir root;
    fake_pi(root.path(), "12.50");
    const auto model = root.path() / "big.gguf";
    { std::ofstream(model) << "x"; }
    fs::resize_file(model, 1400ull << 20); // sparse: 1.4 GiB > 60% of 2 GiB
    const auto j = status_json({"--root", root.path().string(), "-m", model.string()});
    EXPECT_EQ(j["assessment"]["memory_budget_bytes"], 1228ull << 20); // floor(0.6 * 2048) MiB
    EXPECT_EQ(j["assessment"]["strategy"], "speculative-prefetch");
    const auto text = run_cli({"status", "--root", root.path().string(), "-m", model.string()});
    EXPECT_THAT(text.out, HasSubstr("--memory-budget 1.20G --strategy speculative-prefetch"));
    EXPECT_THAT(text.out, HasSubstr("cpu-thermal 71.5 °C"));
    EXPECT_THAT(text.out, HasSubstr("under-voltage now"));
    EXPECT_THAT(text.out, HasSubstr("8.5 °C below"));
}

TEST(StatusCli, EmptyTreeIsAllNotAvailable)
{
    TempDir root;
    const auto r = run_cli({"status", "--root", root.path().string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("zones: n/a"));
    EXPECT_THAT(r.out, HasSubstr("total n/a, available n/a"));
    EXPECT_THAT(r.out, HasSubstr("throttle flags: n/a"));
    EXPECT_THAT(r.out, HasSubstr("--memory-budget n/a"));
    const auto j = status_json({"--root", root.path().string()});
    EXPECT_TRUE(j["memory"]["available_bytes"].is_null());
    EXPECT_TRUE(j["assessment"]["memory_budget_bytes"].is_null());
    EXPECT_EQ(j["cpu"]["online"], 0);
}

// This machine: load per core is a percentage in 0..100 (not divided twice into ~0).
TEST(StatusCli, RealMachineLoadIsAPercentage)
{
    const auto j = status_json({});
    ASSERT_FALSE(j["memory"]["available_bytes"].is_null());
    for (const auto& c : j["cpu"]["cores"])
        if (!c["busy_percent"].is_null()) {
            EXPECT_GE(c["busy_percent"].get<double>(), 0.0);
            EXPECT_LE(c["busy_percent"].get<double>(), 100.0);
        }
}

TEST(StatusCli, ProbeIoMeasuresATemporaryFile)
{
    TempDir dir;
    const auto j = status_json({"--probe-io", dir.path().string(), "--probe-size", "8"});
    const auto& s = j["storage"];
    ASSERT_FALSE(s.is_null());
    EXPECT_GT(s["read_mb_s"].get<double>(), 0.0);
    EXPECT_EQ(s["bytes"], 8u << 20);
    EXPECT_EQ(s["temporary_file"], true);
    EXPECT_TRUE(s["direct_io"].is_boolean());
    EXPECT_THAT(s["backend"].get<std::string>(), ::testing::AnyOf("uring", "pread"));
    EXPECT_TRUE(fs::is_empty(dir.path())) << "the probe file is removed";
}

TEST(StatusCli, MissingModelIsOneLine)
{
    const auto r = run_cli({"status", "-m", "/no/such/model.gguf"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}
