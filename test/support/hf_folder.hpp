// Hugging Face folders made from F32 GGUF files, for tests of the SafeTensors path: each
// tensor under transformers' name and PyTorch shape (transformers' modeling files). PyTorch
// Linear weights [out][in] hold the same bytes as GGML {in, out}; Llama's q/k rows are in the
// HF "halves" order, which convert_hf_to_gguf permutes into the interleaved pairs GGUF llama
// files hold, so they are permuted back here; qwen2 and phi GGUF files keep HF's order (NEOX).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace edge_rt::test {

struct HfTensor {
    std::string name;
    std::vector<std::uint64_t> shape; // PyTorch order
    std::vector<std::uint8_t> bytes;  // F32
};

/// GGUF name -> HF name for llama/qwen2 ("llama" tables) and phi models.
std::string hf_name(const std::string& gguf, const std::string& model_type);

/// Rows of each `head_dim`-row head from GGUF llama's interleaved pairs back to HF's halves.
std::vector<std::uint8_t> unpermute_rows(const std::vector<std::uint8_t>& in, std::size_t row_bytes,
                                         std::size_t head_dim);

/// Every tensor of the F32 GGUF `path` under its HF name and shape (fused q/k/v split in three,
/// rope_freqs left to config.json's rope_scaling).
std::vector<HfTensor> hf_tensors(const std::filesystem::path& path, const std::string& model_type,
                                 std::size_t head_dim);

/// A model.safetensors of `tensors` (F32), with __metadata__ format "pt" and `metadata`.
std::vector<std::uint8_t> safetensors_of(const std::vector<HfTensor>& tensors,
                                         const std::map<std::string, std::string>& metadata = {});

} // namespace edge_rt::test
