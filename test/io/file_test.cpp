#include "edge_rt/error.hpp"
#include "env.hpp"
#include "io/file.hpp"
#include "temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <cstring>
#include <random>

using namespace edge_rt;
using ::testing::HasSubstr;

TEST(File, ReadExactMatchesTheFileAtRandomRanges)
{
    const auto path = test::bundled_model();
    const auto whole = test::read_file(path);
    io::File f(path);
    ASSERT_EQ(f.size(), whole.size());
    std::mt19937_64 rng(7);
    for (int i = 0; i < 200; ++i) {
        const std::size_t off = rng() % whole.size();
        const std::size_t len = rng() % std::min<std::size_t>(whole.size() - off, 100000);
        std::vector<std::byte> buf(len);
        f.read_exact(off, buf);
        ASSERT_EQ(std::memcmp(buf.data(), whole.data() + off, len), 0) << off << "+" << len;
    }
}

TEST(File, ErrorsNameTheFile)
{
    test::TempDir dir;
    EXPECT_THROW(
        {
            try {
                io::File f(dir.path() / "missing.gguf");
            } catch (const IoError& e) {
                EXPECT_THAT(e.what(), HasSubstr("missing.gguf"));
                EXPECT_THAT(e.what(), HasSubstr("No such file"));
                throw;
            }
        },
        IoError);
    EXPECT_THROW(io::File{dir.path()}, IoError);

    const std::vector<std::uint8_t> ten(10, 1);
    io::File f(dir.write("ten.bin", ten));
    std::vector<std::byte> buf(8);
    EXPECT_NO_THROW(f.read_exact(2, buf));
    try {
        f.read_exact(4, buf);
        FAIL() << "read past the end succeeded";
    } catch (const IoError& e) {
        EXPECT_THAT(e.what(), HasSubstr("ten.bin"));
        EXPECT_THAT(e.what(), HasSubstr("unexpected end of file"));
    }
}
