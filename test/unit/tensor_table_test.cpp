// TensorTable lookups go through a lazily built hash index; they must answer exactly as a scan
// of the list would, however the list was filled.
#include "model/tensor_table.hpp"

#include "edge_rt/error.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

using edge_rt::model::TensorRef;
using edge_rt::model::TensorTable;

namespace {

TensorRef tensor(std::string name, std::uint64_t offset) { return {std::move(name), {4}, 0, 0, offset, 16, false}; }

} // namespace

TEST(TensorTable, FindsEveryTensorAndOnlyThose)
{
    TensorTable t;
    t.files = {"m.gguf"};
    for (int i = 0; i < 300; ++i)
        t.tensors.push_back(tensor(fmt::format("blk.{}.attn_q.weight", i), 64u * i));
    for (int i = 0; i < 300; ++i) {
        const auto* r = t.find(fmt::format("blk.{}.attn_q.weight", i));
        ASSERT_NE(r, nullptr) << i;
        EXPECT_EQ(r, &t.tensors[i]);
    }
    EXPECT_EQ(t.find("blk.300.attn_q.weight"), nullptr);
    EXPECT_EQ(t.find(""), nullptr);
    EXPECT_THROW(t.require("output.weight"), edge_rt::FormatError);
}

TEST(TensorTable, SeesTensorsAppendedAfterALookup)
{
    TensorTable t;
    t.tensors.push_back(tensor("a", 0));
    EXPECT_EQ(t.find("b"), nullptr);
    t.tensors.push_back(tensor("b", 64)); // may reallocate: the index holds positions, not pointers
    t.tensors.push_back(tensor("c", 128));
    ASSERT_NE(t.find("b"), nullptr);
    EXPECT_EQ(t.find("b")->offset, 64u);
    EXPECT_EQ(t.find("a"), &t.tensors[0]);
}

TEST(TensorTable, DuplicateNamesGiveTheFirstAsAScanWould)
{
    TensorTable t;
    t.tensors = {tensor("x", 0), tensor("x", 64), tensor("y", 128)};
    EXPECT_EQ(t.find("x"), &t.tensors[0]);
}

TEST(TensorTable, CopiesAndReplacedListsLookUpTheirOwnTensors)
{
    TensorTable a;
    a.tensors = {tensor("p", 0), tensor("q", 64)};
    ASSERT_NE(a.find("q"), nullptr);
    const TensorTable b = a;
    EXPECT_EQ(b.find("q"), &b.tensors[1]);
    a.tensors = {tensor("r", 0)}; // shorter: everything is re-indexed
    EXPECT_EQ(a.find("q"), nullptr);
    EXPECT_EQ(a.find("r"), &a.tensors[0]);
    a.tensors = {tensor("t", 0)}; // same length, other names
    EXPECT_EQ(a.find("t"), &a.tensors[0]);
    a.tensors[0].name.replace(0, 1, 1, 's'); // renamed in place: the stale entry is noticed
    EXPECT_EQ(a.find("t"), nullptr);
    EXPECT_EQ(a.find("s"), &a.tensors[0]);
    EXPECT_EQ(a.total_bytes(), 16u);
}
