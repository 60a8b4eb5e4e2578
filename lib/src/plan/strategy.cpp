#include "edge_rt/error.hpp"
#include "plan/plan.hpp"

#include <fmt/format.h>

namespace edge_rt::plan {

std::string_view to_string(Strategy s) noexcept
{
    switch (s) {
    case Strategy::Sequential: return "sequential";
    case Strategy::GreedyGrouping: return "greedy-grouping";
    case Strategy::SpeculativePrefetch: return "speculative-prefetch";
    case Strategy::Auto: return "auto";
    }
    return "auto";
}

Strategy parse_strategy(std::string_view s)
{
    for (Strategy v : {Strategy::Sequential, Strategy::GreedyGrouping, Strategy::SpeculativePrefetch, Strategy::Auto})
        if (s == to_string(v))
            return v;
    throw ConfigError(fmt::format("unknown strategy '{}' (expected sequential, greedy-grouping, "
                                  "speculative-prefetch or auto)", s));
}

} // namespace edge_rt::plan
