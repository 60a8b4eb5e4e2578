// Where the model comes from when the user gives no -m: the bundled one.
#pragma once

#include <filesystem>

namespace edge_rt::cli {

/// The bundled default model: $EDGE_RT_MODEL if set, else the installed copy, else the
/// copy in the source tree this binary was built from. Throws ConfigError if none exists.
std::filesystem::path default_model_path();

} // namespace edge_rt::cli
