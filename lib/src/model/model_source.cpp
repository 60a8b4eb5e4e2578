#include "model/model_source.hpp"

#include "edge_rt/error.hpp"

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

ModelConfig config_from_gguf(const GgufFile& f, const TensorTable& tensors)
{
    ModelConfig c;
    const auto arch = f.get_string("general.architecture");
    if (!arch)
        throw FormatError(fmt::format("{}: missing metadata key general.architecture", f.path));
    c.arch_name = *arch;
    if (*arch == "llama")
        c.arch = Arch::Llama;
    else if (*arch == "gpt2")
        c.arch = Arch::Gpt2;
    else
        throw FormatError(fmt::format("{}: unsupported architecture {} (supported: llama, gpt2)", f.path, *arch));
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
    const char* eps_key = c.arch == Arch::Llama ? "attention.layer_norm_rms_epsilon" : "attention.layer_norm_epsilon";
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
