#include "kernels/dequantize.hpp"

#include "core/block_dequant.hpp"
#include "core/half.hpp"
#include "core/quant.hpp"

#include <cstring>
#include <stdexcept>

namespace edge_rt::kernels {

std::size_t row_bytes(DType dtype, std::size_t cols)
{
    const auto info = dtype_info(static_cast<std::uint32_t>(dtype));
    if (!info || !info->supported)
        throw std::invalid_argument("no kernels for tensor type " + dtype_name(static_cast<std::uint32_t>(dtype)));
    const auto bytes = dtype_bytes(*info, cols);
    if (!bytes)
        throw std::invalid_argument("row of " + std::to_string(cols) + " values is not a whole number of " +
                                    std::string(info->name) + " blocks");
    return static_cast<std::size_t>(*bytes);
}

namespace {

std::uint16_t load_u16(const std::byte* p)
{
    return static_cast<std::uint16_t>(std::to_integer<unsigned>(p[0]) |
                                      (std::to_integer<unsigned>(p[1]) << 8));
}

} // namespace

void dequantize_row(DType dtype, const std::byte* in, std::span<float> out)
{
    const std::size_t n = out.size();
    const std::span<const std::byte> bytes(in, row_bytes(dtype, n));
    switch (dtype) {
    case DType::F32:
        std::memcpy(out.data(), in, n * sizeof(float));
        return;
    case DType::F16:
        for (std::size_t i = 0; i < n; ++i)
            out[i] = f16_to_f32(load_u16(in + 2 * i));
        return;
    case DType::BF16:
        for (std::size_t i = 0; i < n; ++i)
            out[i] = bf16_to_f32(load_u16(in + 2 * i));
        return;
    case DType::Q8_0:
        dequantize_row_q8_0(bytes, out);
        return;
    case DType::Q4_0:
        dequantize_row_q4_0(bytes, out);
        return;
    default:
        break;
    }
    const auto info = dtype_info(static_cast<std::uint32_t>(dtype));
    if (info && dequantize_blocks(dtype, in, out.data(), n / info->block_elems))
        return;
    throw std::invalid_argument("no kernels for tensor type " + dtype_name(static_cast<std::uint32_t>(dtype)));
}

} // namespace edge_rt::kernels
