#include "model/model_source.hpp"

#include "core/dtype.hpp"
#include "edge_rt/error.hpp"
#include "io/file.hpp"
#include "model/rope_scaling.hpp"

#include <bit>
#include <cmath>
#include <fmt/format.h>
#include <limits>

namespace edge_rt::model {
namespace {

std::uint32_t as_u32(const GgufFile& f, const std::string& key, std::optional<std::uint64_t> v)
{
    if (!v)
        throw FormatError(fmt::format("{}: missing metadata key {}", f.path, key));
    if (*v == 0 || *v > std::numeric_limits<std::uint32_t>::max())
        throw FormatError(fmt::format("{}: metadata key {} has invalid value {}", f.path, key, *v));
    return static_cast<std::uint32_t>(*v);
}

// Llama 3's rope_freqs.weight: n_rot/2 F32 factors, read now (a few bytes every layer uses).
std::vector<float> read_rope_freqs(const GgufFile& f, const GgufTensorInfo& t, std::uint32_t n_rot)
{
    if (t.type != static_cast<std::uint32_t>(DType::F32) || t.shape.size() != 1 || t.shape[0] != n_rot / 2)
        throw FormatError(fmt::format("{}: tensor rope_freqs.weight must be F32 [{}] (n_rot/2), not {} with {} dims",
                                      f.path, n_rot / 2, dtype_name(t.type), t.shape.size()));
    std::vector<std::byte> bytes(n_rot / 2 * 4);
    io::File(f.path).read_exact(t.offset, bytes);
    std::vector<float> factors;
    for (std::size_t i = 0; i < bytes.size(); i += 4) {
        std::uint32_t u = 0;
        for (std::size_t b = 0; b < 4; ++b) // little-endian, as GGUF stores it
            u |= static_cast<std::uint32_t>(bytes[i + b]) << (8 * b);
        const float v = std::bit_cast<float>(u);
        if (!(v > 0.0f) || !std::isfinite(v))
            throw FormatError(fmt::format("{}: tensor rope_freqs.weight holds {}, not a positive factor", f.path, v));
        factors.push_back(v);
    }
    return factors;
}

// RoPE scaling: a rope_freqs tensor (Llama 3) or the rope.scaling.* keys (linear).
void rope_scaling_from_gguf(const GgufFile& f, const std::string& arch, ModelConfig& c)
{
    const auto type = f.get_string(arch + ".rope.scaling.type").value_or("none");
    double linear = 1.0;
    if (type == "linear") {
        const auto key = arch + ".rope.scaling.factor";
        const auto factor = f.get_float(key);
        if (!factor || !(*factor > 0) || !std::isfinite(*factor))
            throw FormatError(fmt::format("{}: rope scaling type linear needs a positive {}", f.path, key));
        linear = *factor;
    } else if (type != "none") {
        throw FormatError(fmt::format("{}: unsupported {}.rope.scaling.type {} (supported: none, linear; "
                                      "Llama 3 scaling comes as a rope_freqs.weight tensor)",
                                      f.path, arch, type));
    } else if (const auto legacy = f.get_float(arch + ".rope.scale_linear")) {
        if (!(*legacy > 0) || !std::isfinite(*legacy))
            throw FormatError(fmt::format("{}: {}.rope.scale_linear must be positive, not {}", f.path, arch, *legacy));
        linear = *legacy;
    }
    if (const auto* t = f.find_tensor("rope_freqs.weight")) {
        if (linear != 1.0)
            throw FormatError(fmt::format("{}: both rope_freqs.weight and linear RoPE scaling are set", f.path));
        c.rope_freq_factors = read_rope_freqs(f, *t, c.n_rot);
    } else if (linear != 1.0) {
        c.rope_freq_factors = linear_rope_factors(linear, c.n_rot);
    }
}

Arch arch_of(const GgufFile& f, const std::string& name)
{
    if (name == "llama")
        return Arch::Llama;
    if (name == "gpt2")
        return Arch::Gpt2;
    if (name == "qwen2")
        return Arch::Qwen2;
    if (name == "phi2")
        return Arch::Phi2;
    throw FormatError(
        fmt::format("{}: unsupported architecture {} (supported: llama, qwen2, phi2, gpt2)", f.path, name));
}

ModelConfig config_from_gguf(const GgufFile& f, const TensorTable& tensors)
{
    ModelConfig c;
    const auto arch = f.get_string("general.architecture");
    if (!arch)
        throw FormatError(fmt::format("{}: missing metadata key general.architecture", f.path));
    c.arch_name = *arch;
    c.arch = arch_of(f, *arch);
    c.name = f.get_string("general.name").value_or(std::filesystem::path(f.path).stem().string());
    const auto key = [&](const char* k) { return *arch + "." + k; };
    const auto u32 = [&](const char* k) { return as_u32(f, key(k), f.get_uint(key(k))); };
    c.n_embd = u32("embedding_length");
    c.n_layer = u32("block_count");
    c.n_head = u32("attention.head_count");
    c.n_ff = u32("feed_forward_length");
    c.n_ctx_train = u32("context_length");
    c.n_head_kv = f.find(key("attention.head_count_kv")) ? u32("attention.head_count_kv") : c.n_head;
    if (c.n_embd % c.n_head != 0 || c.n_head % c.n_head_kv != 0)
        throw FormatError(fmt::format("{}: {} heads and {} kv heads do not divide embedding length {}",
                                      f.path, c.n_head, c.n_head_kv, c.n_embd));
    c.n_rot = f.find(key("rope.dimension_count")) ? u32("rope.dimension_count") : c.head_dim();
    c.rope_freq_base = static_cast<float>(f.get_float(key("rope.freq_base")).value_or(10000.0));
    const bool rms = c.arch == Arch::Llama || c.arch == Arch::Qwen2;
    const char* eps_key = rms ? "attention.layer_norm_rms_epsilon" : "attention.layer_norm_epsilon";
    c.norm_eps = static_cast<float>(f.get_float(key(eps_key)).value_or(1e-5));
    if (f.find(key("vocab_size")))
        c.n_vocab = u32("vocab_size");
    else if (const auto* tokens = f.find("tokenizer.ggml.tokens"); tokens && tokens->as_array())
        c.n_vocab = static_cast<std::uint32_t>(tokens->as_array()->size());
    else if (const auto* embd = tensors.find("token_embd.weight"); embd && embd->shape.size() == 2)
        c.n_vocab = static_cast<std::uint32_t>(embd->shape[1]);
    else
        throw FormatError(fmt::format("{}: cannot tell the vocabulary size", f.path));
    c.tied_output = tensors.find("output.weight") == nullptr;
    // GGML's NEOX rope mode (qwen2, phi2) rotates head halves; llama files are permuted to pairs.
    c.rope_style = c.arch == Arch::Qwen2 || c.arch == Arch::Phi2 ? RopeStyle::Halves : RopeStyle::Interleaved;
    c.qkv_bias = c.arch == Arch::Qwen2;
    c.fused_qkv = c.arch == Arch::Phi2 && tensors.find("blk.0.attn_qkv.weight") != nullptr;
    if (c.arch != Arch::Gpt2)
        rope_scaling_from_gguf(f, *arch, c);
    return c;
}

} // namespace

ModelSource open_gguf_model(const std::filesystem::path& path)
{
    ModelSource m;
    m.path = path;
    m.format = FileFormat::Gguf;
    m.gguf = read_gguf(path);
    m.tensors.files.push_back(m.gguf->path);
    for (const auto& t : m.gguf->tensors)
        m.tensors.tensors.push_back({t.name, t.shape, t.type, 0, t.offset, t.nbytes, false});
    m.config = config_from_gguf(*m.gguf, m.tensors);
    return m;
}

ModelSource open_model(const std::filesystem::path& path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        return open_safetensors_model(path);
    if (path.extension() == ".safetensors" || path.filename() == "config.json")
        return open_safetensors_model(path.parent_path().empty() ? "." : path.parent_path());
    return open_gguf_model(path);
}

} // namespace edge_rt::model
