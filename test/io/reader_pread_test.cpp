#include "edge_rt/error.hpp"
#include "io/uring_probe.hpp"
#include "reader_contract.hpp"

#include <asio/io_context.hpp>

INSTANTIATE_TEST_SUITE_P(Pread, ReaderContract, ::testing::Values(edge_rt::io::IoBackend::Pread));

// auto picks io_uring exactly when the kernel has it; asking for uring without it is an error.
TEST(OpenReader, BackendChoiceFollowsTheProbe)
{
    using namespace edge_rt;
    asio::io_context io;
    const std::string self = "/proc/self/exe";
    io::ReaderOptions o;
    const bool have = io::probe_io_uring().available;
    EXPECT_EQ(io::open_reader(io, {self}, o)->backend_name(), have ? "uring" : "pread");
    o.backend = io::IoBackend::Uring;
    if (have)
        EXPECT_EQ(io::open_reader(io, {self}, o)->backend_name(), "uring");
    else
        EXPECT_THROW(io::open_reader(io, {self}, o), ConfigError);
    EXPECT_EQ(io::parse_io_backend("pread"), io::IoBackend::Pread);
    EXPECT_THROW(io::parse_io_backend("mmap"), ConfigError);
}
