#include "block_packer.hpp"

#include "core/half.hpp"

#include <stdexcept>

namespace edge_rt::test {

const int kIq4Values[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

namespace {

void put_f16(std::vector<std::byte>& out, std::size_t at, float v)
{
    const std::uint16_t h = f32_to_f16(v);
    out[at] = static_cast<std::byte>(h & 0xff);
    out[at + 1] = static_cast<std::byte>(h >> 8);
}

void or_bits(std::vector<std::byte>& out, std::size_t at, unsigned bits) { out[at] |= static_cast<std::byte>(bits); }

// Element j of a 32-value nibble row: byte j (low nibble) for j < 16, byte j-16 (high) after.
void put_nibble(std::vector<std::byte>& out, std::size_t row, std::size_t j, int v)
{
    or_bits(out, row + j % 16, static_cast<unsigned>(v & 15) << (j < 16 ? 0 : 4));
}

// Q2_K/Q3_K/Q6_K element i: half h = i/128, group p = (i%128)/32, lane l = i%32.
struct Lane {
    std::size_t h, p, l;
};
Lane lane(std::size_t i) { return {i / 128, (i % 128) / 32, i % 32}; }

void pack_k4_scales(std::vector<std::byte>& out, std::size_t at, const BlockSpec& b)
{
    for (std::size_t j = 0; j < 8; ++j) {
        const unsigned s = static_cast<unsigned>(b.scale[j]), m = static_cast<unsigned>(b.min[j]);
        if (j < 4) {
            or_bits(out, at + j, s & 63);
            or_bits(out, at + j + 4, m & 63);
        } else {
            or_bits(out, at + j + 4, (s & 15) | ((m & 15) << 4));
            or_bits(out, at + j - 4, (s >> 4) << 6);
            or_bits(out, at + j, (m >> 4) << 6);
        }
    }
}

} // namespace

std::size_t block_elems(DType t) { return dtype_info(static_cast<std::uint32_t>(t))->block_elems; }

std::size_t sub_blocks(DType t)
{
    switch (t) {
    case DType::Q2_K:
    case DType::Q3_K:
    case DType::Q6_K: return 16;
    case DType::Q4_K:
    case DType::Q5_K:
    case DType::IQ4_XS: return 8;
    default: return 1;
    }
}

std::vector<std::byte> pack_block(DType t, const BlockSpec& b)
{
    std::vector<std::byte> out(dtype_info(static_cast<std::uint32_t>(t))->block_bytes);
    switch (t) {
    case DType::Q4_1: // d, m, nibbles
        put_f16(out, 0, b.d);
        put_f16(out, 2, -b.dmin);
        for (std::size_t j = 0; j < 32; ++j)
            put_nibble(out, 4, j, b.q[j]);
        break;
    case DType::Q5_0:
    case DType::Q5_1: { // d, (m,) u32 of 5th bits, nibbles
        const bool q51 = t == DType::Q5_1;
        put_f16(out, 0, b.d);
        if (q51)
            put_f16(out, 2, -b.dmin);
        const std::size_t qh = q51 ? 4 : 2;
        for (std::size_t j = 0; j < 32; ++j) {
            const int code = q51 ? b.q[j] : b.q[j] + 16;
            put_nibble(out, qh + 4, j, code);
            or_bits(out, qh + j / 8, static_cast<unsigned>((code >> 4) & 1) << (j % 8));
        }
        break;
    }
    case DType::IQ4_NL:
        put_f16(out, 0, b.d);
        for (std::size_t j = 0; j < 32; ++j)
            put_nibble(out, 2, j, b.q[j]);
        break;
    case DType::Q2_K: // scales[16] (low: scale, high: min), qs[64], d, dmin
        for (std::size_t s = 0; s < 16; ++s)
            or_bits(out, s, static_cast<unsigned>(b.scale[s] | (b.min[s] << 4)));
        for (std::size_t i = 0; i < 256; ++i) {
            const Lane n = lane(i);
            or_bits(out, 16 + 32 * n.h + n.l, static_cast<unsigned>(b.q[i]) << (2 * n.p));
        }
        put_f16(out, 80, b.d);
        put_f16(out, 82, b.dmin);
        break;
    case DType::Q3_K: // hmask[32], qs[64], scales[12], d; code = low2 - 4 unless the hmask bit is set
        for (std::size_t i = 0; i < 256; ++i) {
            const Lane n = lane(i);
            const int code = b.q[i];
            const bool high = code >= 0;
            or_bits(out, 32 + 32 * n.h + n.l, static_cast<unsigned>(high ? code : code + 4) << (2 * n.p));
            if (high)
                or_bits(out, n.l, 1u << (4 * n.h + n.p));
        }
        for (std::size_t s = 0; s < 16; ++s) {
            const unsigned v = static_cast<unsigned>(b.scale[s]);
            or_bits(out, 96 + s % 8, (v & 15) << (s < 8 ? 0 : 4));
            or_bits(out, 96 + 8 + s % 4, (v >> 4) << (2 * (s / 4)));
        }
        put_f16(out, 108, b.d);
        break;
    case DType::Q4_K:
    case DType::Q5_K: { // d, dmin, scales[12], (qh[32],) qs[128]
        const bool q5 = t == DType::Q5_K;
        put_f16(out, 0, b.d);
        put_f16(out, 2, b.dmin);
        pack_k4_scales(out, 4, b);
        const std::size_t qs = q5 ? 48 : 16;
        for (std::size_t i = 0; i < 256; ++i) {
            const std::size_t c = i / 64, l = i % 32;
            const bool hi = i % 64 >= 32;
            or_bits(out, qs + 32 * c + l, static_cast<unsigned>(b.q[i] & 15) << (hi ? 4 : 0));
            if (q5)
                or_bits(out, 16 + l, static_cast<unsigned>((b.q[i] >> 4) & 1) << (i / 32));
        }
        break;
    }
    case DType::Q6_K: // ql[128], qh[64], int8 scales[16], d; code = 6-bit value - 32
        for (std::size_t i = 0; i < 256; ++i) {
            const Lane n = lane(i);
            const unsigned u = static_cast<unsigned>(b.q[i] + 32);
            or_bits(out, 64 * n.h + n.l + 32 * (n.p % 2), (u & 15) << (n.p < 2 ? 0 : 4));
            or_bits(out, 128 + 32 * n.h + n.l, (u >> 4) << (2 * n.p));
        }
        for (std::size_t s = 0; s < 16; ++s)
            out[192 + s] = static_cast<std::byte>(static_cast<std::uint8_t>(static_cast<std::int8_t>(b.scale[s])));
        put_f16(out, 208, b.d);
        break;
    case DType::IQ4_XS: { // d, scales_h (2 bits each), scales_l[4] (nibbles), 8 nibble rows
        put_f16(out, 0, b.d);
        unsigned high = 0;
        for (std::size_t j = 0; j < 8; ++j) {
            const unsigned v = static_cast<unsigned>(b.scale[j]);
            high |= (v >> 4) << (2 * j);
            or_bits(out, 4 + j / 2, (v & 15) << (4 * (j % 2)));
        }
        out[2] = static_cast<std::byte>(high & 0xff);
        out[3] = static_cast<std::byte>(high >> 8);
        for (std::size_t i = 0; i < 256; ++i)
            put_nibble(out, 8 + 16 * (i / 32), i % 32, b.q[i]);
        break;
    }
    default:
        throw std::invalid_argument("pack_block: not a packed test type");
    }
    return out;
}

std::vector<double> block_values(DType t, const BlockSpec& b)
{
    const std::size_t n = block_elems(t), sub = n / sub_blocks(t);
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t s = i / sub;
        const double d = static_cast<double>(b.d) * b.scale[s];
        const double m = static_cast<double>(b.dmin) * b.min[s];
        switch (t) {
        case DType::Q5_0: v[i] = d * b.q[i]; break; // q holds code - 16
        case DType::IQ4_NL: v[i] = d * kIq4Values[b.q[i]]; break;
        case DType::Q3_K: v[i] = static_cast<double>(b.d) * (b.scale[s] - 32) * b.q[i]; break;
        case DType::IQ4_XS: v[i] = static_cast<double>(b.d) * (b.scale[s] - 32) * kIq4Values[b.q[i]]; break;
        default: v[i] = d * b.q[i] - m; break;
        }
    }
    return v;
}

BlockSpec random_block(DType t, std::mt19937& rng, float scale)
{
    const std::size_t n = block_elems(t), subs = sub_blocks(t);
    auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    auto f16 = [&](float lo, float hi) { return f16_to_f32(f32_to_f16(std::uniform_real_distribution<float>(lo, hi)(rng))); };
    BlockSpec b;
    b.d = f16(0.2f * scale, scale);
    b.scale.assign(subs, 1);
    b.min.assign(subs, 0);
    b.q.resize(n);
    int qlo = 0, qhi = 15, slo = 1, shi = 1, mhi = 0;
    switch (t) {
    case DType::Q4_1: mhi = 1; break;
    case DType::Q5_0: qlo = -16; qhi = 15; break;
    case DType::Q5_1: qhi = 31; mhi = 1; break;
    case DType::IQ4_NL: break;
    case DType::Q2_K: qhi = 3; slo = 0; shi = 15; mhi = 15; break;
    case DType::Q3_K: qlo = -4; qhi = 3; slo = 0; shi = 63; break;
    case DType::Q4_K: slo = 0; shi = 63; mhi = 63; break;
    case DType::Q5_K: qhi = 31; slo = 0; shi = 63; mhi = 63; break;
    case DType::Q6_K: qlo = -32; qhi = 31; slo = -128; shi = 127; break;
    case DType::IQ4_XS: slo = 0; shi = 63; break;
    default: throw std::invalid_argument("random_block: not a packed test type");
    }
    for (auto& q : b.q)
        q = uni(qlo, qhi);
    if (shi != 1 || slo != 1)
        for (auto& s : b.scale)
            s = uni(slo, shi);
    if (mhi > 0) {
        b.dmin = f16(-scale, scale);
        for (auto& m : b.min)
            m = mhi == 1 ? 1 : uni(0, mhi);
    }
    return b;
}

} // namespace edge_rt::test
