// A Hugging Face model folder (config.json + model.safetensors, or a sharded checkpoint
// with model.safetensors.index.json) opened into the same ModelSource a GGUF file gives.
#include "edge_rt/error.hpp"
#include "model/hf_config.hpp"
#include "model/hf_json.hpp"
#include "model/hf_names.hpp"
#include "model/model_source.hpp"
#include "model/safetensors.hpp"
#include "model/safetensors_index.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <optional>
#include <set>

namespace edge_rt::model {
namespace {

// Builds the tensor table shard by shard, checking names, dtypes, shapes and the index.
class TableBuilder {
public:
    TableBuilder(const HfConfig& hf, const SafetensorsIndex* index)
        : config_(hf.config), names_(hf.config, !hf.tie_word_embeddings), index_(index), tied_(hf.tie_word_embeddings)
    {
    }

    void add_shard(const SafetensorsFile& shard)
    {
        const auto file_id = static_cast<std::uint32_t>(table_.files.size());
        table_.files.push_back(shard.path);
        for (const auto& [key, value] : shard.metadata)
            aliases_.push_back({key, value, shard.path});
        for (const auto& t : shard.tensors) {
            check_listed(shard, t.name, file_id);
            seen_.insert(t.name);
            if (const auto* spec = names_.find(t.name)) {
                add_tensor(shard, t, *spec, file_id);
                prefixed_ = prefixed_ || t.name.starts_with(names_.prefix());
            } else if (!names_.ignorable(t.name)) {
                fail(shard.path, fmt::format("unknown tensor {} for a {}-layer {} model", printable(t.name),
                                             config_.n_layer, config_.arch_name));
            }
        }
    }

    TensorTable finish(const std::string& weights_path)
    {
        if (index_ != nullptr)
            for (const auto& [name, shard] : index_->shard_of_tensor)
                if (!seen_.contains(name))
                    fail(index_->path, fmt::format("tensor {} is listed in shard {} but missing from it",
                                                   printable(name), index_->shards[shard].filename().string()));
        resolve_aliases();
        for (const auto& spec : names_.specs())
            if (spec.required && table_.find(spec.gguf_name) == nullptr)
                fail(weights_path, fmt::format("missing tensor {}{} ({} in GGUF naming)",
                                               spec.prefixable && prefixed_ ? names_.prefix() : "",
                                               spec.hf_name, spec.gguf_name));
        // Data order: the I/O layer reads each file front to back.
        std::sort(table_.tensors.begin(), table_.tensors.end(), [](const auto& a, const auto& b) {
            return a.file != b.file ? a.file < b.file : a.offset < b.offset;
        });
        return std::move(table_);
    }

private:
    struct Alias {
        std::string name, target, file; // __metadata__ {name: target} of `file`
    };

    // Tied weights saved once: safetensors' save_model drops duplicates and records
    // {dropped: kept} in __metadata__ (so a Llama may keep only lm_head.weight), and with
    // tie_word_embeddings a folder may hold lm_head.weight and no embedding. The missing
    // tensor then names the kept one's bytes.
    void resolve_aliases()
    {
        for (const auto& a : aliases_)
            for (const auto& [from, to] : {std::pair{&a.name, &a.target}, std::pair{&a.target, &a.name}})
                alias(*from, *to, a.file);
        if (tied_ && config_.arch != Arch::Gpt2)
            alias("embed_tokens.weight", "lm_head.weight", table_.files.empty() ? "" : table_.files.front());
    }

    // `missing` (a file name) becomes a second name of the tensor `present` names, when the
    // first is a tensor this model needs and not in the table, and the second is there.
    void alias(const std::string& missing, const std::string& present, const std::string& file)
    {
        const auto* want = names_.find(missing);
        const auto* have = names_.find(present);
        if (want == nullptr || have == nullptr || table_.find(want->gguf_name) != nullptr)
            return;
        const auto* t = table_.find(have->gguf_name);
        if (t == nullptr)
            return;
        if (t->shape != want->shape || t->transposed != want->conv1d)
            fail(file, fmt::format("tensor {} is saved as {} (__metadata__ or tied weights), whose shape [{}] is not "
                                   "its [{}]", printable(missing), printable(present), fmt::join(t->shape, ", "),
                                   fmt::join(want->shape, ", ")));
        TensorRef copy = *t;
        copy.name = want->gguf_name;
        table_.tensors.push_back(std::move(copy));
    }

