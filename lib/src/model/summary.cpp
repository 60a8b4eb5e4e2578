#include "model/summary.hpp"

#include "core/dtype.hpp"
#include "edge_rt/error.hpp"

#include <fmt/format.h>

namespace edge_rt::model {
namespace {

// "blk.12.attn_q.weight" -> 12; tensors outside the blocks -> nullopt.
std::optional<std::uint64_t> block_index(const std::string& name)
{
    if (name.rfind("blk.", 0) != 0)
        return std::nullopt;
    std::uint64_t n = 0;
    std::size_t i = 4;
    for (; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i)
        n = n * 10 + static_cast<std::uint64_t>(name[i] - '0');
    if (i == 4 || i >= name.size() || name[i] != '.')
        return std::nullopt;
    return n;
}

bool is_output_tensor(const std::string& name)
{
    return name.rfind("output", 0) == 0;
}

} // namespace

ModelSummary summarize(const GgufFile& f)
{
    ModelSummary s;
    const auto arch = f.get_string("general.architecture");
    if (!arch)
        throw FormatError(fmt::format("{}: no general.architecture key: not a model file", f.path));
    s.path = f.path;
    s.version = f.version;
    s.file_size = f.file_size;
    s.alignment = f.alignment;
    s.architecture = *arch;
    s.name = f.get_string("general.name").value_or("");
    const auto key = [&](const char* k) { return fmt::format("{}.{}", *arch, k); };
    s.context_length = f.get_uint(key("context_length"));
    s.embedding_length = f.get_uint(key("embedding_length"));
    s.block_count = f.get_uint(key("block_count"));
    s.feed_forward_length = f.get_uint(key("feed_forward_length"));
    s.head_count = f.get_uint(key("attention.head_count"));
    s.head_count_kv = f.get_uint(key("attention.head_count_kv"));
    s.rope_freq_base = f.get_float(key("rope.freq_base"));
    s.norm_eps = f.get_float(key("attention.layer_norm_rms_epsilon"));
    if (!s.norm_eps)
        s.norm_eps = f.get_float(key("attention.layer_norm_epsilon"));
    if (const auto* tokens = f.find("tokenizer.ggml.tokens"); tokens && tokens->as_array())
        s.vocab_size = tokens->as_array()->size();
    s.tensor_count = f.tensors.size();
    s.header_bytes = f.header_bytes;

    const std::uint64_t n_blocks = s.block_count.value_or(0);
    std::vector<LayerSummary> blocks(n_blocks);
    for (std::uint64_t i = 0; i < n_blocks; ++i)
        blocks[i].name = fmt::format("blk.{}", i);
    LayerSummary embeddings{"embeddings", 0, 0, {}};
    LayerSummary output{"output", 0, 0, {}};
    for (const auto& t : f.tensors) {
        LayerSummary* target = &embeddings;
        if (const auto b = block_index(t.name)) {
            if (*b >= n_blocks)
                throw FormatError(fmt::format("{}: tensor {} names block {}, but the model has {} blocks",
                                              f.path, t.name, *b, n_blocks));
            target = &blocks[*b];
        } else if (is_output_tensor(t.name)) {
            target = &output;
        }
        const std::string type = dtype_name(t.type);
        target->bytes += t.nbytes;
        target->tensors += 1;
        target->bytes_by_type[type] += t.nbytes;
        s.bytes_by_type[type] += t.nbytes;
        s.weight_bytes += t.nbytes;
    }
    s.layers.push_back(std::move(embeddings));
    for (auto& b : blocks)
        s.layers.push_back(std::move(b));
    s.layers.push_back(std::move(output));
    return s;
}

} // namespace edge_rt::model
