// Kernel throughput at TinyLlama-1.1B shapes against the machine's own read bandwidth, measured
// here too: decode is a matrix-vector product per weight matrix, so a good kernel streams its
// weights at close to that bandwidth; prefill (many inputs per call) should be compute-bound.
// Run: edge-rt-bench "[kernels]"   (EDGE_RT_BENCH_THREADS, default 2; medians of 5 runs;
// EDGE_RT_BENCH_ONLY="avx512 q4_0" keeps the kernels and types whose names are listed)
#include "catch_compat.hpp"

#include "core/quant.hpp"
#include "exec/executor.hpp"
#include "kernels/dispatch.hpp"
#include "kernels/matmul.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace edge_rt;

namespace {

using Clock = std::chrono::steady_clock;

unsigned bench_threads()
{
    const char* v = std::getenv("EDGE_RT_BENCH_THREADS");
    return v && *v ? static_cast<unsigned>(std::stoul(v)) : 2u;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double cpu_seconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// CPU time the process got over all runs, as a share of wall time x threads: on a shared
// machine a low share means the figures are limited by other load, not by the kernel.
double g_cpu_share = 0.0;

template <class Fn>
double median_seconds(int runs, Fn&& fn, unsigned threads = 1)
{
    std::vector<double> t;
    const double cpu0 = cpu_seconds();
    double wall = 0.0;
    for (int i = 0; i < runs; ++i) {
        const auto start = Clock::now();
        fn();
        t.push_back(std::chrono::duration<double>(Clock::now() - start).count());
        wall += t.back();
    }
    g_cpu_share = (cpu_seconds() - cpu0) / (wall * threads);
    return median(t);
}

// GB/s of a streaming read of a 1 GiB buffer (32x the L3 cache here) by `threads` threads.
double read_bandwidth(unsigned threads)
{
    const std::size_t words = (std::size_t{1} << 30) / sizeof(std::uint64_t);
    std::vector<std::uint64_t> buf(words);
    std::iota(buf.begin(), buf.end(), 1);
    std::vector<std::uint64_t> sums(threads);
    const double s = median_seconds(
        5,
        [&] {
        std::vector<std::thread> pool;
        for (unsigned t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                const std::size_t b = words / threads * t, e = t + 1 == threads ? words : words / threads * (t + 1);
                std::uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                for (std::size_t i = b; i + 4 <= e; i += 4) {
                    a0 += buf[i];
                    a1 += buf[i + 1];
                    a2 += buf[i + 2];
                    a3 += buf[i + 3];
                }
                sums[t] = a0 + a1 + a2 + a3;
            });
        for (auto& th : pool)
            th.join();
        },
        threads);
    REQUIRE(std::accumulate(sums.begin(), sums.end(), std::uint64_t{0}) != 0);
    return static_cast<double>(words * sizeof(std::uint64_t)) / s / 1e9;
}

// Rows of the types without a quantiser here, for timing: random codes and scales (every
// byte), with the f16 block scales set to a small normal value so no NaN or subnormal reaches
// the float work. Block size and the offsets of its f16 fields, per the format.
void fill_random_blocks(DType t, std::byte* dst, std::size_t bytes)
{
    static std::mt19937 rng(3);
    for (std::size_t i = 0; i < bytes; ++i)
        dst[i] = static_cast<std::byte>(rng());
    struct Fields {
        std::size_t block, f16[2], count;
    };
    const Fields f = t == DType::Q6_K   ? Fields{210, {208, 0}, 1}
                     : t == DType::Q5_K ? Fields{176, {0, 2}, 2}
                     : t == DType::Q4_K ? Fields{144, {0, 2}, 2}
                     : t == DType::Q5_0 ? Fields{22, {0, 0}, 1}
                                        : Fields{18, {0, 0}, 1}; // IQ4_NL
    const std::byte h[2] = {std::byte{0x00}, std::byte{0x20}}; // f16 2^-7
    for (std::size_t b = 0; b < bytes; b += f.block)
        for (std::size_t i = 0; i < f.count; ++i)
            std::memcpy(dst + b + f.f16[i], h, 2);
}

std::vector<std::byte> encode(DType t, const std::vector<float>& v, std::size_t cols)
{
    const std::size_t rows = v.size() / cols;
    std::vector<std::byte> out(rows * kernels::row_bytes(t, cols));
    const std::size_t rb = kernels::row_bytes(t, cols);
    for (std::size_t r = 0; r < rows; ++r) {
        const std::span<const float> row(v.data() + r * cols, cols);
        std::byte* dst = out.data() + r * rb;
        switch (t) {
        case DType::Q8_0: quantize_row_q8_0(row, {dst, rb}); break;
        case DType::Q4_0: quantize_row_q4_0(row, {dst, rb}); break;
        case DType::F32: std::memcpy(dst, row.data(), rb); break;
        case DType::Q4_K:
        case DType::Q5_K:
        case DType::Q6_K:
        case DType::Q5_0:
        case DType::IQ4_NL: fill_random_blocks(t, dst, rb); break;
        default: // F16/BF16: a fixed pattern of small values is enough for timing
            for (std::size_t c = 0; c < cols; ++c) {
                const std::uint16_t h = static_cast<std::uint16_t>(t == DType::F16 ? 0x3000 + (c & 0xff) : 0x3e00 + (c & 0x7f));
                std::memcpy(dst + 2 * c, &h, 2);
            }
        }
    }
    return out;
}

struct Shape {
    const char* name;
    std::size_t rows, cols;
};
constexpr Shape kShapes[] = {{"attn 2048x2048", 2048, 2048},
                             {"ffn up 5632x2048", 5632, 2048},
                             {"ffn down 2048x5632", 2048, 5632},
                             {"output 32000x2048", 32000, 2048}};
constexpr DType kTypes[] = {DType::Q8_0, DType::Q4_0, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q5_0, DType::IQ4_NL, DType::F16, DType::BF16, DType::F32};

std::string load_average()
{
    std::FILE* f = std::fopen("/proc/loadavg", "r");
    char buf[64] = {};
    if (f) {
        if (std::fgets(buf, sizeof buf, f) == nullptr)
            buf[0] = '\0';
        std::fclose(f);
    }
    std::string s(buf);
    return s.substr(0, s.find(' ', s.find(' ', s.find(' ') + 1) + 1));
}

std::string type_name(DType t) { return dtype_name(static_cast<std::uint32_t>(t)); }

// Whether EDGE_RT_BENCH_ONLY (unset: everything) names `name`, or names nothing of its kind.
bool selected(const std::string& name, const std::vector<std::string>& kind)
{
    const char* v = std::getenv("EDGE_RT_BENCH_ONLY");
    if (!v || !*v)
        return true;
    const std::string only = std::string(" ") + v + " ";
    const auto listed = [&](const std::string& n) { return only.find(" " + n + " ") != std::string::npos; };
    return listed(name) || std::none_of(kind.begin(), kind.end(), listed);
}

} // namespace

