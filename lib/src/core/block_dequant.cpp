#include "core/block_dequant.hpp"

#include "core/block_formats.hpp"
#include "core/half.hpp"
#include "core/quant.hpp"

#include <cstring>

namespace edge_rt {
namespace {

using namespace blocks;

float f16_at(const std::byte* p) { return f16_to_f32(u16(p)); }
float fl(int v) { return static_cast<float>(v); }

// 32-value blocks: `code(block, i)` gives the integer code, `dm` the scale (and min).
void q4_1(const std::byte* b, float* y)
{
    const float d = f16_at(b), m = f16_at(b + 2);
    for (std::size_t i = 0; i < 32; ++i)
        y[i] = fl(static_cast<int>(nibble(b + 4, i))) * d + m;
}

int q5_code(const std::byte* qh_at, const std::byte* qs, std::size_t i)
{
    return static_cast<int>(nibble(qs, i) | (((u32(qh_at) >> i) & 1u) << 4));
}

void q5_0(const std::byte* b, float* y)
{
    const float d = f16_at(b);
    for (std::size_t i = 0; i < 32; ++i)
        y[i] = fl(q5_code(b + 2, b + 6, i) - 16) * d;
}

void q5_1(const std::byte* b, float* y)
{
    const float d = f16_at(b), m = f16_at(b + 2);
    for (std::size_t i = 0; i < 32; ++i)
        y[i] = fl(q5_code(b + 4, b + 8, i)) * d + m;
}

void iq4_nl(const std::byte* b, float* y)
{
    const float d = f16_at(b);
    for (std::size_t i = 0; i < 32; ++i)
        y[i] = d * fl(kIq4Grid[nibble(b + 2, i)]);
}

void q2_k(const std::byte* b, float* y)
{
    const float d = f16_at(b + 80), dmin = f16_at(b + 82);
    for (std::size_t s = 0; s < 16; ++s) {
        const unsigned sc = u8(b + s);
        const float dl = d * fl(static_cast<int>(sc & 15u)), ml = dmin * fl(static_cast<int>(sc >> 4));
        for (std::size_t i = 16 * s; i < 16 * s + 16; ++i)
            y[i] = dl * fl(q2k_code(b, i)) - ml;
    }
}

void q3_k(const std::byte* b, float* y)
{
    const float d = f16_at(b + 108);
    for (std::size_t s = 0; s < 16; ++s) {
        const float dl = d * fl(q3k_scale(b + 96, s) - 32);
        for (std::size_t i = 16 * s; i < 16 * s + 16; ++i)
            y[i] = dl * fl(q3k_code(b, i));
    }
}

template <int (*Code)(const std::byte*, std::size_t)>
void q45_k(const std::byte* b, float* y)
{
    const float d = f16_at(b), dmin = f16_at(b + 2);
    for (std::size_t s = 0; s < 8; ++s) {
        unsigned sc = 0, m = 0;
        k4_scale_min(b + 4, s, sc, m);
        const float dl = d * fl(static_cast<int>(sc)), ml = dmin * fl(static_cast<int>(m));
        for (std::size_t i = 32 * s; i < 32 * s + 32; ++i)
            y[i] = dl * fl(Code(b, i)) - ml;
    }
}

void q6_k(const std::byte* b, float* y)
{
    const float d = f16_at(b + 208);
    for (std::size_t i = 0; i < kSuperBlock; ++i)
        y[i] = d * fl(q6k_scale(b, i / 16)) * fl(q6k_code(b, i));
}

void iq4_xs(const std::byte* b, float* y)
{
    const float d = f16_at(b);
    for (std::size_t s = 0; s < 8; ++s) {
        const float dl = d * fl(iq4xs_scale(b, s) - 32);
        for (std::size_t i = 32 * s; i < 32 * s + 32; ++i)
            y[i] = dl * fl(kIq4Grid[iq4xs_index(b, i)]);
    }
}

using BlockDecoder = void (*)(const std::byte*, float*);

BlockDecoder decoder_for(DType t)
{
    switch (t) {
    case DType::Q4_1: return q4_1;
    case DType::Q5_0: return q5_0;
    case DType::Q5_1: return q5_1;
    case DType::IQ4_NL: return iq4_nl;
    case DType::Q2_K: return q2_k;
    case DType::Q3_K: return q3_k;
    case DType::Q4_K: return q45_k<q4k_code>;
    case DType::Q5_K: return q45_k<q5k_code>;
    case DType::Q6_K: return q6_k;
    case DType::IQ4_XS: return iq4_xs;
    default: return nullptr;
    }
}

} // namespace

bool dequantize_blocks(DType dtype, const std::byte* in, float* out, std::size_t n_blocks)
{
    const BlockDecoder decode = decoder_for(dtype);
    const auto info = dtype_info(static_cast<std::uint32_t>(dtype));
    if (decode == nullptr || !info)
        return false;
    for (std::size_t b = 0; b < n_blocks; ++b)
        decode(in + b * info->block_bytes, out + b * info->block_elems);
    return true;
}

bool dequantize_any(DType dtype, std::span<const std::byte> in, std::span<float> out)
{
    switch (dtype) {
    case DType::F32: std::memcpy(out.data(), in.data(), out.size_bytes()); return true;
    case DType::F16:
    case DType::BF16:
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = dtype == DType::F16 ? f16_to_f32(u16(in.data() + 2 * i)) : bf16_to_f32(u16(in.data() + 2 * i));
        return true;
    case DType::Q8_0: dequantize_row_q8_0(in, out); return true;
    case DType::Q4_0: dequantize_row_q4_0(in, out); return true;
    default: {
        const auto info = dtype_info(static_cast<std::uint32_t>(dtype));
        return info && dequantize_blocks(dtype, in.data(), out.data(), out.size() / info->block_elems);
    }
    }
}

} // namespace edge_rt
