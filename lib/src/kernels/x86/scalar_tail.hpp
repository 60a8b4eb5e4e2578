// One value of a float weight type, for the columns after a row's last full vector. Shared by
// the AVX2 and AVX-512 kernels; included before their target pragmas, so it is plain x86-64
// code whichever file the linker keeps.
#pragma once

#include "core/half.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace edge_rt::kernels::x86 {

inline std::uint16_t load_u16(const std::byte* p)
{
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

struct F32Tail {
    static float load1(const std::byte* row, std::size_t c)
    {
        float v;
        std::memcpy(&v, row + 4 * c, 4);
        return v;
    }
};
struct F16Tail {
    static float load1(const std::byte* row, std::size_t c) { return f16_to_f32(load_u16(row + 2 * c)); }
};
struct BF16Tail {
    static float load1(const std::byte* row, std::size_t c) { return bf16_to_f32(load_u16(row + 2 * c)); }
};

} // namespace edge_rt::kernels::x86
