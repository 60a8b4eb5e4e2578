#include "quant_test_util.hpp"

#include "core/block_dequant.hpp"
#include "core/half.hpp"
#include "core/quant.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace edge_rt::test {

std::size_t type_bytes(DType t, std::size_t n)
{
    const auto info = dtype_info(static_cast<std::uint32_t>(t));
    return static_cast<std::size_t>(*dtype_bytes(*info, n));
}

std::vector<float> decode(DType t, std::span<const std::byte> bytes, std::size_t n)
{
    std::vector<float> y(n);
    auto u16 = [&](std::size_t i) {
        return static_cast<std::uint16_t>(std::to_integer<unsigned>(bytes[2 * i]) | (std::to_integer<unsigned>(bytes[2 * i + 1]) << 8));
    };
    switch (t) {
    case DType::F32: std::memcpy(y.data(), bytes.data(), 4 * n); break;
    case DType::F16: for (std::size_t i = 0; i < n; ++i) y[i] = f16_to_f32(u16(i)); break;
    case DType::BF16: for (std::size_t i = 0; i < n; ++i) y[i] = bf16_to_f32(u16(i)); break;
    case DType::Q8_0: dequantize_row_q8_0(bytes, y); break;
    case DType::Q4_0: dequantize_row_q4_0(bytes, y); break;
    default: {
        const auto info = dtype_info(static_cast<std::uint32_t>(t));
        if (!dequantize_blocks(t, bytes.data(), y.data(), n / info->block_elems))
            throw std::runtime_error("no dequantiser for " + dtype_name(static_cast<std::uint32_t>(t)));
    }
    }
    return y;
}

std::vector<std::byte> tensor_bytes(const model::GgufFile& f, const model::GgufTensorInfo& t)
{
    std::ifstream in(f.path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(t.offset));
    std::vector<std::byte> b(t.nbytes);
    in.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(b.size()));
    if (!in)
        throw std::runtime_error(f.path + ": cannot read tensor " + t.name);
    return b;
}

double rmse(std::span<const float> a, std::span<const float> b)
{
    double e = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        e += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    return std::sqrt(e / static_cast<double>(a.size()));
}

} // namespace edge_rt::test
