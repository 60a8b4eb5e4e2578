// A Hugging Face folder as quantize's source: the runtime's own SafeTensors loader validates
// it (config.json, dtypes, shapes, byte ranges), then the tensors are listed in GGUF order with
// the layout convert_hf_to_gguf.py would give them, and config.json plus the tokenizer files
// become GGUF metadata, so the output runs with no folder beside it.
#include "edge_rt/error.hpp"
#include "model/hf_names.hpp"
#include "model/model_source.hpp"
#include "tokenizer/hf_tokenizer_config.hpp"
#include "tokenizer/tokenizer.hpp"
#include "writer/gguf_hparams.hpp"
#include "writer/gguf_writer.hpp"
#include "writer/quantize_source.hpp"
#include "writer/vocab_source.hpp"

#include <cstring>
#include <fmt/format.h>

namespace edge_rt::quantize {
namespace {

namespace fs = std::filesystem;
using model::Arch;
using model::ModelConfig;

// The runtime's HF path rotates q/k head halves; GGUF llama files rotate adjacent pairs
// (llama.cpp's converter permutes the rows), so the rows are reordered here. Qwen2 and Phi-2
// GGUF files use GGML's NEOX rope, which rotates halves: their rows stay as they are.
bool permuted(const ModelConfig& c, const std::string& name)
{
    return c.arch == Arch::Llama && (name.ends_with("attn_q.weight") || name.ends_with("attn_k.weight"));
}

// Llama 3 (per-pair) rope scaling has no GGUF key: llama.cpp files carry the factors as an F32
// rope_freqs.weight tensor, which the runtime's GGUF path reads back.
void add_rope_freqs(const ModelConfig& c, Source& s)
{
    if (c.rope_freq_factors.empty() || model::linear_rope_factor(c))
        return;
    const std::uint64_t n = c.rope_freq_factors.size();
    SourceTensor t{"rope_freqs.weight", {n}, static_cast<std::uint32_t>(DType::F32), 0, 0, 4 * n, Layout::Rows, 0, {}};
    t.data.resize(t.nbytes);
    std::memcpy(t.data.data(), c.rope_freq_factors.data(), t.nbytes);
    s.tensors.push_back(std::move(t));
}

void add_tensors(const model::ModelSource& m, Source& s)
{
    const ModelConfig& c = m.config;
    const model::HfTensorNames names(c, !c.tied_output);
    add_rope_freqs(c, s);
    for (const auto& spec : names.specs()) {
        const auto* t = m.tensors.find(spec.gguf_name);
        // A tied head is the embedding: GGUF files leave output.weight out.
        if (t == nullptr || (c.tied_output && spec.gguf_name == "output.weight"))
            continue;
        SourceTensor out{t->name, t->shape, t->dtype, t->file, t->offset, t->nbytes, Layout::Rows, 0, {}};
        if (t->transposed) {
            out.layout = Layout::Transposed;
        } else if (permuted(c, t->name)) {
            out.layout = Layout::HeadHalves;
            out.head_dim = c.head_dim();
        }
        s.tensors.push_back(std::move(out));
    }
}

// The folder's tokenizer, as `run -m FOLDER` loads it, in GGUF form; nothing when the folder
// has no tokenizer files (the output then runs with --prompt-ids, as the folder does).
void add_tokenizer(const fs::path& dir, const ModelConfig& c, Source& s)
{
    bool any = false;
    for (const char* name : {"tokenizer.json", "vocab.json", "merges.txt", "encoder.json", "vocab.bpe",
                             "tokenizer.model", "tokenizer.bin"})
        any = any || fs::exists(dir / name);
    if (!any)
        return;
    const auto tokenizer = model::load_tokenizer(dir);
    const auto vocab = model::vocab_of_tokenizer(*tokenizer, c.n_vocab);
    s.metadata.insert(s.metadata.end(), vocab.gguf_metadata.begin(), vocab.gguf_metadata.end());
    if (auto text = model::folder_chat_template(dir))
        s.metadata.emplace_back("tokenizer.chat_template", model::gguf_string(std::move(*text)));
}

} // namespace

Source open_hf_source(const fs::path& dir)
{
    const model::ModelSource m = model::open_safetensors_model(dir);
    const ModelConfig& c = m.config;
    Source s;
    s.files = m.tensors.files;
    for (const auto& f : s.files)
        s.input_bytes += fs::file_size(f);
    s.metadata.emplace_back("general.architecture", model::gguf_string(model::gguf_arch_name(c)));
    s.metadata.emplace_back("general.name", model::gguf_string(c.name));
    for (auto& kv : model::gguf_hparams(c))
        s.metadata.push_back(std::move(kv));
    add_tokenizer(dir, c, s);
    add_tensors(m, s);
    s.shape.n_layer = c.n_layer;
    s.shape.n_gqa = c.n_head / c.n_head_kv;
    s.shape.has_output = !c.tied_output;
    return s;
}

} // namespace edge_rt::quantize
