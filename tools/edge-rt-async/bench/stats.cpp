#include "bench/stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace edge_rt::cli {

std::size_t metric_index(const char* name)
{
    for (std::size_t i = 0; i < kMetricCount; ++i)
        if (std::strcmp(kBenchMetrics[i], name) == 0)
            return i;
    throw std::out_of_range(name);
}

Stat summarize(std::vector<double> values)
{
    Stat s;
    if (values.empty())
        return s;
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    s.min = values.front();
    s.max = values.back();
    s.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
    if (n > 1) {
        double mean = 0;
        for (const double v : values)
            mean += v;
        mean /= static_cast<double>(n);
        double sq = 0;
        for (const double v : values)
            sq += (v - mean) * (v - mean);
        s.stddev = std::sqrt(sq / static_cast<double>(n - 1));
    }
    return s;
}

void ConfigResult::finish()
{
    for (std::size_t m = 0; m < kMetricCount; ++m) {
        std::vector<double> values;
        for (const auto& r : reps)
            values.push_back(r.values[m]);
        stats[m] = summarize(std::move(values));
    }
}

BenchSummary summarize(const std::vector<ConfigResult>& results)
{
    BenchSummary s;
    const auto speed = [&](std::size_t i) { return results[i].stat("decode_tok_s").median; };
    for (std::size_t i = 0; i < results.size(); ++i)
        if (results[i].ok() && (!s.fastest || speed(i) > speed(*s.fastest)))
            s.fastest = i;
    if (!s.fastest)
        return s;
    const double floor = kEfficientShare * speed(*s.fastest);
    const auto rss = [&](std::size_t i) { return results[i].stat("peak_rss_bytes").median; };
    for (std::size_t i = 0; i < results.size(); ++i)
        if (results[i].ok() && speed(i) >= floor && (!s.most_efficient || rss(i) < rss(*s.most_efficient)))
            s.most_efficient = i;
    return s;
}

} // namespace edge_rt::cli
