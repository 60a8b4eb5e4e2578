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
    EXPECT_FALSE(dtype_info(12)->supported);
    EXPECT_EQ(dtype_name(31), "type#31");
    EXPECT_FALSE(dtype_info(31).has_value());
}
