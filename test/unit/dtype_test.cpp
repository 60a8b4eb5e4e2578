#include "core/dtype.hpp"

#include <gtest/gtest.h>

using edge_rt::dtype_bytes;
using edge_rt::dtype_info;
using edge_rt::dtype_name;

TEST(DType, BlockLayoutsOfSupportedTypes)
{
    // Q8_0: f16 scale + 32 int8; Q4_0: f16 scale + 32 nibbles.
    EXPECT_EQ(dtype_info(8)->block_bytes, 2u + 32u);
    EXPECT_EQ(dtype_info(2)->block_bytes, 2u + 16u);
    EXPECT_EQ(dtype_info(2)->block_elems, 32u);
    EXPECT_EQ(*dtype_bytes(*dtype_info(0), 10), 40u);
    EXPECT_EQ(*dtype_bytes(*dtype_info(30), 10), 20u);
    EXPECT_EQ(*dtype_bytes(*dtype_info(8), 64), 68u);
    for (std::uint32_t id : {0u, 1u, 2u, 8u, 30u})
        EXPECT_TRUE(dtype_info(id)->supported) << id;
}

TEST(DType, PartialBlocksAndOverflowAreRejected)
{
    EXPECT_FALSE(dtype_bytes(*dtype_info(2), 33).has_value());
    EXPECT_FALSE(dtype_bytes(*dtype_info(0), UINT64_MAX / 2).has_value());
}

TEST(DType, NamesKnownAndUnknownTypes)
{
    EXPECT_EQ(dtype_name(12), "Q4_K");
    EXPECT_EQ(dtype_name(16), "IQ2_XXS");
    EXPECT_FALSE(dtype_info(16)->supported); // a GGML type without kernels here
    EXPECT_EQ(dtype_name(31), "type#31");
    EXPECT_FALSE(dtype_info(31).has_value());
}

// The block sizes from the fields of each format (ggml-common.h), added up by hand.
TEST(DType, BlockLayoutsOfKQuantsAndFriends)
{
    struct Want {
        std::uint32_t id;
        std::uint32_t elems, bytes;
    };
    const Want want[] = {
        {3, 32, 2 + 2 + 16},                // Q4_1: d, m, 32 nibbles
        {6, 32, 2 + 4 + 16},                // Q5_0: d, 32 high bits, 32 nibbles
        {7, 32, 2 + 2 + 4 + 16},            // Q5_1: d, m, high bits, nibbles
        {10, 256, 16 + 64 + 2 + 2},         // Q2_K: 16 scale/min bytes, 2-bit q, d, dmin
        {11, 256, 32 + 64 + 12 + 2},        // Q3_K: high-bit mask, 2-bit q, 12 scale bytes, d
        {12, 256, 2 + 2 + 12 + 128},        // Q4_K: d, dmin, 12 scale bytes, nibbles
        {13, 256, 2 + 2 + 12 + 32 + 128},   // Q5_K: + 32 high-bit bytes
        {14, 256, 128 + 64 + 16 + 2},       // Q6_K: low nibbles, high 2 bits, int8 scales, d
        {20, 32, 2 + 16},                   // IQ4_NL: d, 32 grid indices
        {23, 256, 2 + 2 + 4 + 128},         // IQ4_XS: d, scales_h, scales_l, indices
    };
    for (const auto& w : want) {
        const auto info = dtype_info(w.id);
        ASSERT_TRUE(info.has_value()) << w.id;
        EXPECT_EQ(info->block_elems, w.elems) << info->name;
        EXPECT_EQ(info->block_bytes, w.bytes) << info->name;
        EXPECT_TRUE(info->supported) << info->name;
    }
    EXPECT_EQ(*dtype_bytes(*dtype_info(12), 768), 3u * 144u);
    EXPECT_FALSE(dtype_bytes(*dtype_info(12), 288).has_value()); // 288 is 9 x 32, not a multiple of 256
}
