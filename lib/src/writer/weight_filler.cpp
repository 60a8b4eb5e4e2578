#include "writer/weight_filler.hpp"

#include "core/dtype.hpp"
#include "core/half.hpp"
#include "core/block_encode.hpp"
#include "core/quant.hpp"

#include <cmath>
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace edge_rt::model {
namespace {

std::uint64_t mix(std::uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::uint64_t fnv1a(std::string_view s)
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const char c : s)
        h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    return h;
}

// Standard deviation of the values of `name`. Plain 1/fan_in variance at every layer lets the
// sub-layers' outputs swamp the token embedding after a few layers: the last hidden state then
// hardly depends on the current token and greedy decoding repeats one id (deep presets did).
// So the residual stream is balanced: embeddings are small but larger than what the first
// attention adds; the projections writing into the stream are scaled by 1/sqrt(2 n_layer) (as
// GPT-2's initialisation does), attention's more so, so each position's state is mostly its own
// token transformed by the feed-forward blocks; the last state keeps only a small share of the
// raw embedding, so a tied output matrix does not echo the current token back either. The
// factors were chosen by generating 32 greedy tokens from every preset.
float matrix_sd(std::string_view name, std::uint64_t fan_in, std::uint32_t n_layer)
{
    constexpr float kEmbeddingSd = 0.05f, kAttnOutFactor = 0.1f, kFfnDownFactor = 3.0f;
    if (name == "token_embd.weight" || name == "position_embd.weight")
        return kEmbeddingSd;
    const float sd = 1.0f / std::sqrt(static_cast<float>(fan_in));
    const float depth = std::sqrt(2.0f * static_cast<float>(std::max<std::uint32_t>(n_layer, 1)));
    if (name.ends_with("attn_output.weight"))
        return sd * kAttnOutFactor / depth;
    if (name.ends_with("ffn_down.weight"))
        return sd * kFfnDownFactor / depth;
    return sd;
}

} // namespace

WeightFiller::WeightFiller(std::uint64_t seed, std::string_view tensor_name, const std::vector<std::uint64_t>& shape,
                           std::uint32_t n_layer)
    : key_(mix(mix(seed) ^ fnv1a(tensor_name))), row_len_(shape.at(0))
{
    // Uniform on [-a, a] has variance a^2/3: a = sqrt(3) * standard deviation.
    const float sqrt3 = std::sqrt(3.0f);
    if (shape.size() >= 2) {
        half_width_ = sqrt3 * matrix_sd(tensor_name, row_len_, n_layer);
    } else if (tensor_name.ends_with("norm.weight")) {
        offset_ = 1.0f;
        half_width_ = 0.1f * sqrt3;
    } else if (tensor_name.ends_with("attn_output.bias") || tensor_name.ends_with("ffn_down.bias")) {
        half_width_ = 0.0f; // a constant added to every position's stream pulls all of them one way
    } else {
        half_width_ = 0.02f * sqrt3;
    }
}

void WeightFiller::row(std::uint64_t r, std::span<float> out) const
{
    const std::uint64_t base = r * row_len_;
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = at(base + i);
}

void encode_row(std::uint32_t dtype, std::span<const float> x, std::vector<std::byte>& out)
{
    const std::size_t start = out.size();
    switch (static_cast<DType>(dtype)) {
    case DType::F32:
        out.resize(start + x.size() * 4);
        std::memcpy(out.data() + start, x.data(), x.size() * 4); // little-endian hosts only
        return;
    case DType::F16:
    case DType::BF16: {
        out.resize(start + x.size() * 2);
        const bool f16 = static_cast<DType>(dtype) == DType::F16;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const std::uint16_t h = f16 ? f32_to_f16(x[i]) : f32_to_bf16(x[i]);
            std::memcpy(out.data() + start + 2 * i, &h, 2);
        }
        return;
    }
    case DType::Q8_0:
        out.resize(start + x.size() / kQuantBlockElems * kQ8_0BlockBytes);
        quantize_row_q8_0(x, std::span(out).subspan(start));
        return;
    case DType::Q4_0:
        out.resize(start + x.size() / kQuantBlockElems * kQ4_0BlockBytes);
        quantize_row_q4_0(x, std::span(out).subspan(start));
        return;
    default: // every other type quantize writes
        if (can_quantize(static_cast<DType>(dtype))) {
            const auto bytes = dtype_bytes(*dtype_info(dtype), x.size());
            if (!bytes)
                break;
            out.resize(start + *bytes);
            quantize_row(static_cast<DType>(dtype), x, std::span(out).subspan(start));
            return;
        }
        break;
    }
    throw std::invalid_argument("encode_row: unsupported type " + std::to_string(dtype));
}

} // namespace edge_rt::model
