#include "model/tensor_table.hpp"

#include "edge_rt/error.hpp"

#include <fmt/format.h>

namespace edge_rt::model {

std::uint64_t TensorRef::elements() const
{
    std::uint64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

const TensorRef* TensorTable::find(std::string_view name) const
{
    for (const auto& t : tensors)
        if (t.name == name)
            return &t;
    return nullptr;
}

const TensorRef& TensorTable::require(std::string_view name) const
{
    if (const auto* t = find(name))
        return *t;
    throw FormatError(fmt::format("{}: missing tensor {}", files.empty() ? "model" : files.front(), name));
}

std::uint64_t TensorTable::total_bytes() const
{
    std::uint64_t n = 0;
    for (const auto& t : tensors)
        n += t.nbytes;
    return n;
}

} // namespace edge_rt::model
