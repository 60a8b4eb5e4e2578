// The GGUF writer against the test suite's own byte-by-byte GgufBuilder (written from the
// specification, independently): the same content must give the same bytes, then our strict
// reader must read back every value and tensor.
#include "edge_rt/error.hpp"
#include "gguf_builder.hpp"
#include "model/gguf.hpp"
#include "writer/gguf_writer.hpp"
#include "temp_dir.hpp"

#include <cstring>
#include <gtest/gtest.h>

using namespace edge_rt;
using namespace edge_rt::model;
using namespace edge_rt::test;

namespace {

std::vector<std::uint8_t> f32_data(std::size_t n, float start)
{
    std::vector<std::uint8_t> out(n * 4);
    for (std::size_t i = 0; i < n; ++i) {
        const float v = start + static_cast<float>(i);
        std::memcpy(out.data() + 4 * i, &v, 4);
    }
    return out;
}

void write_in_pieces(GgufWriter& w, const std::vector<std::uint8_t>& data, std::size_t piece)
{
    const auto bytes = std::as_bytes(std::span(data));
    for (std::size_t at = 0; at < bytes.size(); at += piece)
        w.write(bytes.subspan(at, std::min(piece, bytes.size() - at)));
}

} // namespace

TEST(GgufWriter, SameBytesAsTheSpecBuilderAndAlignedData)
{
    TempDir dir;
    const auto path = dir.path() / "w.gguf";
    // 3 x 5 floats (60 bytes: the next tensor needs padding) and 7 floats.
    const auto a = f32_data(15, 1.0f), b = f32_data(7, 100.0f);
    GgufWriter w(path);
    w.add("general.architecture", gguf_string("llama"));
    w.add("test.u32", gguf_u32(7));
    w.add("test.f32", gguf_f32(0.5f));
    w.add("test.strings", gguf_strings({"a", "bc", ""}));
    w.add("test.i32s", gguf_i32s({-1, 2, 300000}));
    w.add_tensor("a", {5, 3}, 0);
    w.add_tensor("b", {7}, 0);
    w.write_header();
    write_in_pieces(w, a, 7); // pieces that straddle tensor boundaries
    write_in_pieces(w, b, 5);
    w.finish();

    const auto expected = GgufBuilder()
                              .alignment(32)
                              .kv_string("general.architecture", "llama")
                              .kv_u32("test.u32", 7)
                              .kv_f32("test.f32", 0.5f)
                              .kv_strings("test.strings", {"a", "bc", ""})
                              .kv_i32s("test.i32s", {-1, 2, 300000})
                              .tensor("a", {5, 3}, 0, a)
                              .tensor("b", {7}, 0, b)
                              .build();
    const auto got = read_file(path);
    ASSERT_GE(got.size(), expected.size());
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), got.begin()));
    EXPECT_EQ(got.size() % 32, 0u) << "the last tensor is padded to the alignment, as ggml does";
    for (std::size_t i = expected.size(); i < got.size(); ++i)
        EXPECT_EQ(got[i], 0u);

    const auto f = read_gguf(path);
    EXPECT_EQ(f.version, 3u);
    EXPECT_EQ(f.alignment, 32u);
    EXPECT_EQ(f.data_offset % 32, 0u);
    ASSERT_EQ(f.tensors.size(), 2u);
    EXPECT_EQ(f.tensors[1].offset - f.data_offset, 64u); // 60 bytes rounded up to 32
    EXPECT_EQ(f.get_string("general.architecture"), "llama");
    EXPECT_EQ(f.get_uint("test.u32"), 7u);
    EXPECT_EQ(f.get_float("test.f32"), 0.5);
}

TEST(GgufWriter, EveryValueTypeRoundTrips)
{
    TempDir dir;
    const auto path = dir.path() / "types.gguf";
    const std::vector<GgufValue> nested{gguf_strings({"x"}), gguf_strings({"y", "z"})};
    GgufWriter w(path);
    w.add("u8", {GgufType::U8, GgufType::U8, std::uint64_t{250}});
    w.add("i8", {GgufType::I8, GgufType::U8, std::int64_t{-100}});
    w.add("u16", {GgufType::U16, GgufType::U8, std::uint64_t{60000}});
    w.add("i16", {GgufType::I16, GgufType::U8, std::int64_t{-30000}});
    w.add("i32", gguf_i32(-2000000000));
    w.add("u64", gguf_u64(1ull << 40));
    w.add("i64", {GgufType::I64, GgufType::U8, std::int64_t{-(1ll << 40)}});
    w.add("f64", {GgufType::F64, GgufType::U8, 0.1});
    w.add("bool", gguf_bool(true));
    w.add("nested", {GgufType::Array, GgufType::Array, nested});
    w.add_tensor("t", {32}, 8); // one Q8_0 block: 34 bytes
    w.write_header();
    const std::vector<std::byte> block(34, std::byte{1});
    w.write(block);
    w.finish();

    const auto f = read_gguf(path);
    EXPECT_EQ(f.find("u8")->type, GgufType::U8);
    EXPECT_EQ(f.get_uint("u8"), 250u);
    EXPECT_EQ(f.find("i8")->as_int(), -100);
    EXPECT_EQ(f.get_uint("u16"), 60000u);
    EXPECT_EQ(f.find("i16")->as_int(), -30000);
    EXPECT_EQ(f.find("i32")->as_int(), -2000000000);
    EXPECT_EQ(f.get_uint("u64"), 1ull << 40);
    EXPECT_EQ(f.find("i64")->as_int(), -(1ll << 40));
    EXPECT_EQ(f.get_float("f64"), 0.1);
    EXPECT_EQ(std::get<bool>(f.find("bool")->data), true);
    const auto* arr = f.find("nested")->as_array();
    ASSERT_NE(arr, nullptr);
    ASSERT_EQ(arr->size(), 2u);
    EXPECT_EQ(*(*arr)[1].as_array()->at(1).as_string(), "z");
    EXPECT_EQ(f.tensors.at(0).nbytes, 34u);
}

TEST(GgufWriter, UnwritablePathIsAnIoErrorNamingIt)
{
    TempDir dir;
    const auto path = dir.path() / "missing-folder" / "x.gguf";
    try {
        GgufWriter w(path);
        FAIL() << "expected IoError";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    }
}
