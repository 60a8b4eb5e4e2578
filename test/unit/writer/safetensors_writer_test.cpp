// The SafeTensors writer against the format's rules as our strict reader checks them, plus
// the header layout the specification fixes (u64 length, JSON, 8-byte aligned data).
#include "model/safetensors.hpp"
#include "writer/safetensors_writer.hpp"
#include "temp_dir.hpp"

#include <cstring>
#include <gtest/gtest.h>

using namespace edge_rt::model;
using namespace edge_rt::test;

TEST(SafetensorsWriter, HeaderAndDataReadBack)
{
    TempDir dir;
    const auto path = dir.path() / "m.safetensors";
    SafetensorsWriter w(path);
    w.add_metadata("format", "pt");
    w.add_tensor("a", "F32", {2, 3});
    w.add_tensor("b", "F16", {5});
    w.write_header();
    const float a[6] = {1, 2, 3, 4, 5, 6};
    w.write(std::as_bytes(std::span(a)));
    const std::uint16_t b[5] = {0x3c00, 0, 0, 0, 0x4000};
    w.write(std::as_bytes(std::span(b)));
    w.finish();

    const auto bytes = read_file(path);
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    EXPECT_EQ((8 + n) % 8, 0u);
    EXPECT_EQ(bytes.size(), 8 + n + 24 + 10);
    const auto f = read_safetensors(path);
    EXPECT_EQ(f.metadata.at("format"), "pt");
    ASSERT_EQ(f.tensors.size(), 2u);
    EXPECT_EQ(f.find("a")->shape, (std::vector<std::uint64_t>{2, 3}));
    EXPECT_EQ(f.find("b")->begin, 24u);
    float back[6];
    std::memcpy(back, bytes.data() + f.data_offset, sizeof back);
    EXPECT_EQ(back[5], 6.0f);
}

TEST(SafetensorsWriter, MissingBytesAreCaughtAtFinish)
{
    TempDir dir;
    SafetensorsWriter w(dir.path() / "short.safetensors");
    w.add_tensor("a", "F32", {4});
    w.write_header();
    const float a[2] = {1, 2};
    w.write(std::as_bytes(std::span(a)));
    EXPECT_THROW(w.finish(), std::logic_error);
}