    [[noreturn]] static void fail(const std::string& path, const std::string& what)
    {
        throw FormatError(fmt::format("{}: {}", path, what));
    }

    // With an index, each tensor must be where the index says, and nowhere else.
    void check_listed(const SafetensorsFile& shard, const std::string& name, std::uint32_t file_id) const
    {
        if (index_ == nullptr)
            return;
        const auto it = index_->shard_of_tensor.find(name);
        if (it == index_->shard_of_tensor.end())
            fail(shard.path, fmt::format("tensor {} is not in the weight_map of {}", printable(name), index_->path));
        if (it->second != file_id)
            fail(shard.path, fmt::format("tensor {} is here but {} places it in {}", printable(name),
                                         index_->path, index_->shards[it->second].filename().string()));
    }

    void add_tensor(const SafetensorsFile& shard, const SafetensorsTensor& t, const HfTensorSpec& spec,
                    std::uint32_t file_id)
    {
        const auto type = safetensors_ggml_type(t.dtype);
        if (!type)
            fail(shard.path, fmt::format("unsupported dtype {} in tensor {} (F32, F16 and BF16 are)", t.dtype,
                                         printable(t.name)));
        const auto expected = HfTensorNames::file_shape(spec);
        if (t.shape != expected)
            fail(shard.path, fmt::format("tensor {} has shape [{}], expected [{}] from config.json", printable(t.name),
                                         fmt::join(t.shape, ", "), fmt::join(expected, ", ")));
        if (const auto* prior = table_.find(spec.gguf_name))
            fail(shard.path, fmt::format("tensor {} appears twice (with and without the {} prefix?); "
                                         "first in {}", printable(t.name), names_.prefix(),
                                         table_.files[prior->file]));
        table_.tensors.push_back({spec.gguf_name, spec.shape, *type, file_id, shard.data_offset + t.begin,
                                  t.end - t.begin, spec.conv1d});
    }

    const ModelConfig& config_;
    HfTensorNames names_;
    const SafetensorsIndex* index_;
    TensorTable table_;
    std::set<std::string> seen_; // file names of tensors found in any shard
    bool prefixed_ = false;      // names carry transformer./model.: spell missing ones alike
    bool tied_;                  // tie_word_embeddings
    std::vector<Alias> aliases_;
};

std::string folder_name(const std::filesystem::path& dir)
{
    std::error_code ec;
    auto p = std::filesystem::absolute(dir, ec).lexically_normal();
    if (p.filename().empty())
        p = p.parent_path();
    return p.filename().string();
}

} // namespace

ModelSource open_safetensors_model(const std::filesystem::path& dir)
{
    ModelSource m;
    m.path = dir;
    m.format = FileFormat::Safetensors;
    const HfConfig hf = read_hf_config(dir / "config.json");
    const auto single = dir / "model.safetensors";
    const auto index_path = dir / "model.safetensors.index.json";
    std::error_code ec;
    std::optional<SafetensorsIndex> index;
    std::vector<std::filesystem::path> shards;
    if (std::filesystem::is_regular_file(single, ec)) { // transformers prefers the single file too
        shards.push_back(single);
    } else if (std::filesystem::exists(index_path, ec)) {
        index = read_safetensors_index(index_path);
        shards = index->shards;
    } else {
        throw FormatError(fmt::format("{}: no model.safetensors or model.safetensors.index.json", dir.string()));
    }
    TableBuilder builder(hf, index ? &*index : nullptr);
    for (const auto& shard : shards)
        builder.add_shard(read_safetensors(shard));
    m.tensors = builder.finish(index ? index->path : single.string());
    m.config = hf.config;
    m.config.name = folder_name(dir);
    // Tied when there is no head, or when the head is the embedding's bytes under a second name.
    const auto* head = m.tensors.find("output.weight");
    const auto* embd = m.tensors.find("token_embd.weight");
    m.config.tied_output = head == nullptr || (embd != nullptr && head->file == embd->file && head->offset == embd->offset);
    return m;
}

} // namespace edge_rt::model
