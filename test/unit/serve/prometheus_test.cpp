// The exposition format, checked against the text format's specification by hand.
#include "serve/prometheus.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

namespace edge_rt::serve {
namespace {

TEST(PrometheusText, CounterAndGaugeFamilies)
{
    PrometheusText p;
    p.counter("edge_rt_tokens_total", "Tokens generated.", 42);
    p.gauge("edge_rt_read_gbps", "Read rate of the last pass, GB/s.", 0.5);
    EXPECT_EQ(p.text(), "# HELP edge_rt_tokens_total Tokens generated.\n"
                        "# TYPE edge_rt_tokens_total counter\n"
                        "edge_rt_tokens_total 42\n"
                        "# HELP edge_rt_read_gbps Read rate of the last pass, GB/s.\n"
                        "# TYPE edge_rt_read_gbps gauge\n"
                        "edge_rt_read_gbps 0.5\n");
}

TEST(PrometheusText, EscapesHelpAndLabelValues)
{
    PrometheusText p;
    p.gauge("m", "a \\ b\nc", std::numeric_limits<double>::infinity(), {{"model", "x\"y\\z\n"}, {"k", "v"}});
    EXPECT_EQ(p.text(), "# HELP m a \\\\ b\\nc\n# TYPE m gauge\nm{model=\"x\\\"y\\\\z\\n\",k=\"v\"} +Inf\n");
}

TEST(PrometheusText, RefusesInvalidNames)
{
    PrometheusText p;
    EXPECT_THROW(p.counter("9lives", "", 1), std::invalid_argument);
    EXPECT_THROW(p.counter("a-b", "", 1), std::invalid_argument);
    EXPECT_THROW(p.gauge("ok", "", 1, {{"bad-label", "v"}}), std::invalid_argument);
}

TEST(PrometheusText, SamplesOfOneFamilyShareHelpAndType)
{
    PrometheusText p;
    p.counter("x_total", "X.", 1, {{"reason", "a"}});
    p.counter("x_total", "X.", 2, {{"reason", "b"}});
    EXPECT_EQ(p.text(), "# HELP x_total X.\n# TYPE x_total counter\nx_total{reason=\"a\"} 1\nx_total{reason=\"b\"} 2\n");
}

} // namespace
} // namespace edge_rt::serve
