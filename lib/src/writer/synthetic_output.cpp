// Writing a synthetic model: GGUF metadata or config.json, then every tensor row by row, into
// a temporary name that is renamed into place once complete.
#include "edge_rt/error.hpp"
#include "model/hf_names.hpp"
#include "writer/gguf_hparams.hpp"
#include "writer/gguf_writer.hpp"
#include "writer/safetensors_writer.hpp"
#include "writer/synthetic_model.hpp"
#include "writer/weight_filler.hpp"

#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace fs = std::filesystem;

namespace edge_rt::model {
namespace {

// llama.cpp's general.file_type numbers for the types we write.
std::uint32_t file_type(DType t)
{
    switch (t) {
    case DType::F32: return 0;
    case DType::F16: return 1;
    case DType::Q4_0: return 2;
    case DType::Q8_0: return 7;
    case DType::BF16: return 32;
    case DType::Q4_1: return 3;
    case DType::Q5_0: return 8;
    case DType::Q5_1: return 9;
    case DType::Q2_K: return 10;
    case DType::Q3_K: return 11; // every matrix one K type: llama.cpp's MOSTLY_*_S are the nearest
    case DType::Q4_K: return 14;
    case DType::Q5_K: return 16;
    case DType::Q6_K: return 18;
    case DType::IQ4_NL: return 25;
    default: return 0; // gen-model writes only the types above
    }
}

void add_hparams(GgufWriter& w, const ModelConfig& c, const SyntheticOptions& o)
{
    w.add("general.architecture", gguf_string(gguf_arch_name(c)));
    w.add("general.name", gguf_string(c.name));
    w.add("general.file_type", gguf_u32(file_type(o.weight_type)));
    if (dtype_info(static_cast<std::uint32_t>(o.weight_type))->block_elems > 1)
        w.add("general.quantization_version", gguf_u32(2));
    for (auto& [key, value] : gguf_hparams(c))
        w.add(std::move(key), std::move(value));
    w.add("edge_rt.synthetic.preset", gguf_string(o.preset));
    w.add("edge_rt.synthetic.seed", gguf_u64(o.seed));
}

std::uint64_t elements(const std::vector<std::uint64_t>& shape)
{
    std::uint64_t n = 1;
    for (const auto d : shape)
        n *= d;
    return n;
}

// Streams one tensor's bytes, a row at a time, in the order the file stores them.
template <typename Writer>
void write_tensor(Writer& w, const SyntheticTensor& t, std::uint64_t seed, std::uint32_t n_layer)
{
    const WeightFiller fill(seed, t.gguf_name, t.shape, n_layer);
    const std::uint64_t cols = t.shape[0], rows = elements(t.shape) / cols;
    std::vector<float> row;
    std::vector<std::byte> bytes;
    if (t.conv1d) { // file row i holds column i of the GGML layout
        row.resize(rows);
        for (std::uint64_t i = 0; i < cols; ++i) {
            for (std::uint64_t j = 0; j < rows; ++j)
                row[j] = fill.at(j * cols + i);
            bytes.clear();
            encode_row(t.dtype, row, bytes);
            w.write(bytes);
        }
        return;
    }
    row.resize(cols);
    for (std::uint64_t r = 0; r < rows; ++r) {
        fill.row(r, row);
        bytes.clear();
        encode_row(t.dtype, row, bytes);
        w.write(bytes);
    }
}

void write_gguf(const SyntheticPlan& p, const SyntheticOptions& o, const fs::path& path)
{
    GgufWriter w(path);
    add_hparams(w, p.config, o);
    for (const auto& [key, value] : p.vocab.gguf_metadata)
        w.add(key, value);
    for (const auto& t : p.tensors)
        w.add_tensor(t.gguf_name, t.shape, t.dtype);
    w.write_header();
    for (const auto& t : p.tensors)
        write_tensor(w, t, o.seed, p.config.n_layer);
    w.finish();
}

nlohmann::ordered_json hf_config(const ModelConfig& c, DType t)
{
    const char* dtype = t == DType::F16 ? "float16" : t == DType::BF16 ? "bfloat16" : "float32";
    if (c.arch == Arch::Gpt2)
        return {{"architectures", {"GPT2LMHeadModel"}}, {"model_type", "gpt2"}, {"n_embd", c.n_embd},
                {"n_layer", c.n_layer}, {"n_head", c.n_head}, {"n_inner", c.n_ff}, {"n_positions", c.n_ctx_train},
                {"n_ctx", c.n_ctx_train}, {"vocab_size", c.n_vocab}, {"layer_norm_epsilon", c.norm_eps},
                {"activation_function", "gelu_new"}, {"tie_word_embeddings", true}, {"torch_dtype", dtype}};
    return {{"architectures", {"LlamaForCausalLM"}}, {"model_type", "llama"}, {"hidden_size", c.n_embd},
            {"num_hidden_layers", c.n_layer}, {"num_attention_heads", c.n_head},
            {"num_key_value_heads", c.n_head_kv}, {"intermediate_size", c.n_ff},
            {"max_position_embeddings", c.n_ctx_train}, {"vocab_size", c.n_vocab}, {"rms_norm_eps", c.norm_eps},
            {"rope_theta", c.rope_freq_base}, {"hidden_act", "silu"}, {"tie_word_embeddings", false},
            {"torch_dtype", dtype}};
}

const char* safetensors_dtype(std::uint32_t t)
{
    switch (static_cast<DType>(t)) {
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    default: return "F32";
    }
}

void write_safetensors(const SyntheticPlan& p, const SyntheticOptions& o, const fs::path& dir)
{
    fs::create_directory(dir);
    {
        std::ofstream cfg(dir / "config.json");
        cfg << hf_config(p.config, o.weight_type).dump(2) << '\n';
        if (!cfg.flush())
            throw IoError(fmt::format("{}: write failed", (dir / "config.json").string()));
    }
    for (const auto& f : p.vocab.files)
        fs::copy_file(f, dir / f.filename());
    SafetensorsWriter w(dir / "model.safetensors");
    w.add_metadata("format", "pt");
    w.add_metadata("edge_rt.synthetic", fmt::format("preset {} seed {}", o.preset, o.seed));
    for (const auto& t : p.tensors) {
        auto shape = t.conv1d ? t.shape : std::vector<std::uint64_t>(t.shape.rbegin(), t.shape.rend());
        w.add_tensor(t.file_name, safetensors_dtype(t.dtype), std::move(shape));
    }
    w.write_header();
    for (const auto& t : p.tensors)
        write_tensor(w, t, o.seed, p.config.n_layer);
    w.finish();
}

void check_output(const SyntheticOptions& o)
{
    if (o.output.empty())
        throw ConfigError("no output path given (-o PATH)");
    std::error_code ec;
    const auto st = fs::status(o.output, ec);
    if (o.format == FileFormat::Gguf && fs::is_directory(st))
        throw ConfigError(fmt::format("{}: is a directory; a GGUF model is one file", o.output.string()));
    if (o.format == FileFormat::Safetensors && fs::exists(st) && !(fs::is_directory(st) && fs::is_empty(o.output, ec)))
        throw ConfigError(fmt::format("{}: already exists; a SafeTensors model goes into a new (or empty) folder",
                                      o.output.string()));
}

} // namespace

SyntheticPlan write_synthetic_model(const SyntheticOptions& o)
{
    check_output(o);
    SyntheticPlan p = plan_synthetic_model(o);
    const fs::path out = o.output;
    const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
    const fs::path tmp = parent / fmt::format(".{}.tmp-{}", out.filename().string(), ::getpid());
    try {
        if (o.format == FileFormat::Gguf)
            write_gguf(p, o, tmp);
        else
            write_safetensors(p, o, tmp);
        fs::rename(tmp, out);
    } catch (const fs::filesystem_error& e) {
        std::error_code ec;
        fs::remove_all(tmp, ec);
        throw IoError(fmt::format("{}: {}", e.path1().string(), e.code().message()));
    } catch (...) {
        std::error_code ec;
        fs::remove_all(tmp, ec);
        throw;
    }
    return p;
}

} // namespace edge_rt::model
