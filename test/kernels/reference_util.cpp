#include "reference_util.hpp"

#include "core/half.hpp"
#include "core/quant.hpp"
#include "kernels/weight_view.hpp"

#include <cstring>
#include <span>
#include <stdexcept>

namespace edge_rt::test {
namespace {

std::uint16_t u16_at(const std::byte* p)
{
    return static_cast<std::uint16_t>(std::to_integer<unsigned>(p[0]) | (std::to_integer<unsigned>(p[1]) << 8));
}

void put16(std::vector<std::byte>& out, std::uint16_t v)
{
    out.push_back(static_cast<std::byte>(v & 0xff));
    out.push_back(static_cast<std::byte>(v >> 8));
}

} // namespace

std::vector<float> random_floats(std::mt19937& rng, std::size_t n, float lo, float hi)
{
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v)
        x = dist(rng);
    return v;
}

std::vector<std::byte> encode_rows(DType dtype, const std::vector<float>& values, std::size_t cols)
{
    std::vector<std::byte> out;
    const std::size_t rows = values.size() / cols;
    for (std::size_t r = 0; r < rows; ++r) {
        const std::span<const float> row(values.data() + r * cols, cols);
        switch (dtype) {
        case DType::F32: {
            const auto* p = reinterpret_cast<const std::byte*>(row.data());
            out.insert(out.end(), p, p + cols * sizeof(float));
            break;
        }
        case DType::F16:
            for (float v : row)
                put16(out, f32_to_f16(v));
            break;
        case DType::BF16:
            for (float v : row)
                put16(out, f32_to_bf16(v));
            break;
        case DType::Q8_0:
        case DType::Q4_0: {
            const bool q8 = dtype == DType::Q8_0;
            const std::size_t bytes = cols / 32 * (q8 ? kQ8_0BlockBytes : kQ4_0BlockBytes);
            const std::size_t at = out.size();
            out.resize(at + bytes);
            const std::span<std::byte> dst(out.data() + at, bytes);
            q8 ? quantize_row_q8_0(row, dst) : quantize_row_q4_0(row, dst);
            break;
        }
        default:
            throw std::invalid_argument("encode_rows: no encoder for " + dtype_name(static_cast<std::uint32_t>(dtype)));
        }
    }
    return out;
}

std::vector<double> decode_by_definition(DType dtype, const std::byte* data, std::size_t n)
{
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        switch (dtype) {
        case DType::F32: {
            float f;
            std::memcpy(&f, data + 4 * i, 4);
            out[i] = f;
            break;
        }
        case DType::F16:
            out[i] = f16_to_f32(u16_at(data + 2 * i));
            break;
        case DType::BF16:
            out[i] = bf16_to_f32(u16_at(data + 2 * i));
            break;
        case DType::Q8_0: { // block: f16 d, then int8 q[32]; x = d*q
            const std::byte* block = data + (i / 32) * 34;
            const auto q = static_cast<std::int8_t>(std::to_integer<std::uint8_t>(block[2 + i % 32]));
            out[i] = static_cast<double>(f16_to_f32(u16_at(block))) * q;
            break;
        }
        case DType::Q4_0: { // block: f16 d, then 16 bytes; element j<16 low nibble of byte j, else high of j-16
            const std::byte* block = data + (i / 32) * 18;
            const std::size_t j = i % 32;
            const unsigned byte = std::to_integer<unsigned>(block[2 + j % 16]);
            const int q = static_cast<int>(j < 16 ? (byte & 0xf) : (byte >> 4));
            out[i] = static_cast<double>(f16_to_f32(u16_at(block))) * (q - 8);
            break;
        }
        default:
            throw std::invalid_argument("decode_by_definition: no decoder for " +
                                        dtype_name(static_cast<std::uint32_t>(dtype)));
        }
    }
    return out;
}

TestMatrix make_matrix(std::mt19937& rng, DType dtype, std::size_t rows, std::size_t cols)
{
    TestMatrix m;
    m.bytes = encode_rows(dtype, random_floats(rng, rows * cols), cols);
    const std::size_t stride = kernels::row_bytes(dtype, cols);
    for (std::size_t r = 0; r < rows; ++r) {
        const auto row = decode_by_definition(dtype, m.bytes.data() + r * stride, cols);
        m.values.insert(m.values.end(), row.begin(), row.end());
    }
    m.view = kernels::WeightView{m.bytes.data(), dtype, cols, rows};
    return m;
}

} // namespace edge_rt::test
