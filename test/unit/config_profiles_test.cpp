// The shipped TOML profiles must parse and use only values the runtime accepts.
#include <filesystem>
#include <gtest/gtest.h>
#include <set>
#include <string>
#include <toml++/toml.h>

namespace fs = std::filesystem;

TEST(ConfigProfiles, EveryProfileParsesWithKnownValues)
{
    const std::set<std::string> strategies{"sequential", "greedy-grouping", "speculative-prefetch", "auto"};
    const std::set<std::string> backends{"auto", "uring", "pread"};
    int seen = 0;
    for (const auto& entry : fs::directory_iterator(EDGE_RT_CONFIG_DIR)) {
        if (entry.path().extension() != ".toml")
            continue;
        ++seen;
        SCOPED_TRACE(entry.path().string());
        toml::table t;
        ASSERT_NO_THROW(t = toml::parse_file(entry.path().string()));
        const auto budget = t["memory_budget"].value<std::string>();
        ASSERT_TRUE(budget.has_value());
        EXPECT_NE(budget->find_first_of("KMG"), std::string::npos) << *budget;
        EXPECT_EQ(strategies.count(t["strategy"].value_or(std::string{})), 1u);
        EXPECT_EQ(backends.count(t["io_backend"].value_or(std::string{})), 1u);
        EXPECT_GT(t["threads"].value_or(0), 0);
        EXPECT_GT(t["ctx_size"].value_or(0), 0);
    }
    EXPECT_GE(seen, 3);
}
