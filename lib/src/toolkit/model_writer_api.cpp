// edge_rt::write_synthetic_model (edge_rt/model_writer.hpp) over writer/. The writer stays
// in the library: it is built from the format and architecture definitions (tensor specs,
// GGUF value types, quantisers, tokenizer tables) that live here.
#include "edge_rt/model_writer.hpp"

#include "writer/presets.hpp"
#include "writer/synthetic_model.hpp"

namespace edge_rt {

std::vector<std::string> synthetic_model_presets()
{
    return model::preset_names();
}

SyntheticModelInfo write_synthetic_model(const SyntheticModelOptions& o)
{
    model::SyntheticOptions options;
    options.preset = o.preset;
    options.weight_type = model::parse_weight_type(o.weight_type);
    options.format = model::parse_file_format(o.format);
    options.layers = o.layers;
    options.vocab_from = o.vocab_from;
    options.seed = o.seed;
    options.output = o.output;
    const auto plan = model::write_synthetic_model(options);
    const auto& c = plan.config;
    return SyntheticModelInfo{dtype_name(static_cast<std::uint32_t>(options.weight_type)), c.n_layer, c.n_embd,
                              c.n_vocab, plan.tensors.size(), plan.weight_bytes, plan.vocab.description};
}

} // namespace edge_rt
