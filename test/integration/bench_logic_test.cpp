// The sweep's arithmetic and parsing, against hand-computed values.
#include "bench/options.hpp"
#include "bench/plot.hpp"
#include "bench/stats.hpp"

#include "edge_rt/error.hpp"

#include <cmath>
#include <gtest/gtest.h>

using namespace edge_rt;
using namespace edge_rt::cli;

TEST(BenchStats, MedianStddevMinMaxByHand)
{
    // Mean 5, squared deviations 9+1+1+9 = 20, sample variance 20/3.
    const auto s = summarize(std::vector<double>{8, 2, 6, 4});
    EXPECT_DOUBLE_EQ(s.median, 5.0);
    EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(20.0 / 3.0));
    EXPECT_DOUBLE_EQ(s.min, 2.0);
    EXPECT_DOUBLE_EQ(s.max, 8.0);
    const auto odd = summarize(std::vector<double>{3, 100, 1});
    EXPECT_DOUBLE_EQ(odd.median, 3.0);
    const auto one = summarize(std::vector<double>{7});
    EXPECT_DOUBLE_EQ(one.median, 7.0);
    EXPECT_DOUBLE_EQ(one.stddev, 0.0);
}

namespace {

ConfigResult result(double tok_s, double rss, bool ok = true)
{
    ConfigResult r;
    RepResult rep;
    rep.values[metric_index("decode_tok_s")] = tok_s;
    rep.values[metric_index("peak_rss_bytes")] = rss;
    r.reps.push_back(rep);
    if (!ok)
        r.error = "failed";
    r.finish();
    return r;
}

} // namespace

TEST(BenchStats, FastestAndMostMemoryEfficient)
{
    // 10 tok/s is the best; 8.5 and 8.0 reach 80% of it, 7.9 does not. Of those that do, 8.0 has
    // the lowest RSS; the failed row's lower RSS does not count.
    const std::vector<ConfigResult> rows{result(10, 900), result(8.5, 500), result(8.0, 400), result(7.9, 100),
                                         result(50, 50, false)};
    const auto s = summarize(rows);
    ASSERT_TRUE(s.fastest && s.most_efficient);
    EXPECT_EQ(*s.fastest, 0u);
    EXPECT_EQ(*s.most_efficient, 2u);
    EXPECT_FALSE(summarize(std::vector<ConfigResult>{result(1, 1, false)}).fastest);
}

TEST(BenchOptions, ExpandIsTheCartesianProductBudgetsOutermost)
{
    BenchOptions o;
    o.budget_labels = {"256M", "1G"};
    o.budgets = {256ull << 20, 1ull << 30};
    o.strategies = {"sequential", "speculative-prefetch"};
    o.threads = {1, 2};
    o.io_backends = {"pread"};
    o.prompt_tokens = {16, 128};
    o.n_tokens = {4};
    const auto c = expand(o);
    ASSERT_EQ(c.size(), 2u * 2 * 2 * 1 * 2 * 1);
    EXPECT_EQ(c[0].budget_label, "256M");
    EXPECT_EQ(c[0].prompt_tokens, 16u);
    EXPECT_EQ(c[1].prompt_tokens, 128u);
    EXPECT_EQ(c[2].threads, 2);
    EXPECT_EQ(c[4].strategy, "speculative-prefetch");
    EXPECT_EQ(c[8].budget, 1ull << 30);
    o.budgets.clear();
    o.budget_labels.clear();
    EXPECT_EQ(expand(o).front().budget, 0u); // no -b: one budget, the whole model
}

TEST(BenchOptions, ListsRejectEmptyAndNonPositiveItems)
{
    EXPECT_EQ(split_list(" a , b,c ", "-x"), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_THROW(split_list("a,,b", "-x"), ConfigError);
    EXPECT_THROW(split_list("", "-x"), ConfigError);
    EXPECT_EQ(parse_count_list("1,16,128", "-n"), (std::vector<std::size_t>{1, 16, 128}));
    EXPECT_THROW(parse_count_list("0", "-n"), ConfigError);
    EXPECT_THROW(parse_count_list("4x", "-n"), ConfigError);
    EXPECT_THROW(parse_count_list("-1", "-n"), ConfigError);
    EXPECT_THROW(parse_bench_format("xml"), ConfigError);
    EXPECT_EQ(parse_bench_format("jsonl"), BenchFormat::Jsonl);
}

TEST(BenchPlot, CsvReaderHandlesQuotesCommasAndNewlines)
{
    const auto rows = parse_csv("a,b,c\n1,\"x, \"\"y\"\"\nz\",\n");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "x, \"y\"\nz", ""}));
}
