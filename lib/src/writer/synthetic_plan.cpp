// What a synthetic model holds: the preset's configuration, cut and re-vocabularied as asked,
// and its tensors named and shaped exactly as the architecture (GGUF) or Hugging Face's
// checkpoints (SafeTensors) have them.
#include "edge_rt/error.hpp"
#include "arch/architecture.hpp"
#include "model/hf_names.hpp"
#include "writer/presets.hpp"
#include "writer/synthetic_model.hpp"

#include <fmt/format.h>
#include <set>

namespace edge_rt::model {
namespace {

bool is_quantised(DType t) { return dtype_info(static_cast<std::uint32_t>(t))->block_elems > 1; }

// Vectors stay F32; quantised types only where a row is whole blocks (32 or 256 values).
std::uint32_t tensor_type(DType weight_type, const std::vector<std::uint64_t>& shape)
{
    if (shape.size() < 2)
        return static_cast<std::uint32_t>(DType::F32);
    if (shape[0] % dtype_info(static_cast<std::uint32_t>(weight_type))->block_elems != 0)
        return static_cast<std::uint32_t>(DType::F32);
    return static_cast<std::uint32_t>(weight_type);
}

std::vector<SyntheticTensor> gguf_tensors(const ModelConfig& c, DType weight_type)
{
    const auto arch = make_architecture(c);
    std::vector<SyntheticTensor> out;
    std::set<std::string> seen; // a tied output names token_embd.weight again
    for (const auto& group : arch->groups())
        for (const auto& w : group.weights)
            if (seen.insert(w.name).second)
                out.push_back({w.name, w.name, w.shape, tensor_type(weight_type, w.shape), false});
    return out;
}

std::vector<SyntheticTensor> safetensors_tensors(const ModelConfig& c, DType weight_type)
{
    const HfTensorNames names(c, !c.tied_output);
    std::vector<SyntheticTensor> out;
    for (const auto& s : names.specs()) {
        if (!s.required)
            continue;
        const std::string file_name = s.prefixable ? std::string(names.prefix()) + s.hf_name : s.hf_name;
        out.push_back({s.gguf_name, file_name, s.shape, tensor_type(weight_type, s.shape), s.conv1d});
    }
    return out;
}

} // namespace

DType parse_weight_type(const std::string& name)
{
    const std::pair<const char*, DType> types[] = {
        {"f32", DType::F32}, {"f16", DType::F16}, {"bf16", DType::BF16}, {"q8_0", DType::Q8_0}, {"q4_0", DType::Q4_0},
        {"q4_1", DType::Q4_1}, {"q5_0", DType::Q5_0}, {"q5_1", DType::Q5_1}, {"iq4_nl", DType::IQ4_NL},
        {"q2_k", DType::Q2_K}, {"q3_k", DType::Q3_K}, {"q4_k", DType::Q4_K}, {"q5_k", DType::Q5_K}, {"q6_k", DType::Q6_K}};
    for (const auto& [n, t] : types)
        if (name == n)
            return t;
    throw ConfigError(fmt::format("unknown weight type '{}' (expected f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl, q2_k, q3_k, q4_k, q5_k or q6_k)", name));
}

FileFormat parse_file_format(const std::string& name)
{
    if (name == "gguf")
        return FileFormat::Gguf;
    if (name == "safetensors")
        return FileFormat::Safetensors;
    throw ConfigError(fmt::format("unknown format '{}' (expected gguf or safetensors)", name));
}

SyntheticPlan plan_synthetic_model(const SyntheticOptions& o)
{
    SyntheticPlan p;
    p.config = o.custom ? *o.custom : preset_config(o.preset);
    ModelConfig& c = p.config;
    if (o.layers) {
        if (*o.layers == 0)
            throw ConfigError("--layers must be at least 1");
        if (*o.layers > c.n_layer)
            throw ConfigError(fmt::format("--layers {} is more than preset {} has ({})", *o.layers, o.preset,
                                          c.n_layer));
        c.n_layer = *o.layers;
    }
    const bool gguf = o.format == FileFormat::Gguf;
    if (!gguf && is_quantised(o.weight_type))
        throw ConfigError(fmt::format("SafeTensors holds f32, f16 or bf16 weights, not {} (use --format gguf)",
                                      dtype_name(static_cast<std::uint32_t>(o.weight_type))));
    if (o.vocab_size && *o.vocab_size < 260)
        throw ConfigError(fmt::format("vocabulary size {} is too small (at least 260: the byte tokens)", *o.vocab_size));
    if (o.vocab_from)
        p.vocab = gguf ? vocab_for_gguf(*o.vocab_from) : vocab_for_safetensors(*o.vocab_from);
    else if (gguf)
        p.vocab = synthetic_vocab(c.arch, o.vocab_size.value_or(c.n_vocab));
    else
        p.vocab = {o.vocab_size.value_or(c.n_vocab), {}, {}, "none (SafeTensors without --vocab-from)"};
    c.n_vocab = p.vocab.n_vocab;
    p.tensors = gguf ? gguf_tensors(c, o.weight_type) : safetensors_tensors(c, o.weight_type);
    for (const auto& t : p.tensors) {
        std::uint64_t n = 1;
        for (const auto d : t.shape)
            n *= d;
        p.weight_bytes += dtype_bytes(*dtype_info(t.dtype), n).value_or(0);
    }
    return p;
}

} // namespace edge_rt::model
