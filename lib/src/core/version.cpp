#include "edge_rt/version.hpp"

namespace edge_rt {

std::string_view version() noexcept { return EDGE_RT_VERSION; }

std::string_view build_info() noexcept { return EDGE_RT_BUILD_INFO; }

} // namespace edge_rt
