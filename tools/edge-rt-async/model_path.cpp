#include "model_path.hpp"

#include "edge_rt/error.hpp"

#include <cstdlib>
#include <fmt/format.h>

namespace edge_rt::cli {

std::filesystem::path default_model_path()
{
    if (const char* env = std::getenv("EDGE_RT_MODEL"); env != nullptr && *env != '\0')
        return env;
    for (const char* candidate : {EDGE_RT_BUNDLED_MODEL_INSTALLED, EDGE_RT_BUNDLED_MODEL_SRC})
        if (std::filesystem::exists(candidate))
            return candidate;
    throw ConfigError(fmt::format("no model given (-m) and the bundled model is missing "
                                  "(looked for {} and {})",
                                  EDGE_RT_BUNDLED_MODEL_INSTALLED, EDGE_RT_BUNDLED_MODEL_SRC));
}

} // namespace edge_rt::cli
