// The loop order shared by the SIMD matrix kernels: blocks of kRowGrain weight rows (small
// enough to stay in L1 while every input passes over them), each swept by tiles of R rows x T
// inputs, so a decoded weight vector is reused T times and an input vector R times. Rows and
// inputs left over at the edges run as 1-row / 1-input tiles; since a tile computes each of its
// outputs with the same operations as a 1x1 tile would, the tiling never changes a result.
// Include it after an ISA's `#pragma GCC target`, so the loops are compiled for that ISA.
#pragma once

#include "kernels/matmul.hpp"

#include <algorithm>
#include <cstddef>

namespace edge_rt::kernels::tiling {

/// Calls tile.template operator()<R, T>(row, input) over rows [r0, r1) x inputs [0, n).
template <int R, int T, class Tile>
void for_each_tile(std::size_t r0, std::size_t r1, std::size_t n, Tile&& tile)
{
    for (std::size_t rb = r0; rb < r1; rb += kRowGrain) {
        const std::size_t re = std::min(r1, rb + kRowGrain);
        std::size_t t = 0;
        for (; t + T <= n; t += T) {
            std::size_t r = rb;
            for (; r + R <= re; r += R)
                tile.template operator()<R, T>(r, t);
            for (; r < re; ++r)
                tile.template operator()<1, T>(r, t);
        }
        for (; t < n; ++t) {
            std::size_t r = rb;
            for (; r + R <= re; r += R)
                tile.template operator()<R, 1>(r, t);
            for (; r < re; ++r)
                tile.template operator()<1, 1>(r, t);
        }
    }
}

} // namespace edge_rt::kernels::tiling
