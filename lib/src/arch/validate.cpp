#include "arch/validate.hpp"

#include "core/dtype.hpp"
#include "edge_rt/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace edge_rt::model {

void validate_tensor(const TensorRef& t, const WeightSpec& spec, const std::string& file)
{
    const auto info = dtype_info(t.dtype);
    if (!info || !info->supported)
        throw FormatError(fmt::format("{}: unsupported tensor type {} in tensor {}", file, dtype_name(t.dtype), t.name));
    if (t.shape != spec.shape)
        throw FormatError(fmt::format("{}: tensor {} has shape [{}] expected [{}]", file, t.name,
                                      fmt::join(t.shape, ", "), fmt::join(spec.shape, ", ")));
    if (t.shape[0] % info->block_elems != 0)
        throw FormatError(fmt::format("{}: tensor {} has rows of {} values, not whole {} blocks of {}", file, t.name,
                                      t.shape[0], info->name, info->block_elems));
    const auto bytes = dtype_bytes(*info, t.elements());
    if (!bytes || *bytes != t.nbytes)
        throw FormatError(fmt::format("{}: tensor {} has {} bytes, expected {} for {} {} values", file, t.name,
                                      t.nbytes, bytes.value_or(0), t.elements(), info->name));
    if (t.transposed && (info->block_elems != 1 || t.shape.size() != 2))
        throw FormatError(fmt::format("{}: tensor {} is stored transposed as {} {}-D, which cannot be transposed "
                                      "at load (only 2-D F32/F16/BF16 can)",
                                      file, t.name, info->name, t.shape.size()));
}

void validate_tensors(const Architecture& arch, const TensorTable& tensors)
{
    for (const auto& group : arch.groups()) {
        for (const auto& spec : group.weights) {
            const TensorRef& t = tensors.require(spec.name);
            const std::string& file = t.file < tensors.files.size() ? tensors.files[t.file] : arch.config().name;
            validate_tensor(t, spec, file);
        }
    }
}

} // namespace edge_rt::model
