// The SafeTensors header reader recovers exactly what the builder (written from the format
// spec) put in a file: names, dtypes, shapes, byte ranges and the bytes they point at.
#include "io/file.hpp"
#include "model/safetensors.hpp"
#include "safetensors_builder.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

using namespace edge_rt;
using test::SafetensorsBuilder;

namespace {

std::vector<std::uint8_t> bytes_at(const std::string& path, std::uint64_t offset, std::uint64_t n)
{
    std::vector<std::uint8_t> out(n);
    io::File(path).read_exact(offset, std::as_writable_bytes(std::span(out)));
    return out;
}

} // namespace

TEST(SafetensorsReader, RecoversEveryTensorAndItsBytes)
{
    const auto a = test::f32_bytes({1.5f, -2.0f, 3.25f, 0.0f, 1e-3f, -7.0f});
    const auto b = test::u16_bytes({0x3c00, 0xc000, 0x7bff, 0x0001});  // F16 1, -2, max, tiny
    const auto c = test::u16_bytes({0x3f80, 0xbf80, 0x4049, 0x0000});  // BF16 1, -1, ~3.14, 0
    const std::vector<std::uint8_t> d(24, 0x5a);                       // I64 [3]
    const auto file = SafetensorsBuilder()
                          .metadata("format", "pt")
                          .tensor("a", "F32", {2, 3}, a)
                          .tensor("b", "F16", {4}, b)
                          .tensor("c", "BF16", {2, 2}, c)
                          .tensor("d", "I64", {3}, d)
                          .tensor("empty", "F32", {0, 5}, {})
                          .build();
    test::TempDir dir;
    const auto path = dir.write("m.safetensors", file);
    const auto st = model::read_safetensors(path);

    const std::uint64_t n = file[0] | (std::uint64_t{file[1]} << 8); // the builder's header is < 64 KiB
    EXPECT_EQ(st.header_bytes, n);
    EXPECT_EQ(st.data_offset, 8 + n);
    EXPECT_EQ(st.file_size, file.size());
    EXPECT_EQ(st.metadata.at("format"), "pt");
    ASSERT_EQ(st.tensors.size(), 5u);
    struct Expect {
        const char* name;
        const char* dtype;
        std::vector<std::uint64_t> shape;
        std::uint64_t begin;
        const std::vector<std::uint8_t>* data;
    };
    const std::vector<std::uint8_t> none;
    const std::vector<Expect> expected{{"a", "F32", {2, 3}, 0, &a},   {"b", "F16", {4}, 24, &b},
                                       {"c", "BF16", {2, 2}, 32, &c}, {"d", "I64", {3}, 40, &d},
                                       {"empty", "F32", {0, 5}, 64, &none}};
    for (const auto& e : expected) {
        SCOPED_TRACE(e.name);
        const auto* t = st.find(e.name);
        ASSERT_NE(t, nullptr);
        EXPECT_EQ(t->dtype, e.dtype);
        EXPECT_EQ(t->shape, e.shape);
        EXPECT_EQ(t->begin, e.begin);
        EXPECT_EQ(t->end, e.begin + e.data->size());
        EXPECT_EQ(bytes_at(st.path, st.data_offset + t->begin, t->end - t->begin), *e.data);
    }
    // Data order, whatever order the JSON lists the entries in.
    for (std::size_t i = 1; i < st.tensors.size(); ++i)
        EXPECT_LE(st.tensors[i - 1].begin, st.tensors[i].begin);
}

TEST(SafetensorsReader, AcceptsUnpaddedHeadersScalarsAndNoTensors)
{
    test::TempDir dir;
    // A header without the writer's space padding, a 0-d tensor, and entries listed in
    // reverse data order.
    const std::string header = R"({"s":{"dtype":"F32","shape":[],"data_offsets":[4,8]},)"
                               R"("t":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})";
    const auto data = std::vector<std::uint8_t>{1, 2, 3, 4, 0, 0, 0x80, 0x3f};
    const auto st = model::read_safetensors(dir.write("a.safetensors", test::safetensors_file(header.size(), header, data)));
    ASSERT_EQ(st.tensors.size(), 2u);
    EXPECT_EQ(st.tensors[0].name, "t");
    EXPECT_EQ(st.tensors[1].name, "s");
    EXPECT_TRUE(st.tensors[1].shape.empty());
    EXPECT_EQ(st.data_offset, 8 + header.size());
    EXPECT_TRUE(st.metadata.empty());

    const auto empty = model::read_safetensors(dir.write("e.safetensors", test::safetensors_file(2, "{}", {})));
    EXPECT_TRUE(empty.tensors.empty());
}

TEST(SafetensorsReader, DtypeTables)
{
    // Element sizes from the SafeTensors format description.
    EXPECT_EQ(model::safetensors_dtype_size("BOOL"), 1u);
    EXPECT_EQ(model::safetensors_dtype_size("F8_E4M3"), 1u);
    EXPECT_EQ(model::safetensors_dtype_size("BF16"), 2u);
    EXPECT_EQ(model::safetensors_dtype_size("F16"), 2u);
    EXPECT_EQ(model::safetensors_dtype_size("I32"), 4u);
    EXPECT_EQ(model::safetensors_dtype_size("F32"), 4u);
    EXPECT_EQ(model::safetensors_dtype_size("F64"), 8u);
    EXPECT_EQ(model::safetensors_dtype_size("U64"), 8u);
    EXPECT_FALSE(model::safetensors_dtype_size("f32"));
    EXPECT_FALSE(model::safetensors_dtype_size("Q4_0"));
    // GGML ids: F32 0, F16 1, BF16 30 (gguf spec); nothing else is a compute type here.
    EXPECT_EQ(model::safetensors_ggml_type("F32"), 0u);
    EXPECT_EQ(model::safetensors_ggml_type("F16"), 1u);
    EXPECT_EQ(model::safetensors_ggml_type("BF16"), 30u);
    EXPECT_FALSE(model::safetensors_ggml_type("I64"));
    EXPECT_FALSE(model::safetensors_ggml_type("F64"));
}
