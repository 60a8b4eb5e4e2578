#include "model/hf_config.hpp"

#include "edge_rt/error.hpp"
#include "model/hf_json.hpp"
#include "model/rope_scaling.hpp"

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
            fail(fmt::format("key {} must be a positive integer, not {}", prefix_ + key, printable(v->dump())));
        return static_cast<std::uint32_t>(v->get<std::uint64_t>());
    }

    std::uint32_t count(const char* key) const
    {
        if (const auto v = opt_count(key))
            return *v;
        fail(fmt::format("missing key {}", prefix_ + key));
    }

    float positive(const char* key, double fallback) const
    {
        const auto* v = find(key);
        if (v == nullptr)
            return static_cast<float>(fallback);
        if (!v->is_number() || !(v->get<double>() > 0) || !std::isfinite(v->get<double>()))
            fail(fmt::format("key {} must be a positive number, not {}", prefix_ + key, printable(v->dump())));
        return static_cast<float>(v->get<double>());
    }

    bool flag(const char* key, bool fallback) const
    {
        const auto* v = find(key);
        if (v == nullptr)
            return fallback;
        if (!v->is_boolean())
            fail(fmt::format("key {} must be true or false, not {}", prefix_ + key, printable(v->dump())));
        return v->get<bool>();
    }

    std::string text(const char* key, const char* fallback) const
    {
        const auto* v = find(key);
        if (v == nullptr)
            return fallback;
        if (!v->is_string())
            fail(fmt::format("key {} must be a string, not {}", prefix_ + key, printable(v->dump())));
        return v->get<std::string>();
    }

    /// A positive number that must be there.
    double required_positive(const char* key) const
    {
        if (find(key) == nullptr)
            fail(fmt::format("missing key {}", prefix_ + key));
        return positive(key, 1.0);
    }

    /// The object under `key` (a nested config such as rope_scaling), keys prefixed in messages.
    std::optional<Keys> object(const char* key) const
    {
        const auto* v = find(key);
        if (v == nullptr)
            return std::nullopt;
        if (!v->is_object())
            fail(fmt::format("key {} must be an object, not {}", prefix_ + key, printable(v->dump())));
        return Keys(*v, path_, prefix_ + key + ".");
    }

private:
    Keys(const nlohmann::json& j, std::string path, std::string prefix)
        : j_(j), path_(std::move(path)), prefix_(std::move(prefix))
    {
    }

    const nlohmann::json& j_;
    std::string path_;
    std::string prefix_; // "rope_scaling." inside a nested object
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

// The shape keys Llama, Qwen2 and Phi configs share (transformers' names), and their rope:
// theta 1e4 by default, head halves rotated (HF checkpoints are not GGUF's permuted q/k).
void read_rotary_shape(const Keys& k, ModelConfig& c)
{
    c.n_embd = k.count("hidden_size");
    c.n_layer = k.count("num_hidden_layers");
    c.n_head = k.count("num_attention_heads");
    c.n_head_kv = k.opt_count("num_key_value_heads").value_or(c.n_head);
    c.n_ff = k.count("intermediate_size");
    c.n_ctx_train = k.count("max_position_embeddings");
    c.n_vocab = k.count("vocab_size");
    c.rope_freq_base = k.positive("rope_theta", 10000.0);
    c.rope_style = RopeStyle::Halves;
}

// LlamaConfig's keys and defaults (transformers): silu MLP, RMSNorm eps 1e-6, untied output.
HfConfig llama_config(const Keys& k)
{
    HfConfig h;
    ModelConfig& c = h.config;
    c.arch = Arch::Llama;
    read_rotary_shape(k, c);
    c.norm_eps = k.positive("rms_norm_eps", 1e-6);
    if (const auto act = k.text("hidden_act", "silu"); act != "silu")
        k.fail(fmt::format("key hidden_act is {}; only silu is supported", printable(act)));
    if (k.flag("attention_bias", false) || k.flag("mlp_bias", false))
        k.fail("keys attention_bias/mlp_bias ask for biases this runtime lacks");
    if (const auto hd = k.opt_count("head_dim"); hd && c.n_embd % c.n_head == 0 && *hd != c.n_embd / c.n_head)
        k.fail(fmt::format("key head_dim {} differs from hidden_size / num_attention_heads", *hd));
    h.tie_word_embeddings = k.flag("tie_word_embeddings", false);
    return h;
}

