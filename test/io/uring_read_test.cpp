#include "edge_rt/error.hpp"
#include "env.hpp"
#include "io/file.hpp"
#include "temp_dir.hpp"
#include "uring_read.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <cstring>
#include <random>

using namespace edge_rt;

TEST(UringRead, ReturnsTheSameBytesAsTheFile)
{
    const auto path = test::bundled_model();
    const auto whole = test::read_file(path);
    io::File f(path);
    std::mt19937_64 rng(11);
    for (int i = 0; i < 100; ++i) {
        const std::size_t off = rng() % whole.size();
        const std::size_t len = 1 + rng() % (whole.size() - off);
        std::vector<std::byte> buf(len);
        tools::uring_read_exact(f.fd(), f.path(), off, buf);
        ASSERT_EQ(std::memcmp(buf.data(), whole.data() + off, len), 0) << off << "+" << len;
    }
}

TEST(UringRead, EndOfFileIsAnErrorNamingTheFile)
{
    test::TempDir dir;
    const std::vector<std::uint8_t> ten(10, 1);
    io::File f(dir.write("short.bin", ten));
    std::vector<std::byte> buf(16);
    try {
        tools::uring_read_exact(f.fd(), f.path(), 0, buf);
        FAIL() << "read past the end succeeded";
    } catch (const IoError& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr("short.bin"));
        EXPECT_THAT(e.what(), ::testing::HasSubstr("end of file"));
    }
}
