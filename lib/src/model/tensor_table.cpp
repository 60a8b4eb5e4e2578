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

TensorNameIndex& TensorNameIndex::operator=(const TensorNameIndex&)
{
    const std::lock_guard lock(mutex_);
    positions_.clear();
    indexed_ = 0;
    return *this;
}

void TensorNameIndex::index_from(const std::vector<TensorRef>& tensors, std::size_t first) const
{
    if (first == 0)
        positions_.clear();
    for (indexed_ = first; indexed_ < tensors.size(); ++indexed_)
        positions_.emplace(tensors[indexed_].name, indexed_); // keeps the first of duplicates
}

std::optional<std::size_t> TensorNameIndex::find(const std::vector<TensorRef>& tensors, std::string_view name) const
{
    const std::lock_guard lock(mutex_);
    index_from(tensors, tensors.size() < indexed_ ? 0 : indexed_); // shorter: the list was replaced
    const auto it = positions_.find(name);
    if (it != positions_.end() && tensors[it->second].name == name)
        return it->second;
    // A miss, or a stale entry: the list was replaced or renamed in place. Misses are rare
    // (optional tensors), so confirm with a scan and re-index if the list changed under us.
    for (std::size_t i = 0; i < tensors.size(); ++i)
        if (tensors[i].name == name) {
            index_from(tensors, 0);
            return i;
        }
    return std::nullopt;
}

const TensorRef* TensorTable::find(std::string_view name) const
{
    const auto i = index_.find(tensors, name);
    return i ? &tensors[*i] : nullptr;
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
