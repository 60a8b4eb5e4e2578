// Malformed GGUF files must fail with a FormatError naming the file and the problem, never
// crash, hang or allocate what the file cannot hold.
#include "edge_rt/error.hpp"
#include "env.hpp"
#include "gguf_builder.hpp"
#include "model/gguf.hpp"
#include "temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <random>

using namespace edge_rt;
using edge_rt::test::GgufBuilder;
using ::testing::HasSubstr;

namespace {

std::string error_of(const std::vector<std::uint8_t>& bytes)
{
    test::TempDir dir;
    const auto path = dir.write("bad.gguf", bytes);
    try {
        (void)model::read_gguf(path);
    } catch (const FormatError& e) {
        const std::string msg = e.what();
        EXPECT_THAT(msg, HasSubstr(path.string())) << "the message must name the file";
        EXPECT_EQ(msg.find('\n'), std::string::npos) << "the message must be one line";
        return msg;
    }
    return "no error";
}

std::vector<std::uint8_t> one_tensor(std::vector<std::uint64_t> shape, std::uint32_t type,
                                     std::size_t data_bytes, std::optional<std::uint64_t> off = {})
{
    return GgufBuilder().tensor("w", shape, type, std::vector<std::uint8_t>(data_bytes), off).build();
}

} // namespace

TEST(GgufCorruption, HeaderProblems)
{
    EXPECT_THAT(error_of({'G', 'G'}), HasSubstr("not a GGUF file"));
    EXPECT_THAT(error_of({'G', 'G', 'U', 'X', 3, 0, 0, 0, 0, 0, 0, 0}), HasSubstr("bad magic"));
    EXPECT_THAT(error_of(GgufBuilder().version(1).build()), HasSubstr("version 1"));
    EXPECT_THAT(error_of(GgufBuilder().version(4).build()), HasSubstr("version 4"));
    EXPECT_THAT(error_of(GgufBuilder().version(0x03000000).build()), HasSubstr("big-endian"));
}

TEST(GgufCorruption, MetadataProblems)
{
    EXPECT_THAT(error_of(GgufBuilder().kv_raw("k", 13, {}).build()), HasSubstr("unknown value type 13"));
    EXPECT_THAT(error_of(GgufBuilder().kv_raw("k", 7, {2}).build()), HasSubstr("bool value 2"));
    EXPECT_THAT(error_of(GgufBuilder().kv_u32("k", 1).kv_u32("k", 2).build()), HasSubstr("appears twice"));
    // An array claiming 2^40 elements in a tiny file is refused before any allocation.
    std::vector<std::uint8_t> arr;
    test::put_u32(arr, 4);
    test::put_u64(arr, 1ull << 40);
    EXPECT_THAT(error_of(GgufBuilder().kv_raw("k", 9, arr).build()), HasSubstr("more than the file holds"));
    // A string claiming to be longer than the file.
    std::vector<std::uint8_t> str;
    test::put_u64(str, 1ull << 33);
    EXPECT_THAT(error_of(GgufBuilder().kv_raw("k", 8, str).build()), HasSubstr("truncated"));
    EXPECT_THAT(error_of(GgufBuilder().alignment(48).build()), HasSubstr("power of two"));
}

TEST(GgufCorruption, TensorTableProblems)
{
    EXPECT_THAT(error_of(one_tensor({4, 1, 1, 1, 1}, 0, 16)), HasSubstr("5 dimensions"));
    EXPECT_THAT(error_of(one_tensor({0}, 0, 0)), HasSubstr("invalid dimension 0"));
    EXPECT_THAT(error_of(one_tensor({4}, 31, 16)), HasSubstr("unknown type id 31"));
    EXPECT_THAT(error_of(one_tensor({33}, 2, 18)), HasSubstr("not a multiple of its block size 32"));
    EXPECT_THAT(error_of(one_tensor({16}, 0, 64, 8)), HasSubstr("not aligned"));
    EXPECT_THAT(error_of(one_tensor({16}, 0, 32)), HasSubstr("truncated: tensor w"));
    const auto overlap = GgufBuilder()
                             .tensor("a", {16}, 0, std::vector<std::uint8_t>(64), 0)
                             .tensor("b", {16}, 0, std::vector<std::uint8_t>(64), 32)
                             .build();
    EXPECT_THAT(error_of(overlap), HasSubstr("tensors a and b overlap"));
    const auto twice = GgufBuilder()
                           .tensor("a", {8}, 0, std::vector<std::uint8_t>(32))
                           .tensor("a", {8}, 0, std::vector<std::uint8_t>(32))
                           .build();
    EXPECT_THAT(error_of(twice), HasSubstr("tensor a appears twice"));
}

