#include "hf_folder.hpp"

#include "model/gguf.hpp"
#include "safetensors_builder.hpp"
#include "temp_dir.hpp"

#include <cstring>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <regex>

namespace edge_rt::test {

std::string hf_name(const std::string& gguf, const std::string& model_type)
{
    static const std::map<std::string, std::string> llama{
        {"token_embd.weight", "model.embed_tokens.weight"},
        {"output_norm.weight", "model.norm.weight"},
        {"output.weight", "lm_head.weight"},
        {"attn_norm.weight", "input_layernorm.weight"},
        {"attn_q.weight", "self_attn.q_proj.weight"},
        {"attn_k.weight", "self_attn.k_proj.weight"},
        {"attn_v.weight", "self_attn.v_proj.weight"},
        {"attn_q.bias", "self_attn.q_proj.bias"},
        {"attn_k.bias", "self_attn.k_proj.bias"},
        {"attn_v.bias", "self_attn.v_proj.bias"},
        {"attn_output.weight", "self_attn.o_proj.weight"},
        {"ffn_norm.weight", "post_attention_layernorm.weight"},
        {"ffn_gate.weight", "mlp.gate_proj.weight"},
        {"ffn_up.weight", "mlp.up_proj.weight"},
        {"ffn_down.weight", "mlp.down_proj.weight"}};
    static const std::map<std::string, std::string> phi{
        {"token_embd.weight", "model.embed_tokens.weight"},
        {"output_norm.weight", "model.final_layernorm.weight"},
        {"output_norm.bias", "model.final_layernorm.bias"},
        {"output.weight", "lm_head.weight"},
        {"output.bias", "lm_head.bias"},
        {"attn_norm.weight", "input_layernorm.weight"},
        {"attn_norm.bias", "input_layernorm.bias"},
        {"attn_q.weight", "self_attn.q_proj.weight"},
        {"attn_q.bias", "self_attn.q_proj.bias"},
        {"attn_k.weight", "self_attn.k_proj.weight"},
        {"attn_k.bias", "self_attn.k_proj.bias"},
        {"attn_v.weight", "self_attn.v_proj.weight"},
        {"attn_v.bias", "self_attn.v_proj.bias"},
        {"attn_output.weight", "self_attn.dense.weight"},
        {"attn_output.bias", "self_attn.dense.bias"},
        {"ffn_up.weight", "mlp.fc1.weight"},
        {"ffn_up.bias", "mlp.fc1.bias"},
        {"ffn_down.weight", "mlp.fc2.weight"},
        {"ffn_down.bias", "mlp.fc2.bias"}};
    const auto& table = model_type == "phi" ? phi : llama;
    std::smatch m;
    static const std::regex block(R"(blk\.(\d+)\.(.*))");
    if (std::regex_match(gguf, m, block))
        return fmt::format("model.layers.{}.{}", m[1].str(), table.at(m[2].str()));
    return table.at(gguf);
}

// Rows of each `head_dim`-row head from GGUF llama's interleaved pairs back to HF's halves:
// HF row p is GGUF row 2p and HF row p + head_dim/2 is GGUF row 2p+1.
std::vector<std::uint8_t> unpermute_rows(const std::vector<std::uint8_t>& in, std::size_t row_bytes,
                                         std::size_t head_dim)
{
    std::vector<std::uint8_t> out(in.size());
    const std::size_t rows = in.size() / row_bytes;
    for (std::size_t h = 0; h < rows / head_dim; ++h)
        for (std::size_t p = 0; p < head_dim / 2; ++p)
            for (std::size_t k = 0; k < 2; ++k)
                std::memcpy(&out[(h * head_dim + p + k * head_dim / 2) * row_bytes],
                            &in[(h * head_dim + 2 * p + k) * row_bytes], row_bytes);
    return out;
}

// Every tensor of the F32 GGUF `path` under its HF name and shape (fused q/k/v split in three,
// rope_freqs left to config.json's rope_scaling).
std::vector<HfTensor> hf_tensors(const std::filesystem::path& path, const std::string& model_type,
                                 std::size_t head_dim)
{
    const auto gguf = model::read_gguf(path);
    const auto file = read_file(path);
    std::vector<HfTensor> out;
    for (const auto& t : gguf.tensors) {
        EXPECT_EQ(t.type, 0u) << t.name << " is not F32";
        std::vector<std::uint8_t> bytes(file.begin() + static_cast<std::ptrdiff_t>(t.offset),
                                        file.begin() + static_cast<std::ptrdiff_t>(t.offset + t.nbytes));
        const std::vector<std::uint64_t> shape(t.shape.rbegin(), t.shape.rend());
        if (t.name == "rope_freqs.weight")
            continue;
        if (const auto pos = t.name.find("attn_qkv"); pos != std::string::npos) {
            const std::size_t third = bytes.size() / 3;
            const char* parts[] = {"attn_q", "attn_k", "attn_v"};
            for (std::size_t k = 0; k < 3; ++k) {
                auto s = shape;
                s.front() /= 3;
                const auto name = t.name.substr(0, pos) + parts[k] + t.name.substr(pos + 8);
                out.push_back({hf_name(name, model_type), s,
                               {bytes.begin() + static_cast<std::ptrdiff_t>(k * third),
                                bytes.begin() + static_cast<std::ptrdiff_t>((k + 1) * third)}});
            }
            continue;
        }
        const bool qk = t.name.ends_with("attn_q.weight") || t.name.ends_with("attn_k.weight");
        if (model_type == "llama" && qk)
            bytes = unpermute_rows(bytes, t.shape[0] * 4, head_dim);
        out.push_back({hf_name(t.name, model_type), shape, std::move(bytes)});
    }
    return out;
}

std::vector<std::uint8_t> safetensors_of(const std::vector<HfTensor>& tensors,
                                         const std::map<std::string, std::string>& metadata)
{
    SafetensorsBuilder b;
    b.metadata("format", "pt");
    for (const auto& [k, v] : metadata)
        b.metadata(k, v);
    for (const auto& t : tensors)
        b.tensor(t.name, "F32", t.shape, t.bytes);
    return b.build();
}

} // namespace edge_rt::test
