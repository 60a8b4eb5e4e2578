#include "writer/presets.hpp"

#include "edge_rt/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace edge_rt::model {
namespace {

struct Preset {
    const char* name;
    Arch arch;
    std::uint32_t n_embd, n_layer, n_head, n_head_kv, n_ff, n_vocab, n_ctx;
    float norm_eps;
};

// The published hyper-parameters of each model (GPT-2's feed-forward is 4 x n_embd).
constexpr Preset kPresets[] = {
    {"tinyllama-1.1b", Arch::Llama, 2048, 22, 32, 4, 5632, 32000, 2048, 1e-5f},
    {"llama-7b", Arch::Llama, 4096, 32, 32, 32, 11008, 32000, 4096, 1e-5f},
    {"stories15m", Arch::Llama, 288, 6, 6, 6, 768, 32000, 256, 1e-5f},
    {"stories110m", Arch::Llama, 768, 12, 12, 12, 2048, 32000, 1024, 1e-5f},
    {"gpt2-small", Arch::Gpt2, 768, 12, 12, 12, 3072, 50257, 1024, 1e-5f},
    {"gpt2-medium", Arch::Gpt2, 1024, 24, 16, 16, 4096, 50257, 1024, 1e-5f},
};

} // namespace

std::vector<std::string> preset_names()
{
    std::vector<std::string> names;
    for (const auto& p : kPresets)
        names.emplace_back(p.name);
    return names;
}

ModelConfig preset_config(std::string_view name)
{
    for (const auto& p : kPresets) {
        if (name != p.name)
            continue;
        ModelConfig c;
        c.arch = p.arch;
        c.arch_name = p.arch == Arch::Llama ? "llama" : "gpt2";
        c.name = fmt::format("synthetic {}", p.name);
        c.n_embd = p.n_embd;
        c.n_layer = p.n_layer;
        c.n_head = p.n_head;
        c.n_head_kv = p.n_head_kv;
        c.n_ff = p.n_ff;
        c.n_vocab = p.n_vocab;
        c.n_ctx_train = p.n_ctx;
        c.n_rot = p.n_embd / p.n_head;
        c.norm_eps = p.norm_eps;
        c.tied_output = p.arch == Arch::Gpt2;
        return c;
    }
    throw ConfigError(fmt::format("unknown preset '{}' (known: {})", name, fmt::join(preset_names(), ", ")));
}

} // namespace edge_rt::model
