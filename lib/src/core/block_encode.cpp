#include "core/block_encode.hpp"

#include "core/block_formats.hpp"
#include "core/half.hpp"
#include "core/kquant_encode.hpp"
#include "core/quant.hpp"
#include "core/scale_fit.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <string>

namespace edge_rt {
namespace {

using namespace quant_fit;

constexpr std::size_t kBlock = 32;

float f16_round(float v) { return f16_to_f32(f32_to_f16(v)); }

void put_u16(std::byte* p, std::uint16_t h)
{
    p[0] = static_cast<std::byte>(h & 0xffu);
    p[1] = static_cast<std::byte>(h >> 8);
}

void put_f16(std::byte* p, float v) { put_u16(p, f32_to_f16(v)); }

// A nibble row: element j in the low nibble of byte j, element j+16 in its high nibble.
void pack_nibbles(std::byte* qs, const int* q)
{
    for (std::size_t j = 0; j < 16; ++j)
        qs[j] = static_cast<std::byte>((static_cast<unsigned>(q[j]) & 15u) | ((static_cast<unsigned>(q[j + 16]) & 15u) << 4));
}

void put_qh(std::byte* p, const int* q)
{
    std::uint32_t qh = 0;
    for (std::size_t i = 0; i < kBlock; ++i)
        qh |= ((static_cast<std::uint32_t>(q[i]) >> 4) & 1u) << i;
    for (std::size_t k = 0; k < 4; ++k)
        p[k] = static_cast<std::byte>((qh >> (8 * k)) & 0xffu);
}

// Symmetric block: fit, round d to f16, re-choose the codes for the rounded d, shift by `bias`.
float symmetric_block(const float* x, int qmin, int qmax, int* q)
{
    const std::span xs(x, kBlock);
    const float d = f16_round(fit_symmetric(xs, qmin, qmax, q));
    codes_for(xs, d, 0.0f, qmin, qmax, q);
    return d;
}

AffineFit affine_block(const float* x, int qmax, int* q)
{
    const std::span xs(x, kBlock);
    AffineFit f = fit_affine(xs, qmax, false, q);
    f = {f16_round(f.scale), f16_round(f.offset)};
    codes_for(xs, f.scale, f.offset, 0, qmax, q);
    return f;
}

void q4_0_block(const float* x, std::byte* b)
{
    std::array<int, kBlock> q{};
    // codes -8..7 as stored q-8; a negative d is fine (ggml's own Q4_0 uses one)
    put_f16(b, symmetric_block(x, -8, 7, q.data()));
    for (int& v : q)
        v += 8;
    pack_nibbles(b + 2, q.data());
}

void q4_1_block(const float* x, std::byte* b)
{
    std::array<int, kBlock> q{};
    const AffineFit f = affine_block(x, 15, q.data());
    put_f16(b, f.scale);
    put_f16(b + 2, f.offset);
    pack_nibbles(b + 4, q.data());
}

void q5_0_block(const float* x, std::byte* b)
{
    std::array<int, kBlock> q{};
    put_f16(b, symmetric_block(x, -16, 15, q.data()));
    for (int& v : q)
        v += 16;
    put_qh(b + 2, q.data());
    pack_nibbles(b + 6, q.data());
}

void q5_1_block(const float* x, std::byte* b)
{
    std::array<int, kBlock> q{};
    const AffineFit f = affine_block(x, 31, q.data());
    put_f16(b, f.scale);
    put_f16(b + 2, f.offset);
    put_qh(b + 4, q.data());
    pack_nibbles(b + 8, q.data());
}

void iq4_nl_block(const float* x, std::byte* b)
{
    static const std::array<float, 16> grid = [] {
        std::array<float, 16> g{};
        std::transform(blocks::kIq4Grid.begin(), blocks::kIq4Grid.end(), g.begin(),
                       [](std::int8_t v) { return static_cast<float>(v); });
        return g;
    }();
    std::array<int, kBlock> q{};
    const float d = f16_round(fit_grid(std::span(x, kBlock), grid, q.data()));
    if (d != 0.0f) // the nearest grid values for the rounded d
        fit_grid_codes(std::span(x, kBlock), grid, d, q.data());
    put_f16(b, d);
    pack_nibbles(b + 2, q.data());
}

void encode32(std::span<const float> x, std::span<std::byte> out, std::size_t block_bytes, const char* what,
              void (*block)(const float*, std::byte*))
{
    if (x.size() % kBlock != 0 || out.size() != x.size() / kBlock * block_bytes)
        throw std::invalid_argument(std::string(what) + ": row of " + std::to_string(x.size()) +
                                    " values does not match " + std::to_string(out.size()) + " bytes");
    for (std::size_t b = 0; b < x.size() / kBlock; ++b)
        block(x.data() + b * kBlock, out.data() + b * block_bytes);
}

void float_row(DType dtype, std::span<const float> x, std::span<std::byte> out)
{
    const std::size_t width = dtype == DType::F32 ? 4 : 2;
    if (out.size() != x.size() * width)
        throw std::invalid_argument("float row: " + std::to_string(x.size()) + " values do not match " +
                                    std::to_string(out.size()) + " bytes");
    if (dtype == DType::F32) {
        std::memcpy(out.data(), x.data(), out.size());
        return;
    }
    for (std::size_t i = 0; i < x.size(); ++i)
        put_u16(out.data() + 2 * i, dtype == DType::F16 ? f32_to_f16(x[i]) : f32_to_bf16(x[i]));
}

} // namespace

void quantize_row_q4_0_fit(std::span<const float> x, std::span<std::byte> out) { encode32(x, out, 18, "Q4_0 quantise", q4_0_block); }
void quantize_row_q4_1(std::span<const float> x, std::span<std::byte> out) { encode32(x, out, 20, "Q4_1 quantise", q4_1_block); }
void quantize_row_q5_0(std::span<const float> x, std::span<std::byte> out) { encode32(x, out, 22, "Q5_0 quantise", q5_0_block); }
void quantize_row_q5_1(std::span<const float> x, std::span<std::byte> out) { encode32(x, out, 24, "Q5_1 quantise", q5_1_block); }
void quantize_row_iq4_nl(std::span<const float> x, std::span<std::byte> out) { encode32(x, out, 18, "IQ4_NL quantise", iq4_nl_block); }

bool can_quantize(DType dtype)
{
    switch (dtype) {
    case DType::F32: case DType::F16: case DType::BF16: case DType::Q8_0: case DType::Q4_0: case DType::Q4_1:
    case DType::Q5_0: case DType::Q5_1: case DType::IQ4_NL: case DType::Q2_K: case DType::Q3_K: case DType::Q4_K:
    case DType::Q5_K: case DType::Q6_K:
        return true;
    default:
        return false;
    }
}

void quantize_row(DType dtype, std::span<const float> x, std::span<std::byte> out)
{
    switch (dtype) {
    case DType::F32: case DType::F16: case DType::BF16: return float_row(dtype, x, out);
    case DType::Q8_0: return quantize_row_q8_0(x, out);
    case DType::Q4_0: return quantize_row_q4_0_fit(x, out);
    case DType::Q4_1: return quantize_row_q4_1(x, out);
    case DType::Q5_0: return quantize_row_q5_0(x, out);
    case DType::Q5_1: return quantize_row_q5_1(x, out);
    case DType::IQ4_NL: return quantize_row_iq4_nl(x, out);
    case DType::Q2_K: return quantize_row_q2_k(x, out);
    case DType::Q3_K: return quantize_row_q3_k(x, out);
    case DType::Q4_K: return quantize_row_q4_k(x, out);
    case DType::Q5_K: return quantize_row_q5_k(x, out);
    case DType::Q6_K: return quantize_row_q6_k(x, out);
    default: break;
    }
    throw std::invalid_argument("cannot quantise to " + dtype_name(static_cast<std::uint32_t>(dtype)));
}

} // namespace edge_rt