// Qwen2Config: Llama's layout with q/k/v biases; sliding-window attention is refused.
HfConfig qwen2_config(const Keys& k)
{
    HfConfig h = llama_config(k);
    h.config.arch = Arch::Qwen2;
    h.config.qkv_bias = true;
    if (k.flag("use_sliding_window", false))
        k.fail("key use_sliding_window is true; sliding-window attention is not supported");
    return h;
}

// PhiConfig (transformers' "phi", Phi-1/1.5/2): LayerNorm eps 1e-5, gelu_new, partial rotary
// factor 0.5 by default, untied output with a bias.
HfConfig phi_config(const Keys& k)
{
    HfConfig h;
    ModelConfig& c = h.config;
    c.arch = Arch::Phi2;
    read_rotary_shape(k, c);
    c.norm_eps = k.positive("layer_norm_eps", 1e-5);
    const auto act = k.text("hidden_act", "gelu_new");
    if (act != "gelu_new" && act != "gelu_pytorch_tanh")
        k.fail(fmt::format("key hidden_act is {}; only gelu_new and gelu_pytorch_tanh are supported", printable(act)));
    if (k.flag("qk_layernorm", false))
        k.fail("key qk_layernorm is true; normalised q/k are not supported");
    h.tie_word_embeddings = k.flag("tie_word_embeddings", false);
    return h;
}

// rope_scaling {rope_type (or type): llama3 | linear, factor, ...} as frequency factors.
void read_rope_scaling(const Keys& k, ModelConfig& c)
{
    const auto s = k.object("rope_scaling");
    if (!s)
        return;
    auto type = s->text("rope_type", "");
    if (type.empty())
        type = s->text("type", "");
    if (type == "default")
        return;
    const double factor = s->required_positive("factor");
    if (type == "linear") {
        c.rope_freq_factors = linear_rope_factors(factor, c.n_rot);
    } else if (type == "llama3") {
        Llama3RopeScaling l;
        l.factor = factor;
        l.low_freq_factor = s->required_positive("low_freq_factor");
        l.high_freq_factor = s->required_positive("high_freq_factor");
        l.original_context = s->required_positive("original_max_position_embeddings");
        if (!(l.high_freq_factor > l.low_freq_factor))
            k.fail("key rope_scaling.high_freq_factor must be above rope_scaling.low_freq_factor");
        c.rope_freq_factors = llama3_rope_factors(l, c.rope_freq_base, c.n_rot);
    } else {
        k.fail(fmt::format("key rope_scaling.rope_type is {}; only llama3 and linear are supported",
                           printable(type.empty() ? "missing" : type)));
    }
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
    else if (type == "qwen2")
        h = qwen2_config(k);
    else if (type == "phi")
        h = phi_config(k);
    else
        k.fail(fmt::format("unsupported model_type {} (supported: gpt2, llama, qwen2, phi)", printable(type)));
    ModelConfig& c = h.config;
    c.arch_name = type;
    if (c.n_head_kv == 0)
        c.n_head_kv = c.n_head;
    if (c.n_embd % c.n_head != 0 || c.n_head % c.n_head_kv != 0)
        k.fail(fmt::format("{} heads and {} kv heads do not divide the embedding size {}", c.n_head,
                           c.n_head_kv, c.n_embd));
    c.n_rot = c.head_dim();
    if (c.arch == Arch::Phi2) {
        // transformers: rotary_ndims = int(head_dim * partial_rotary_factor).
        const double partial = k.positive("partial_rotary_factor", 0.5);
        if (partial > 1.0)
            k.fail(fmt::format("key partial_rotary_factor {:.6g} is above 1", partial));
        c.n_rot = static_cast<std::uint32_t>(c.head_dim() * partial);
        if (c.n_rot == 0 || c.n_rot % 2 != 0)
            k.fail(fmt::format("key partial_rotary_factor {:.6g} gives {} rotary dimensions; an even number above 0 "
                               "is needed", partial, c.n_rot));
    }
    if (c.arch != Arch::Gpt2)
        read_rope_scaling(k, c);
    return h;
}

} // namespace edge_rt::model
