#include "kernels/matmul.hpp"

#include "kernels/activation_quant.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace edge_rt::kernels {
namespace {

class SerialParallel final : public Parallel {
public:
    unsigned threads() const noexcept override { return 1; }
    void for_each(std::size_t n, const std::function<void(std::size_t)>& task) const override
    {
        for (std::size_t i = 0; i < n; ++i)
            task(i);
    }
};

bool block_type(DType t) { return t == DType::Q8_0 || t == DType::Q4_0; }

// Enough tasks per thread to even out uneven progress (a shared machine, matrices of
// different heights in one call), each a whole number of row grains. A batch makes every
// task long, so it gets more of them: the last one then leaves less of a thread idle.
std::size_t rows_per_task(std::size_t rows, unsigned threads, std::size_t n)
{
    if (threads <= 1)
        return rows;
    const std::size_t tasks = std::size_t{threads} * (n > 1 ? 16 : 8);
    const std::size_t per = (rows + tasks - 1) / tasks;
    return std::max(kRowGrain, (per + kRowGrain - 1) / kRowGrain * kRowGrain);
}

} // namespace

const Parallel& serial()
{
    static const SerialParallel instance;
    return instance;
}

std::size_t matmul_scratch_bytes(std::size_t cols, std::size_t n)
{
    return cols % 32 == 0 ? quantized_bytes(cols, n) : 0;
}

void matmul(const KernelTable& k, const WeightView& w, const float* x, std::size_t n, float* y,
            std::vector<std::byte>& scratch, const Parallel& parallel)
{
    const MatmulTarget one{&w, y};
    matmul_shared_input(k, {&one, 1}, x, n, scratch, parallel);
}

void matmul_shared_input(const KernelTable& k, std::span<const MatmulTarget> targets, const float* x, std::size_t n,
                         std::vector<std::byte>& scratch, const Parallel& parallel)
{
    if (targets.empty() || n == 0)
        return;
    const WeightView& first = *targets.front().w;
    std::size_t rows = 0;
    bool quantise = false;
    for (const auto& t : targets) {
        if (t.w->cols != first.cols)
            throw std::invalid_argument("matmul_shared_input: matrices of different widths");
        rows += t.w->rows;
        if (k.quantized_activations && block_type(t.w->dtype) && t.w->rows > 0) {
            row_bytes(t.w->dtype, t.w->cols); // throws for a partial block
            quantise = true;
        }
    }
    if (rows == 0)
        return;
    const std::byte* xq = nullptr;
    if (quantise) {
        if (scratch.size() < quantized_bytes(first.cols, n))
            scratch.resize(quantized_bytes(first.cols, n));
        std::byte* out = scratch.data();
        parallel.for_each(n, [&](std::size_t t) { k.quantize(x, first.cols, t, t + 1, out); });
        xq = scratch.data();
    }
    // Tasks of `per` rows (a multiple of kRowGrain) within one matrix: the same row tiles
    // whatever the thread count.
    const std::size_t per = rows_per_task(rows, parallel.threads(), n);
    std::vector<std::pair<std::size_t, std::size_t>> tasks; // (target, first row)
    for (std::size_t i = 0; i < targets.size(); ++i)
        for (std::size_t r = 0; r < targets[i].w->rows; r += per)
            tasks.emplace_back(i, r);
    parallel.for_each(tasks.size(), [&](std::size_t i) {
        const auto [ti, r] = tasks[i];
        const MatmulTarget& t = targets[ti];
        k.matmul_rows(*t.w, x, block_type(t.w->dtype) ? xq : nullptr, n, t.y, r, std::min(t.w->rows, r + per));
    });
}

void matmul(const KernelTable& k, const WeightView& w, const float* x, std::size_t n, float* y)
{
    std::vector<std::byte> scratch;
    matmul(k, w, x, n, y, scratch);
}

} // namespace edge_rt::kernels
