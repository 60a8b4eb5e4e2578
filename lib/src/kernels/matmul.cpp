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

// The form table `k` multiplies weights of type `t` with.
ActivationForm form_for(const KernelTable& k, DType t)
{
    return k.quantized_activations ? activation_form(t) : ActivationForm::Float;
}

// Where each form lives in the scratch: Q8x32 first, then Q8x256.
std::size_t k_form_offset(std::size_t cols, std::size_t n) { return cols % 32 == 0 ? quantized_bytes(cols, n) : 0; }

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
    return k_form_offset(cols, n) + (cols % 256 == 0 ? quantized_k_bytes(cols, n) : 0);
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
    bool need32 = false, need256 = false;
    for (const auto& t : targets) {
        if (t.w->cols != first.cols)
            throw std::invalid_argument("matmul_shared_input: matrices of different widths");
        rows += t.w->rows;
        const ActivationForm form = form_for(k, t.w->dtype);
        if (form != ActivationForm::Float && t.w->rows > 0) {
            row_bytes(t.w->dtype, t.w->cols); // throws for a partial block
            need32 = need32 || form == ActivationForm::Q8x32;
            need256 = need256 || form == ActivationForm::Q8x256;
        }
    }
    if (rows == 0)
        return;
    // Each form the matrices need, quantised once for all of them.
    const std::size_t cols = first.cols;
    const std::byte* xq32 = nullptr;
    const std::byte* xq256 = nullptr;
    if (need32 || need256) {
        if (scratch.size() < matmul_scratch_bytes(cols, n))
            scratch.resize(matmul_scratch_bytes(cols, n));
        std::byte* out32 = scratch.data();
        std::byte* out256 = scratch.data() + k_form_offset(cols, n);
        parallel.for_each(n, [&](std::size_t t) {
            if (need32)
                k.quantize(x, cols, t, t + 1, out32);
            if (need256)
                k.quantize_k(x, cols, t, t + 1, out256);
        });
        xq32 = need32 ? out32 : nullptr;
        xq256 = need256 ? out256 : nullptr;
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
        const ActivationForm form = form_for(k, t.w->dtype);
        const std::byte* xq = form == ActivationForm::Q8x32 ? xq32 : form == ActivationForm::Q8x256 ? xq256 : nullptr;
        k.matmul_rows(*t.w, x, xq, n, t.y, r, std::min(t.w->rows, r + per));
    });
}

void matmul(const KernelTable& k, const WeightView& w, const float* x, std::size_t n, float* y)
{
    std::vector<std::byte> scratch;
    matmul(k, w, x, n, y, scratch);
}

} // namespace edge_rt::kernels
