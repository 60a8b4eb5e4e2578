// The library's version, for `--version` and for embedders checking what they linked against.
#pragma once

#include "edge_rt/export.hpp"

#include <string_view>

namespace edge_rt {

/// The release version of the library, "MAJOR.MINOR.PATCH".
EDGE_RT_API std::string_view version() noexcept;

/// A one-line description of how this build was made: compiler, target CPU family,
/// and which optional backends (io_uring) were compiled in.
EDGE_RT_API std::string_view build_info() noexcept;

} // namespace edge_rt
