// Internal model facts as the public structs of edge_rt/inspect.hpp.
#pragma once

#include "edge_rt/inspect.hpp"
#include "model/model_source.hpp"

namespace edge_rt::toolkit {

/// The header facts of an opened model (no architecture check).
ModelHeader model_header(const model::ModelSource& source);

} // namespace edge_rt::toolkit
