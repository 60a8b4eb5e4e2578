// Scalar F16/BF16 -> F32 conversion throughput: the baseline the SIMD kernels must beat.
#include "catch_compat.hpp"

#include "core/half.hpp"

#include <numeric>
#include <random>
#include <vector>

TEST_CASE("f16 and bf16 to f32, 64 Ki values", "[kernels]")
{
    std::vector<std::uint16_t> in(1 << 16);
    std::mt19937 rng(3);
    for (auto& h : in)
        h = static_cast<std::uint16_t>(rng() & 0x7bff); // finite values
    std::vector<float> out(in.size());
    const auto sum = [&] { return std::accumulate(out.begin(), out.end(), 0.0f); };

    BENCHMARK("f16_to_f32 scalar")
    {
        for (std::size_t i = 0; i < in.size(); ++i)
            out[i] = edge_rt::f16_to_f32(in[i]);
        return sum();
    };
    BENCHMARK("bf16_to_f32 scalar")
    {
        for (std::size_t i = 0; i < in.size(); ++i)
            out[i] = edge_rt::bf16_to_f32(in[i]);
        return sum();
    };
}
