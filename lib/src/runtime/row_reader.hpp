// The token embedding read on demand (plan.on_demand): only the rows of the tokens being
// embedded, each read through a window aligned outward to 4096 bytes (O_DIRECT), copied into a
// compact table of the batch's distinct rows. The embedding step sees that table and the
// tokens renumbered into it, so the architecture stays unaware of files.
#pragma once

#include "io/reader.hpp"
#include "kernels/weight_view.hpp"
#include "memory/pool.hpp"
#include "model/tensor_table.hpp"

#include <asio/awaitable.hpp>
#include <cstdint>
#include <span>
#include <vector>

namespace edge_rt::runtime {

class RowReader {
public:
    /// Rows read with one reader call: bounds the window buffer.
    static constexpr std::size_t kWindowsPerRead = 8;

    /// Bytes of the buffers for batches of up to `max_rows` tokens (charged to the budget).
    static std::uint64_t buffer_bytes(const model::TensorRef& table, std::size_t max_rows);

    /// Leases the buffers from `pool` (BudgetError when they do not fit).
    RowReader(const model::TensorRef& table, memory::Pool& pool, std::size_t max_rows);

    /// Reads the rows of `tokens` (at most max_rows of them); returns a view of the compact
    /// table and fills `local` with each token's row in it. Throws IoError from the reader.
    asio::awaitable<kernels::WeightView> read(io::WeightReader& reader, std::span<const std::int32_t> tokens,
                                              std::vector<std::int32_t>& local);

private:
    const model::TensorRef& table_;
    std::uint64_t row_bytes_;
    std::uint64_t window_bytes_;
    std::size_t max_rows_;
    memory::Lease windows_;
    memory::Lease rows_;
};

} // namespace edge_rt::runtime
