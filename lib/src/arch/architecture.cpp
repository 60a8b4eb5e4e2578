#include "arch/architecture.hpp"

#include "edge_rt/error.hpp"
#include "kernels/dequantize.hpp"
#include "kernels/matmul.hpp"
#include "arch/gpt2.hpp"
#include "arch/llama.hpp"
#include "arch/phi2.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <stdexcept>
#include <vector>

namespace edge_rt::model {

Architecture::Architecture(const ModelConfig& config, const kernels::KernelTable& kernels)
    : config_(config), kernels_(kernels)
{
}

void Architecture::expect_group(GroupWeights w, const WeightGroup& g)
{
    if (w.size() != g.weights.size())
        throw std::invalid_argument(fmt::format("weight group of {} tensors given {} views",
                                                g.weights.size(), w.size()));
}

void Architecture::expect_logits(const Activations& a, std::size_t n_rows, std::span<float> logits) const
{
    if (n_rows > a.n_tokens || logits.size() != n_rows * config_.n_vocab)
        throw std::invalid_argument(fmt::format("logits for {} of {} tokens given {} floats", n_rows, a.n_tokens,
                                                logits.size()));
}

std::vector<WeightGroup> Architecture::output_parts(const WeightGroup& whole, std::uint32_t parts)
{
    const WeightSpec& matrix = whole.weights.back();
    const std::uint64_t rows = matrix.shape.at(1);
    parts = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(parts, 1, rows));
    std::vector<WeightGroup> out;
    for (std::uint32_t k = 0; k < parts; ++k) {
        WeightGroup part{GroupKind::Output, k, {}, parts};
        if (k == 0)
            part.weights.assign(whole.weights.begin(), whole.weights.end() - 1);
        WeightSpec chunk = matrix;
        chunk.row_begin = rows * k / parts;
        chunk.row_end = rows * (k + 1) / parts;
        part.weights.push_back(chunk);
        out.push_back(std::move(part));
    }
    return out;
}

void Architecture::split_output(std::uint32_t parts)
{
    const WeightGroup whole = groups_.back();
    if (whole.kind != GroupKind::Output || whole.parts != 1)
        throw std::logic_error("split_output: the output group is already split");
    if (parts <= 1)
        return;
    groups_.pop_back();
    for (auto& part : output_parts(whole, parts))
        groups_.push_back(std::move(part));
}

void Architecture::output(const WeightGroup& g, GroupWeights w, Activations& a, std::size_t n_rows,
                          std::span<float> logits) const
{
    expect_group(w, g);
    expect_logits(a, n_rows, logits);
    const std::size_t first = a.n_tokens - n_rows;
    if (g.layer == 0)
        output_norm(w.first(w.size() - 1), a, first, n_rows);
    const kernels::WeightView& m = w.back();
    const std::size_t row0 = g.weights.back().row_begin, V = config_.n_vocab;
    if (m.rows == V) {
        matmul(m, a.xn.data() + first * config_.n_embd, n_rows, logits.data(), a);
    } else {
        // A part's rows of each token's logits: one product per token, straight into place.
        for (std::size_t t = 0; t < n_rows; ++t)
            matmul(m, a.xn.data() + (first + t) * config_.n_embd, 1, logits.data() + t * V + row0, a);
    }
    finish_logits(a, logits.data(), n_rows, row0, m.rows);
}

void Architecture::rope(float* x, std::size_t n_heads, std::size_t pos) const
{
    const auto pairing =
        config_.rope_style == RopeStyle::Halves ? kernels::RopePairing::Halves : kernels::RopePairing::Interleaved;
    const std::size_t hd = config_.head_dim();
    if (config_.rope_freq_factors.empty())
        kernels_.rope(x, n_heads, hd, config_.n_rot, pos, config_.rope_freq_base, pairing);
    else
        kernels_.rope_factors(x, n_heads, hd, config_.n_rot, pos, config_.rope_freq_base, pairing,
                              config_.rope_freq_factors.data());
}

void Architecture::add_bias(float* y, const kernels::WeightView& bias, std::size_t n, std::size_t dim,
                            std::vector<float>& scratch) const
{
    const float* b = vector_of(bias, scratch);
    for (std::size_t t = 0; t < n; ++t)
        kernels_.add(y + t * dim, b, dim);
}

void Architecture::matmul(const kernels::WeightView& w, const float* x, std::size_t n, float* y, Activations& a) const
{
    kernels::matmul(kernels_, w, x, n, y, a.xq, *parallel_);
}

void Architecture::matmul_shared_input(std::span<const kernels::MatmulTarget> targets, const float* x, std::size_t n,
                                       Activations& a) const
{
    kernels::matmul_shared_input(kernels_, targets, x, n, a.xq, *parallel_);
}

void Architecture::attend(const float* q, std::size_t q_stride, const float* k, const float* v,
                          std::size_t kv_stride, std::size_t n_head_kv, std::size_t n, std::size_t pos0,
                          float* out) const
{
    const std::size_t heads = config_.n_head;
    const std::size_t hd = config_.n_embd / heads;
    const std::size_t group = heads / n_head_kv;
    const std::size_t pairs = n * heads;
    // Several tasks per thread even out the causal mask's uneven rows (later tokens see more).
    const std::size_t tasks = std::min<std::size_t>(pairs, std::size_t{parallel_->threads()} * 8);
    parallel_->for_each(tasks, [&](std::size_t task) {
        std::vector<float> scores(pos0 + n);
        for (std::size_t p = pairs * task / tasks; p < pairs * (task + 1) / tasks; ++p) {
            const std::size_t t = p / heads, h = p % heads;
            kernels_.attention({q + t * q_stride + h * hd, k + (h / group) * hd, v + (h / group) * hd, pos0 + t + 1,
                                kv_stride, 1, 1, hd, scores.data(), out + t * config_.n_embd + h * hd});
        }
    });
}

const float* Architecture::vector_of(const kernels::WeightView& v, std::vector<float>& scratch)
{
    scratch.resize(v.elements());
    kernels::dequantize_row(v.dtype, v.data, scratch);
    return scratch.data();
}

std::unique_ptr<Architecture> make_architecture(const ModelConfig& config, const kernels::KernelTable& kernels)
{
    if (config.n_embd == 0 || config.n_head == 0 || config.n_head_kv == 0 || config.n_layer == 0 ||
        config.n_vocab == 0 || config.n_embd % config.n_head != 0 || config.n_head % config.n_head_kv != 0)
        throw FormatError(fmt::format("{}: inconsistent hyper-parameters (n_embd {}, {} heads, {} kv heads)",
                                      config.name, config.n_embd, config.n_head, config.n_head_kv));
    if (!config.rope_freq_factors.empty() && config.rope_freq_factors.size() != config.n_rot / 2)
        throw FormatError(fmt::format("{}: {} RoPE frequency factors for {} rotated dimensions (expected {})",
                                      config.name, config.rope_freq_factors.size(), config.n_rot, config.n_rot / 2));
    switch (config.arch) {
    case Arch::Llama:
    case Arch::Qwen2:
        return make_llama(config, kernels);
    case Arch::Gpt2:
        return make_gpt2(config, kernels);
    case Arch::Phi2:
        return make_phi2(config, kernels);
    }
    throw FormatError(fmt::format("{}: unsupported architecture {}", config.name, config.arch_name));
}

} // namespace edge_rt::model
