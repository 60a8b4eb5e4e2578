// The config enums' names (edge_rt/config_names.hpp): the planner and the reader own the
// spellings and their errors; this maps the public enums onto theirs.
#include "edge_rt/config_names.hpp"

#include "io/reader.hpp"
#include "plan/plan.hpp"

namespace edge_rt {
namespace {

plan::Strategy internal(Strategy s) noexcept
{
    switch (s) {
    case Strategy::Sequential: return plan::Strategy::Sequential;
    case Strategy::GreedyGrouping: return plan::Strategy::GreedyGrouping;
    case Strategy::SpeculativePrefetch: return plan::Strategy::SpeculativePrefetch;
    case Strategy::Auto: break;
    }
    return plan::Strategy::Auto;
}

io::IoBackend internal(IoBackend b) noexcept
{
    switch (b) {
    case IoBackend::Uring: return io::IoBackend::Uring;
    case IoBackend::Pread: return io::IoBackend::Pread;
    case IoBackend::Auto: break;
    }
    return io::IoBackend::Auto;
}

} // namespace

Strategy parse_strategy(std::string_view name)
{
    switch (plan::parse_strategy(name)) {
    case plan::Strategy::Sequential: return Strategy::Sequential;
    case plan::Strategy::GreedyGrouping: return Strategy::GreedyGrouping;
    case plan::Strategy::SpeculativePrefetch: return Strategy::SpeculativePrefetch;
    case plan::Strategy::Auto: break;
    }
    return Strategy::Auto;
}

std::string_view to_string(Strategy strategy) noexcept
{
    return plan::to_string(internal(strategy));
}

IoBackend parse_io_backend(std::string_view name)
{
    switch (io::parse_io_backend(name)) {
    case io::IoBackend::Uring: return IoBackend::Uring;
    case io::IoBackend::Pread: return IoBackend::Pread;
    case io::IoBackend::Auto: break;
    }
    return IoBackend::Auto;
}

std::string_view to_string(IoBackend backend) noexcept
{
    return io::to_string(internal(backend));
}

} // namespace edge_rt
