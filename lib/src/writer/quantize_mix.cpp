#include "writer/quantize_mix.hpp"

#include <charconv>

namespace edge_rt::quantize {
namespace {

constexpr Recipe kRecipes[] = {
    {"q8_0", DType::Q8_0, 7},   {"q4_0", DType::Q4_0, 2},   {"q2_k", DType::Q2_K, 10}, {"q3_k_m", DType::Q3_K, 12},
    {"q4_k_m", DType::Q4_K, 15}, {"q5_k_m", DType::Q5_K, 17}, {"q6_k", DType::Q6_K, 18},
};

bool ends_with(std::string_view s, std::string_view tail) { return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail; }
bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// The N of "blk.N.", or -1.
int layer_of(std::string_view name)
{
    if (name.substr(0, 4) != "blk.")
        return -1;
    int n = -1;
    const auto r = std::from_chars(name.data() + 4, name.data() + name.size(), n);
    return r.ec == std::errc{} ? n : -1;
}

// llama.cpp's use_more_bits: the first and last eighth of the layers, and every third between.
bool use_more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

bool is_k_type(DType t)
{
    return t == DType::Q2_K || t == DType::Q3_K || t == DType::Q4_K || t == DType::Q5_K || t == DType::Q6_K;
}

DType recipe_choice(const Recipe& r, std::string_view name, std::uint64_t ne0, const ModelShape& s)
{
    const std::string_view t = r.name;
    const int i = layer_of(name), n = static_cast<int>(s.n_layer);
    if (name == "output.weight" || (!s.has_output && name == "token_embd.weight")) {
        if (ne0 % 256 != 0)
            return DType::Q8_0;
        return r.base == DType::Q8_0 ? DType::Q8_0 : DType::Q6_K;
    }
    if (contains(name, "attn_v.weight")) {
        if (t == "q2_k")
            return s.n_gqa >= 4 ? DType::Q4_K : DType::Q3_K;
        if (t == "q3_k_m")
            return i < 2 ? DType::Q5_K : DType::Q4_K;
        if ((t == "q4_k_m" || t == "q5_k_m") && use_more_bits(i, n))
            return DType::Q6_K;
        return r.base;
    }
    if (contains(name, "ffn_down")) {
        if (t == "q2_k")
            return DType::Q3_K;
        if (t == "q3_k_m")
            return i < n / 16 ? DType::Q5_K : DType::Q4_K;
        if ((t == "q4_k_m" || t == "q5_k_m") && use_more_bits(i, n))
            return DType::Q6_K;
        return r.base;
    }
    if (contains(name, "attn_output.weight")) {
        if (t == "q2_k")
            return DType::Q3_K;
        if (t == "q3_k_m")
            return DType::Q4_K;
        return r.base;
    }
    if (contains(name, "attn_qkv.weight")) {
        if (t == "q3_k_m")
            return DType::Q4_K;
        if (t == "q4_k_m")
            return DType::Q5_K;
        if (t == "q5_k_m")
            return DType::Q6_K;
    }
    return r.base;
}

} // namespace

std::optional<Recipe> find_recipe(std::string_view name)
{
    for (const Recipe& r : kRecipes)
        if (r.name == name)
            return r;
    return std::nullopt;
}

std::vector<std::string> recipe_names()
{
    std::vector<std::string> v;
    for (const Recipe& r : kRecipes)
        v.emplace_back(r.name);
    return v;
}

bool is_quantized(std::string_view name, std::size_t n_dims)
{
    return n_dims >= 2 && ends_with(name, "weight") && !contains(name, "_norm.weight") &&
           !contains(name, "ffn_gate_inp.weight") && name != "position_embd.weight" && name != "token_types.weight";
}

DType tensor_type(const Recipe& recipe, std::string_view name, std::uint64_t ne0, const ModelShape& shape)
{
    DType t = recipe_choice(recipe, name, ne0, shape);
    if (is_k_type(t) && ne0 % 256 != 0) { // llama.cpp's fallbacks for rows of partial super-blocks
        switch (t) {
        case DType::Q4_K: t = DType::Q5_0; break;
        case DType::Q5_K: t = DType::Q5_1; break;
        case DType::Q6_K: t = DType::Q8_0; break;
        default: t = DType::IQ4_NL; break; // Q2_K, Q3_K
        }
    }
    if (ne0 % 32 != 0)
        t = DType::F16;
    return t;
}

} // namespace edge_rt::quantize
