// Malformed SafeTensors files fail with a one-line FormatError naming the file and the
// problem; never a crash, a hang or an allocation the file cannot justify.
#include "edge_rt/error.hpp"
#include "model/safetensors.hpp"
#include "safetensors_builder.hpp"
#include "st_test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace edge_rt;
using test::SafetensorsBuilder;
using ::testing::AllOf;
using ::testing::HasSubstr;

namespace {

std::string error_of(const std::vector<std::uint8_t>& bytes)
{
    test::TempDir dir;
    const auto path = dir.write("bad.safetensors", bytes);
    return test::format_error([&] { (void)model::read_safetensors(path); }, path);
}

// A header with one entry `name` whose JSON value is `entry`, and `data_bytes` of data.
std::string entry_error(const std::string& entry, std::size_t data_bytes = 16)
{
    return error_of(SafetensorsBuilder().raw_entry("w", entry).padding(data_bytes).build());
}

std::string header_error(const std::string& header, std::size_t data_bytes = 0)
{
    return error_of(test::safetensors_file(header.size(), header, std::vector<std::uint8_t>(data_bytes)));
}

std::vector<std::uint8_t> two_tensor_file()
{
    return SafetensorsBuilder()
        .tensor("a", "F32", {2, 2}, test::f32_bytes({1, 2, 3, 4}))
        .tensor("b", "F16", {3}, test::u16_bytes({1, 2, 3}))
        .build();
}

} // namespace

TEST(SafetensorsCorruption, TruncatedAtEverySection)
{
    const auto good = two_tensor_file();
    const std::uint64_t header_len = good[0] | (std::uint64_t{good[1]} << 8);
    for (std::size_t cut = 0; cut < good.size(); ++cut) {
        SCOPED_TRACE("cut at " + std::to_string(cut));
        const std::vector<std::uint8_t> prefix(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
        const auto msg = error_of(prefix);
        if (cut < 8)
            EXPECT_THAT(msg, HasSubstr("too short for the 8-byte header length"));
        else if (cut < 8 + header_len)
            EXPECT_THAT(msg, HasSubstr("runs past the end of the file"));
        else
            EXPECT_THAT(msg, AllOf(HasSubstr("truncated: tensor "), HasSubstr("data bytes in the file")));
    }
}

TEST(SafetensorsCorruption, HeaderLength)
{
    EXPECT_EQ(header_error(std::string(40, ' ') + "{}"), "no error") << "whitespace around the JSON is valid";
    // Claims one byte more than the file holds.
    EXPECT_THAT(error_of(test::safetensors_file(3, "{}", {})), HasSubstr("header length 3 runs past the end"));
    EXPECT_THAT(error_of(test::safetensors_file(1ull << 62, "{}", {})), HasSubstr("over the 100000000-byte limit"));
    EXPECT_THAT(error_of(test::safetensors_file(~0ull, "{}", {})), HasSubstr("over the 100000000-byte limit"));
    EXPECT_THAT(error_of(test::safetensors_file(0, "", {})), HasSubstr("bad JSON"));
}

TEST(SafetensorsCorruption, HugeHeaderInAHugeSparseFileIsRefusedBeforeReading)
{
    // 120 MB of holes: a header length within the file but over the cap must be refused
    // without allocating or reading it.
    test::TempDir dir;
    const auto path = dir.write("big.safetensors", test::safetensors_file(110'000'000, "{", {}));
    std::filesystem::resize_file(path, 120'000'000);
    EXPECT_THAT(test::format_error([&] { (void)model::read_safetensors(path); }, path),
                HasSubstr("header length 110000000 is over the 100000000-byte limit"));
}

TEST(SafetensorsCorruption, BadJson)
{
    EXPECT_THAT(header_error("{\"a\": "), HasSubstr("bad JSON"));
    EXPECT_THAT(header_error("not json"), HasSubstr("bad JSON"));
    EXPECT_THAT(header_error("{} {}"), HasSubstr("bad JSON"));
    EXPECT_THAT(header_error("{\"\xff\": 1}"), HasSubstr("bad JSON")); // invalid UTF-8
    EXPECT_THAT(header_error("[1, 2]"), HasSubstr("header is a JSON array, not an object"));
    EXPECT_THAT(header_error("{\"a\": {\"b\": {\"c\": []}}}"), HasSubstr("nests deeper than 3 levels"));
    EXPECT_THAT(header_error(std::string(100000, '[')), HasSubstr("nests deeper than 3 levels"));
    const std::string entry = R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})";
    EXPECT_THAT(header_error("{\"w\":" + entry + ",\"w\":" + entry + "}", 4), HasSubstr("\"w\" appears twice"));
    EXPECT_THAT(header_error(R"({"__metadata__": [1]})"), HasSubstr("__metadata__ is not an object"));
    EXPECT_THAT(header_error(R"({"__metadata__": {"format": 1}})"), HasSubstr("value of format is not a string"));
}

