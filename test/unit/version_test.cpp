#include "edge_rt/version.hpp"

#include <gtest/gtest.h>
#include <regex>
#include <string>

TEST(Version, IsSemverAndMatchesTheProject)
{
    const std::string v(edge_rt::version());
    EXPECT_TRUE(std::regex_match(v, std::regex(R"(\d+\.\d+\.\d+)"))) << v;
}

TEST(Version, BuildInfoNamesTheIoUringBackendState)
{
    const std::string info(edge_rt::build_info());
#ifdef EDGE_RT_HAVE_LIBURING
    EXPECT_NE(info.find("io_uring: built in"), std::string::npos) << info;
#else
    EXPECT_NE(info.find("io_uring: not built"), std::string::npos) << info;
#endif
}
