#include "model/hf_config.hpp"

#include "edge_rt/error.hpp"
#include "model/hf_json.hpp"

#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <optional>

namespace edge_rt::model {
namespace {

constexpr std::uint64_t kMaxConfigBytes = 4u << 20;
constexpr int kMaxConfigDepth = 32;

// Typed access to config.json keys; a JSON null counts as absent, as transformers treats it.
class Keys {
public:
    Keys(const nlohmann::json& j, std::string path) : j_(j), path_(std::move(path)) {}

    [[noreturn]] void fail(const std::string& what) const
    {
        throw FormatError(fmt::format("{}: {}", path_, what));
    }

    const nlohmann::json* find(const char* key) const
    {
        const auto it = j_.find(key);
        return it == j_.end() || it->is_null() ? nullptr : &*it;
    }

    std::optional<std::uint32_t> opt_count(const char* key) const
    {
        const auto* v = find(key);
        if (v == nullptr)
            return std::nullopt;
        if (!v->is_number_unsigned() || v->get<std::uint64_t>() == 0 ||
            v->get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max())
            fail(fmt::format("key {} must be a positive integer, not {}", key, printable(v->dump())));
        return static_cast<std::uint32_t>(v->get<std::uint64_t>());
    }

    std::uint32_t count(const char* key) const
    {
        if (const auto v = opt_count(key))
            return *v;
        fail(fmt::format("missing key {}", key));
    }

    float positive(const char* key, double fallback) const
    {
        const auto* v = find(key);
        if (v == nullptr)
            return static_cast<float>(fallback);
        if (!v->is_number() || !(v->get<double>() > 0) || !std::isfinite(v->get<double>()))
            fail(fmt::format("key {} must be a positive number, not {}", key, printable(v->dump())));
        return static_cast<float>(v->get<double>());
    }

    bool flag(const char* key, bool fallback) const
    {
        const auto* v = find(key);
        if (v == nullptr)
            return fallback;
        if (!v->is_boolean())
            fail(fmt::format("key {} must be true or false, not {}", key, printable(v->dump())));
        return v->get<bool>();
    }

    std::string text(const char* key, const char* fallback) const
    {
        const auto* v = find(key);
        if (v == nullptr)
            return fallback;
        if (!v->is_string())
            fail(fmt::format("key {} must be a string, not {}", key, printable(v->dump())));
        return v->get<std::string>();
    }

private:
    const nlohmann::json& j_;
    std::string path_;
};

// GPT2Config's keys and defaults (transformers): gelu_new, LayerNorm eps 1e-5, n_inner 4·n_embd.
HfConfig gpt2_config(const Keys& k)
{
    HfConfig h;
    ModelConfig& c = h.config;
    c.arch = Arch::Gpt2;
    c.n_embd = k.count("n_embd");
    c.n_layer = k.count("n_layer");
    c.n_head = k.count("n_head");
    c.n_vocab = k.count("vocab_size");
    if (const auto n = k.opt_count("n_positions"))
        c.n_ctx_train = *n;
    else if (const auto ctx = k.opt_count("n_ctx"))
        c.n_ctx_train = *ctx;
    else
        k.fail("missing key n_positions (or n_ctx)");
    if (c.n_embd > std::numeric_limits<std::uint32_t>::max() / 4)
        k.fail(fmt::format("key n_embd {} is too large", c.n_embd));
    c.n_ff = k.opt_count("n_inner").value_or(4 * c.n_embd);
    c.norm_eps = k.positive("layer_norm_epsilon", 1e-5);
    const auto act = k.text("activation_function", "gelu_new");
    if (act != "gelu_new" && act != "gelu_pytorch_tanh")
        k.fail(fmt::format("key activation_function is {}; only gelu_new and gelu_pytorch_tanh are supported",
                           printable(act)));
    if (!k.flag("scale_attn_weights", true) || k.flag("scale_attn_by_inverse_layer_idx", false))
        k.fail("keys scale_attn_weights/scale_attn_by_inverse_layer_idx ask for attention scaling this runtime lacks");
    h.tie_word_embeddings = k.flag("tie_word_embeddings", true);
    return h;
}

// LlamaConfig's keys and defaults (transformers): silu MLP, RMSNorm eps 1e-6, rope_theta 1e4,
// untied output. HF checkpoints rotate head halves, unlike GGUF's permuted q/k.
HfConfig llama_config(const Keys& k)
{
    HfConfig h;
    ModelConfig& c = h.config;
    c.arch = Arch::Llama;
    c.n_embd = k.count("hidden_size");
    c.n_layer = k.count("num_hidden_layers");
    c.n_head = k.count("num_attention_heads");
    c.n_head_kv = k.opt_count("num_key_value_heads").value_or(c.n_head);
    c.n_ff = k.count("intermediate_size");
    c.n_ctx_train = k.count("max_position_embeddings");
    c.n_vocab = k.count("vocab_size");
    c.norm_eps = k.positive("rms_norm_eps", 1e-6);
    c.rope_freq_base = k.positive("rope_theta", 10000.0);
    c.rope_style = RopeStyle::Halves;
    if (const auto act = k.text("hidden_act", "silu"); act != "silu")
        k.fail(fmt::format("key hidden_act is {}; only silu is supported", printable(act)));
    if (k.find("rope_scaling") != nullptr)
        k.fail("key rope_scaling is set; scaled RoPE is not supported");
    if (k.flag("attention_bias", false) || k.flag("mlp_bias", false))
        k.fail("keys attention_bias/mlp_bias ask for biases this runtime lacks");
    if (const auto hd = k.opt_count("head_dim"); hd && c.n_embd % c.n_head == 0 && *hd != c.n_embd / c.n_head)
        k.fail(fmt::format("key head_dim {} differs from hidden_size / num_attention_heads", *hd));
    h.tie_word_embeddings = k.flag("tie_word_embeddings", false);
    return h;
}

} // namespace

HfConfig read_hf_config(const std::filesystem::path& path)
{
    const nlohmann::json j = read_json_file(path, kMaxConfigBytes, kMaxConfigDepth);
    const Keys k(j, path.string());
    if (!j.is_object())
        k.fail(fmt::format("is a JSON {}, not an object", j.type_name()));
    const auto type = k.text("model_type", "");
    if (type.empty())
        k.fail("missing key model_type");
    HfConfig h;
    if (type == "gpt2")
        h = gpt2_config(k);
    else if (type == "llama")
        h = llama_config(k);
    else
        k.fail(fmt::format("unsupported model_type {} (supported: gpt2, llama)", printable(type)));
    ModelConfig& c = h.config;
    c.arch_name = type;
    if (c.n_head_kv == 0)
        c.n_head_kv = c.n_head;
    if (c.n_embd % c.n_head != 0 || c.n_head % c.n_head_kv != 0)
        k.fail(fmt::format("{} heads and {} kv heads do not divide the embedding size {}", c.n_head,
                           c.n_head_kv, c.n_embd));
    c.n_rot = c.head_dim();
    return h;
}

} // namespace edge_rt::model