TEST(SafetensorsCorruption, MalformedEntries)
{
    EXPECT_THAT(entry_error("5"), HasSubstr("tensor w: entry is a JSON number"));
    EXPECT_THAT(entry_error(R"({"shape":[4],"data_offsets":[0,16]})"), HasSubstr("tensor w has no dtype"));
    EXPECT_THAT(entry_error(R"({"dtype":"F32","data_offsets":[0,16]})"), HasSubstr("tensor w has no shape"));
    EXPECT_THAT(entry_error(R"({"dtype":"F32","shape":[4]})"), HasSubstr("tensor w has no data_offsets"));
    EXPECT_THAT(entry_error(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16],"x":1})"),
                HasSubstr("tensor w has unknown key x"));
    EXPECT_THAT(entry_error(R"({"dtype":32,"shape":[4],"data_offsets":[0,16]})"), HasSubstr("dtype is a JSON number"));
    EXPECT_THAT(entry_error(R"({"dtype":"F32","shape":4,"data_offsets":[0,16]})"), HasSubstr("shape is a JSON number"));
    EXPECT_THAT(entry_error(R"({"dtype":"F32","shape":[-4],"data_offsets":[0,16]})"),
                HasSubstr("shape holds -4, not a non-negative integer"));
    EXPECT_THAT(entry_error(R"({"dtype":"F32","shape":[4.0],"data_offsets":[0,16]})"),
                HasSubstr("not a non-negative integer"));
    EXPECT_THAT(entry_error(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16,32]})"),
                HasSubstr("data_offsets has 3 values, not 2"));
    EXPECT_THAT(entry_error(R"({"dtype":"F32","shape":[4],"data_offsets":[0,1e1]})"),
                HasSubstr("not a non-negative integer"));
    EXPECT_THAT(entry_error(R"({"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]})"),
                HasSubstr("9 dimensions"));
    EXPECT_THAT(entry_error(R"({"dtype":"F32","shape":[4],"data_offsets":[16,0]})"),
                HasSubstr("end before they begin"));
}

TEST(SafetensorsCorruption, DtypesSizesAndRanges)
{
    EXPECT_THAT(entry_error(R"({"dtype":"Q4","shape":[4],"data_offsets":[0,16]})"),
                HasSubstr("unsupported dtype Q4 in tensor w"));
    EXPECT_THAT(entry_error(R"({"dtype":"F32","shape":[4],"data_offsets":[0,12]})"),
                HasSubstr("F32 [4] needs 16 bytes but data_offsets [0, 12] hold 12"));
    EXPECT_THAT(entry_error(R"({"dtype":"BF16","shape":[2,3],"data_offsets":[0,16]})"),
                HasSubstr("BF16 [2, 3] needs 12 bytes"));
    EXPECT_THAT(entry_error(R"({"dtype":"F64","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]})"),
                HasSubstr("is too large"));
    EXPECT_THAT(entry_error(R"({"dtype":"F32","shape":[4],"data_offsets":[4,20]})"),
                HasSubstr("truncated: tensor w ends at data offset 20, past the 16 data bytes"));
    EXPECT_THAT(entry_error(R"({"dtype":"U8","shape":[18446744073709551615],"data_offsets":[1,0]})"),
                HasSubstr("end before they begin"));
}

TEST(SafetensorsCorruption, OverlappingTensors)
{
    const auto overlap = SafetensorsBuilder()
                             .tensor_at("a", "F32", {4}, 0, 16)
                             .tensor_at("b", "F32", {4}, 8, 24)
                             .padding(24)
                             .build();
    EXPECT_THAT(error_of(overlap), HasSubstr("tensors a and b overlap"));
    const auto same = SafetensorsBuilder()
                          .tensor_at("a", "F32", {2}, 0, 8)
                          .tensor_at("b", "U8", {8}, 0, 8)
                          .padding(8)
                          .build();
    EXPECT_THAT(error_of(same), HasSubstr("overlap"));
    // b lies inside a long tensor that begins first; c after both is fine.
    const auto nested = SafetensorsBuilder()
                            .tensor_at("a", "F32", {8}, 0, 32)
                            .tensor_at("b", "F32", {1}, 8, 12)
                            .tensor_at("c", "F32", {1}, 32, 36)
                            .padding(36)
                            .build();
    EXPECT_THAT(error_of(nested), HasSubstr("tensors a and b overlap"));
    // Empty tensors occupy no bytes, so they overlap nothing.
    const auto empty_inside = SafetensorsBuilder()
                                  .tensor_at("a", "F32", {4}, 0, 16)
                                  .tensor_at("z", "F32", {0}, 8, 8)
                                  .padding(16)
                                  .build();
    EXPECT_EQ(error_of(empty_inside), "no error");
}

TEST(SafetensorsCorruption, NamesInMessagesStayOnOneLine)
{
    const auto msg = error_of(SafetensorsBuilder().raw_entry("bad\nname", "7").build());
    EXPECT_THAT(msg, HasSubstr("bad\\x0aname"));
    const auto long_name = error_of(SafetensorsBuilder().raw_entry(std::string(5000, 'x'), "7").build());
    EXPECT_LT(long_name.size(), 400u);
}

TEST(SafetensorsCorruption, MissingFileIsAnIoError)
{
    test::TempDir dir;
    EXPECT_THROW((void)model::read_safetensors(dir.path() / "none.safetensors"), IoError);
}