// Every proper prefix of the real model is rejected with a clear error.
TEST(GgufCorruption, EveryTruncationOfTheBundledModelFails)
{
    const auto bytes = test::read_file(test::bundled_model());
    std::vector<std::size_t> cuts;
    for (std::size_t n = 0; n < 256; ++n)
        cuts.push_back(n);
    for (std::size_t n = 256; n < bytes.size(); n = n * 5 / 4)
        cuts.push_back(n);
    cuts.push_back(bytes.size() - 1);
    for (std::size_t n : cuts) {
        const std::string msg = error_of({bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n)});
        EXPECT_NE(msg, "no error") << "prefix of " << n << " bytes was accepted";
    }
}

// Random byte flips in the header: the reader either accepts the file or reports a
// FormatError; anything else (a crash, another exception, a sanitizer report) fails.
TEST(GgufCorruption, RandomHeaderFlipsNeverCrash)
{
    const auto original = test::read_file(test::bundled_model());
    const auto header_end = model::read_gguf(test::bundled_model()).data_offset;
    std::mt19937_64 rng(1234);
    test::TempDir dir;
    for (int round = 0; round < 300; ++round) {
        auto bytes = original;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < flips; ++i)
            bytes[rng() % header_end] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        const auto path = dir.write("flip.gguf", bytes);
        try {
            (void)model::read_gguf(path);
        } catch (const FormatError&) {
        }
    }
}

namespace {

// A metadata array of `n` elements of `type`, followed by `payload_bytes` bytes of elements.
std::vector<std::uint8_t> array_payload(std::uint32_t type, std::uint64_t n, std::size_t payload_bytes)
{
    std::vector<std::uint8_t> arr;
    test::put_u32(arr, type);
    test::put_u64(arr, n);
    arr.resize(arr.size() + payload_bytes);
    return arr;
}

} // namespace

// The resource limits of docs/robustness.md: each is refused before anything is allocated for it.
TEST(GgufCorruption, ResourceLimits)
{
    // 100 u32 elements need 400 bytes; the file has 100 after the count (an element count is
    // checked against its element type's size, not one byte each).
    EXPECT_THAT(error_of(GgufBuilder().kv_raw("k", 9, array_payload(4, 100, 100)).build()),
                HasSubstr("claims 100 elements, more than the file holds"));
    // Present in the file but over the per-array limit (2^22 elements).
    EXPECT_THAT(error_of(GgufBuilder().kv_raw("k", 9, array_payload(0, (1u << 22) + 1, (1u << 22) + 1)).build()),
                HasSubstr("metadata key k has 4194305 elements, over the limit of 4194304"));
    // Two arrays at the limit, then one more element: over the file-wide limit (2^23).
    EXPECT_THAT(error_of(GgufBuilder()
                             .kv_raw("a", 9, array_payload(0, 1u << 22, 1u << 22))
                             .kv_raw("b", 9, array_payload(0, 1u << 22, 1u << 22))
                             .kv_raw("c", 9, array_payload(0, 1, 1))
                             .build()),
                HasSubstr("metadata key c brings the file's array elements to 8388609, over the limit of 8388608"));
    // A 16 MiB + 1 string value.
    std::vector<std::uint8_t> str;
    test::put_u64(str, (1u << 24) + 1);
    str.resize(str.size() + (1u << 24) + 1, 'x');
    EXPECT_THAT(error_of(GgufBuilder().kv_raw("k", 8, str).build()), HasSubstr("limit is 16777216"));
    // 2^20 + 1 tensors with room for their 24-byte minimum entries: over the tensor-count limit.
    std::vector<std::uint8_t> many{'G', 'G', 'U', 'F'};
    test::put_u32(many, 3);
    test::put_u64(many, (1u << 20) + 1);
    test::put_u64(many, 0);
    many.resize(many.size() + 24 * ((1u << 20) + 1));
    EXPECT_THAT(error_of(many), HasSubstr("tensor count 1048577 is over the limit of 1048576"));
}
