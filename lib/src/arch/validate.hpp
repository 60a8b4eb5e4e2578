// Checking a model's tensor table against what its architecture will compute, before any
// weight is read: every message names the file and the tensor.
#pragma once

#include "arch/architecture.hpp"
#include "model/tensor_table.hpp"

namespace edge_rt::model {

/// Every tensor of every group of `arch` must be in `tensors` with the expected shape and a
/// type the kernels support (rows a whole number of blocks; transposed tensors element-wise).
/// Throws FormatError "<file>: missing tensor Y", "<file>: unsupported tensor type X in tensor Y",
/// "<file>: tensor Y has shape [..] expected [..]", ….
void validate_tensors(const Architecture& arch, const TensorTable& tensors);

/// The same check for one tensor and spec.
void validate_tensor(const TensorRef& tensor, const WeightSpec& spec, const std::string& file);

} // namespace edge_rt::model