TEST_CASE("read bandwidth alone", "[.][bandwidth]")
{
    const unsigned threads = bench_threads();
    const double bw = read_bandwidth(threads);
    std::printf("read bandwidth, %u threads, 1 GiB buffer: %.1f GB/s (median of 5, cpu share %.0f%%, load %s)\n",
                threads, bw, 100.0 * g_cpu_share, load_average().c_str());
}

TEST_CASE("kernels at TinyLlama shapes vs read bandwidth", "[.][kernels]")
{
    const unsigned threads = bench_threads();
    const double bw = read_bandwidth(threads);
    std::printf("read bandwidth, %u threads, 1 GiB buffer: %.1f GB/s (median of 5, cpu share %.0f%%, load %s)\n",
                threads, bw, 100.0 * g_cpu_share, load_average().c_str());
    // One compute pool thread plus the calling thread: `threads` threads in all.
    exec::ComputePool pool(threads > 1 ? threads - 1 : 1);
    const exec::PoolParallel parallel(pool.executor(), threads);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::printf("%-8s %-6s %-20s %9s %8s %8s %7s %5s | prefill n=64 %8s\n", "kernels", "type", "shape", "us/matvec",
                "GB/s", "GFLOP/s", "of bw", "cpu", "GFLOP/s");
    std::vector<std::string> kernel_names, type_names;
    for (const auto* k : kernels::available_kernels())
        kernel_names.push_back(k->name);
    for (DType t : kTypes)
        type_names.push_back(type_name(t));
    for (const auto* k : kernels::available_kernels()) {
        if (!selected(k->name, kernel_names))
            continue;
        for (DType t : kTypes) {
            if (!selected(type_name(t), type_names))
                continue;
            for (const auto& s : kShapes) {
                std::vector<float> values(s.rows * s.cols);
                for (auto& v : values)
                    v = dist(rng);
                const auto one = encode(t, values, s.cols);
                // Copies beyond the L3 cache, taken in turn, so every matvec reads from memory.
                const std::size_t copies = std::max<std::size_t>(2, (std::size_t{256} << 20) / one.size());
                std::vector<std::byte> weights(copies * one.size());
                for (std::size_t c = 0; c < copies; ++c)
                    std::memcpy(weights.data() + c * one.size(), one.data(), one.size());
                std::vector<float> x(64 * s.cols), y(64 * s.rows);
                for (auto& v : x)
                    v = dist(rng);
                std::vector<std::byte> scratch;
                std::size_t next = 0;
                const auto view = [&] {
                    kernels::WeightView w{weights.data() + (next++ % copies) * one.size(), t, s.cols, s.rows};
                    return w;
                };
                const int reps = k->quantized_activations ? 20 : 3;
                const double sec = median_seconds(5, [&] {
                    for (int i = 0; i < reps; ++i)
                        kernels::matmul(*k, view(), x.data(), 1, y.data(), scratch, parallel);
                }, threads) / reps;
                const double share = g_cpu_share;
                const double gbs = static_cast<double>(one.size()) / sec / 1e9;
                const double flops = 2.0 * static_cast<double>(s.rows * s.cols);
                double prefill = 0.0;
                if (k->quantized_activations && s.rows <= 5632) {
                    const double ps = median_seconds(3, [&] { kernels::matmul(*k, view(), x.data(), 64, y.data(), scratch, parallel); });
                    prefill = 64 * flops / ps / 1e9;
                }
                std::printf("%-8s %-6s %-20s %9.1f %8.2f %8.2f %6.0f%% %4.0f%% | %8.1f\n", k->name, type_name(t).c_str(),
                            s.name, sec * 1e6, gbs, flops / sec / 1e9, 100.0 * gbs / bw, 100.0 * share, prefill);
                std::fflush(stdout);
            }
        }
    }
}
