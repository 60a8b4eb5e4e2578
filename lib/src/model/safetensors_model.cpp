// SafeTensors + Hugging Face config.json models (being implemented; see issue 3).
#include "edge_rt/error.hpp"
#include "model/model_source.hpp"

#include <fmt/format.h>

namespace edge_rt::model {

ModelSource open_safetensors_model(const std::filesystem::path& dir)
{
    throw FormatError(fmt::format("{}: SafeTensors model folders are not supported by this build yet",
                                  dir.string()));
}

} // namespace edge_rt::model
