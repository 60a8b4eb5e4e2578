// Hyper-parameters of well-known model sizes, for synthetic models of realistic shape.
#pragma once

#include "model/model_config.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::model {

/// "tinyllama-1.1b", "llama-7b", "stories15m", "stories110m", "gpt2-small", "gpt2-medium".
std::vector<std::string> preset_names();

/// The configuration of preset `name`; throws ConfigError listing the known names otherwise.
ModelConfig preset_config(std::string_view name);

} // namespace edge_rt::model
