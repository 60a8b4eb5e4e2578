// edge_rt::read_model_header and edge_rt::summarize_gguf (edge_rt/inspect.hpp): a model's
// headers as public structs.
#include "edge_rt/inspect.hpp"

#include "core/dtype.hpp"
#include "model/summary.hpp"
#include "toolkit/convert.hpp"

#include <algorithm>

namespace edge_rt {
namespace toolkit {

ModelHeader model_header(const model::ModelSource& src)
{
    ModelHeader h;
    h.path = src.path.string();
    h.format = src.format == model::FileFormat::Gguf ? "gguf" : "safetensors";
    const auto& c = src.config;
    h.hyper = HyperParameters{c.arch_name, c.name, c.n_vocab, c.n_embd, c.n_layer, c.n_head, c.n_head_kv,
                              c.head_dim(), c.n_ff, c.n_ctx_train, c.n_rot, c.rope_freq_base, c.norm_eps,
                              c.tied_output};
    h.tensor_count = src.tensors.tensors.size();
    std::map<std::uint32_t, std::uint64_t> bytes_by_dtype; // ordered by type id: ties go to the lower id
    for (const auto& t : src.tensors.tensors) {
        h.parameters += t.elements();
        h.weight_bytes += t.nbytes;
        bytes_by_dtype[t.dtype] += t.nbytes;
        h.bytes_by_type[dtype_name(t.dtype)] += t.nbytes;
    }
    const auto most = std::max_element(bytes_by_dtype.begin(), bytes_by_dtype.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    if (most != bytes_by_dtype.end())
        h.main_type = dtype_name(most->first);
    if (src.gguf) {
        h.bos_id = src.gguf->get_uint("tokenizer.ggml.bos_token_id");
        h.eos_id = src.gguf->get_uint("tokenizer.ggml.eos_token_id");
    }
    return h;
}

} // namespace toolkit

ModelHeader read_model_header(const std::filesystem::path& model)
{
    return toolkit::model_header(model::open_model(model));
}

GgufSummary summarize_gguf(const std::filesystem::path& file)
{
    return model::summarize(model::read_gguf(file));
}

} // namespace edge_rt
