#include "kernels/matmul.hpp"

#include "kernels/activation_quant.hpp"

#include <algorithm>

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

// Enough tasks per thread to even out uneven progress, each a whole number of row grains.
std::size_t rows_per_task(std::size_t rows, unsigned threads)
{
    if (threads <= 1)
        return rows;
    const std::size_t tasks = std::size_t{threads} * 4;
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
    if (w.rows == 0 || n == 0)
        return;
    const std::byte* xq = nullptr;
    if (k.quantized_activations && block_type(w.dtype)) {
        row_bytes(w.dtype, w.cols); // throws for a partial block
        if (scratch.size() < quantized_bytes(w.cols, n))
            scratch.resize(quantized_bytes(w.cols, n));
        std::byte* out = scratch.data();
        parallel.for_each(n, [&](std::size_t t) { k.quantize(x, w.cols, t, t + 1, out); });
        xq = scratch.data();
    }
    const std::size_t per = rows_per_task(w.rows, parallel.threads());
    const std::size_t tasks = (w.rows + per - 1) / per;
    parallel.for_each(tasks, [&](std::size_t i) {
        k.matmul_rows(w, x, xq, n, y, i * per, std::min(w.rows, (i + 1) * per));
    });
}

void matmul(const KernelTable& k, const WeightView& w, const float* x, std::size_t n, float* y)
{
    std::vector<std::byte> scratch;
    matmul(k, w, x, n, y, scratch);
}

} // namespace edge_rt::kernels
