#include "runtime/row_reader.hpp"

#include "edge_rt/error.hpp"
#include "runtime/weight_layout.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <unordered_map>

namespace edge_rt::runtime {
namespace {

std::uint64_t table_row_bytes(const model::TensorRef& t)
{
    return kernels::row_bytes(static_cast<DType>(t.dtype), static_cast<std::size_t>(t.shape.at(0)));
}

// A row's window: from its start aligned down to its end aligned up; at most this long.
std::uint64_t max_window_bytes(std::uint64_t row_bytes)
{
    return align_up(row_bytes, kSlotAlignment) + kSlotAlignment;
}

} // namespace

std::uint64_t RowReader::buffer_bytes(const model::TensorRef& table, std::size_t max_rows)
{
    const std::uint64_t row = table_row_bytes(table);
    return kWindowsPerRead * max_window_bytes(row) + align_up(max_rows * row, kSlotAlignment);
}

RowReader::RowReader(const model::TensorRef& table, memory::Pool& pool, std::size_t max_rows)
    : table_(table), row_bytes_(table_row_bytes(table)), window_bytes_(max_window_bytes(row_bytes_)),
      max_rows_(max_rows), windows_(pool.acquire(kWindowsPerRead * window_bytes_, "embedding row windows")),
      rows_(pool.acquire(max_rows * row_bytes_, "embedding rows"))
{
}

asio::awaitable<kernels::WeightView> RowReader::read(io::WeightReader& reader, std::span<const std::int32_t> tokens,
                                                     std::vector<std::int32_t>& local)
{
    if (tokens.size() > max_rows_)
        throw ConfigError(fmt::format("{}: {} tokens to embed, the row buffer holds {}", table_.name,
                                      tokens.size(), max_rows_));
    std::vector<std::int32_t> distinct;
    std::unordered_map<std::int32_t, std::int32_t> index;
    local.clear();
    for (const auto id : tokens) {
        const auto [it, fresh] = index.emplace(id, static_cast<std::int32_t>(distinct.size()));
        if (fresh)
            distinct.push_back(id);
        local.push_back(it->second);
    }
    for (std::size_t first = 0; first < distinct.size(); first += kWindowsPerRead) {
        const std::size_t n = std::min(kWindowsPerRead, distinct.size() - first);
        std::vector<io::ReadRange> reads;
        std::vector<std::uint64_t> skip(n);
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t start = table_.offset + static_cast<std::uint64_t>(distinct[first + i]) * row_bytes_;
            const std::uint64_t offset = align_down(start, kSlotAlignment);
            const std::uint64_t len = align_up(start + row_bytes_, kSlotAlignment) - offset;
            skip[i] = start - offset;
            reads.push_back({table_.file, offset, {windows_.data() + i * window_bytes_, len}});
        }
        co_await reader.read(std::move(reads));
        for (std::size_t i = 0; i < n; ++i)
            std::memcpy(rows_.data() + (first + i) * row_bytes_, windows_.data() + i * window_bytes_ + skip[i],
                        row_bytes_);
    }
    co_return kernels::WeightView{rows_.data(), static_cast<DType>(table_.dtype),
                                  static_cast<std::size_t>(table_.shape.at(0)), distinct.size()};
}

} // namespace edge_rt::runtime
