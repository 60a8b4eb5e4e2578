#include "model/writer/weight_filler.hpp"

#include "core/dtype.hpp"
#include "core/half.hpp"
#include "core/quant.hpp"

#include <cmath>
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

} // namespace

WeightFiller::WeightFiller(std::uint64_t seed, std::string_view tensor_name, const std::vector<std::uint64_t>& shape)
    : key_(mix(mix(seed) ^ fnv1a(tensor_name))), row_len_(shape.at(0))
{
    // Uniform on [-a, a] has variance a^2/3: a = sqrt(3) * standard deviation.
    const float sqrt3 = std::sqrt(3.0f);
    if (shape.size() >= 2) {
        half_width_ = sqrt3 / std::sqrt(static_cast<float>(row_len_));
    } else if (tensor_name.ends_with("norm.weight")) {
        offset_ = 1.0f;
        half_width_ = 0.1f * sqrt3;
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
    }
    throw std::invalid_argument("encode_row: unsupported type " + std::to_string(dtype));
}

} // namespace edge_rt::model
