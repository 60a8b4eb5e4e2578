// K-quant and other block formats: the first byte picks the type, the rest is whole blocks
// (copied to a buffer of exactly that size, so ASan catches a read past the last block).
#include "core/block_dequant.hpp"
#include "core/dtype.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using edge_rt::DType;
    static constexpr std::array kTypes{DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::IQ4_NL, DType::Q2_K,
                                       DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::IQ4_XS};
    if (size < 1)
        return 0;
    const DType type = kTypes[data[0] % kTypes.size()];
    const auto info = edge_rt::dtype_info(static_cast<std::uint32_t>(type));
    if (!info)
        std::abort(); // every listed type has a layout
    const std::size_t n_blocks = (size - 1) / info->block_bytes;
    std::vector<std::byte> blocks(n_blocks * info->block_bytes);
    if (!blocks.empty())
        std::memcpy(blocks.data(), data + 1, blocks.size());
    std::vector<float> out(n_blocks * info->block_elems);
    if (!edge_rt::dequantize_blocks(type, blocks.data(), out.data(), n_blocks))
        std::abort(); // a listed type the decoder refuses is a bug
    return 0;
}
