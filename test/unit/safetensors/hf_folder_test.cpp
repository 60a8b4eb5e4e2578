// Hugging Face folders written by the tests: GPT-2 with and without the transformer.
// prefix, Llama (F32/F16/BF16, tied or not, with or without the model. prefix), sharded
// checkpoints, and the errors each kind of broken folder must give.
#include "core/dtype.hpp"
#include "edge_rt/error.hpp"
#include "io/file.hpp"
#include "model/model_source.hpp"
#include "safetensors_builder.hpp"
#include "st_test_support.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace edge_rt;
using ::testing::AllOf;
using ::testing::HasSubstr;
using Shape = std::vector<std::uint64_t>;

namespace {

struct TestTensor {
    std::string name;
    Shape shape;
    std::string dtype = "F32";
};
using TensorList = std::vector<TestTensor>;

std::uint64_t test_nbytes(const TestTensor& t)
{
    std::uint64_t n = t.dtype == "F32" ? 4 : t.dtype == "I64" || t.dtype == "F64" ? 8 : t.dtype == "BOOL" ? 1 : 2;
    for (const auto d : t.shape)
        n *= d;
    return n;
}

// Writes `tensors` to `file` in `dir`, tensor i holding pattern_bytes(first + i, …).
std::filesystem::path write_weights(const test::TempDir& dir, const std::string& file, const TensorList& tensors,
                                    std::size_t first = 0)
{
    test::SafetensorsBuilder b;
    b.metadata("format", "pt");
    for (std::size_t i = 0; i < tensors.size(); ++i)
        b.tensor(tensors[i].name, tensors[i].dtype, tensors[i].shape, test::pattern_bytes(first + i, test_nbytes(tensors[i])));
    return dir.write(file, b.build());
}

TensorList llama_list(const test::TinyLlama& m)
{
    TensorList out;
    for (auto& [name, shape] : test::llama_tensors(m))
        out.push_back({name, shape, m.dtype});
    return out;
}

// A 1-layer GPT-2: n_embd 8, 2 heads, vocab 16, context 8, with the attention-mask buffers
// older transformers versions save.
const char* kGpt2Config = R"({"model_type": "gpt2", "n_embd": 8, "n_layer": 1, "n_head": 2, "vocab_size": 16,
  "n_positions": 8, "n_ctx": 8, "n_inner": null, "activation_function": "gelu_new",
  "layer_norm_epsilon": 1e-05, "tie_word_embeddings": true})";

TensorList gpt2_list(const std::string& prefix)
{
    const std::string h = prefix + "h.0.";
    return {{prefix + "wte.weight", {16, 8}},         {prefix + "wpe.weight", {8, 8}},
            {h + "ln_1.weight", {8}},                 {h + "ln_1.bias", {8}},
            {h + "attn.bias", {1, 1, 8, 8}, "BOOL"},  {h + "attn.masked_bias", {}, "F32"},
            {h + "attn.c_attn.weight", {8, 24}},      {h + "attn.c_attn.bias", {24}},
            {h + "attn.c_proj.weight", {8, 8}},       {h + "attn.c_proj.bias", {8}},
            {h + "ln_2.weight", {8}},                 {h + "ln_2.bias", {8}},
            {h + "mlp.c_fc.weight", {8, 32}},         {h + "mlp.c_fc.bias", {32}},
            {h + "mlp.c_proj.weight", {32, 8}},       {h + "mlp.c_proj.bias", {8}},
            {prefix + "ln_f.weight", {8}},            {prefix + "ln_f.bias", {8}}};
}

std::vector<std::uint8_t> bytes_of(const model::ModelSource& m, const model::TensorRef& t)
{
    std::vector<std::uint8_t> out(t.nbytes);
    io::File(m.tensors.files.at(t.file)).read_exact(t.offset, std::as_writable_bytes(std::span(out)));
    return out;
}

// The error opening `dir` gives, checked to be one line naming `file`.
std::string open_error(const std::filesystem::path& dir, const std::filesystem::path& file)
{
    return test::format_error([&] { (void)model::open_model(dir); }, file);
}

// A GPT-2 folder whose tensor list went through `edit`; returns the error naming model.safetensors.
std::string gpt2_error(const std::function<void(TensorList&)>& edit)
{
    test::TempDir dir;
    test::write_text(dir, "config.json", kGpt2Config);
    auto tensors = gpt2_list("");
    edit(tensors);
    return open_error(dir.path(), write_weights(dir, "model.safetensors", tensors));
}

// `json` (one flat object) with `key` set to the JSON text `value`, replaced or appended.
std::string with_key(std::string json, const std::string& key, const std::string& value)
{
    const auto at = json.find("\"" + key + "\"");
    if (at == std::string::npos)
        return json.substr(0, json.rfind('}')) + ", \"" + key + "\": " + value + "}";
    const auto colon = json.find(':', at);
    const auto end = json.find_first_of(",}", colon);
    return json.substr(0, colon + 1) + " " + value + json.substr(end);
}

std::string config_error(const std::string& config)
{
    test::TempDir dir;
    const auto path = test::write_text(dir, "config.json", config);
    write_weights(dir, "model.safetensors", gpt2_list(""));
    return open_error(dir.path(), path);
}

} // namespace

TEST(HfGpt2, WithAndWithoutTheTransformerPrefix)
{
    std::vector<model::ModelSource> models;
    for (const std::string prefix : {"", "transformer."}) {
        test::TempDir dir;
        test::write_text(dir, "config.json", kGpt2Config);
        const auto tensors = gpt2_list(prefix);
        write_weights(dir, "model.safetensors", tensors);
        models.push_back(model::open_model(dir.path()));
        const auto& m = models.back();
        EXPECT_EQ(m.tensors.tensors.size(), 16u) << "the two mask buffers are skipped";
        EXPECT_EQ(m.config.n_ff, 32u);
        EXPECT_EQ(m.config.n_ctx_train, 8u);
        EXPECT_TRUE(m.config.tied_output);
        const auto& qkv = m.tensors.require("blk.0.attn_qkv.weight");
        EXPECT_EQ(qkv.shape, (Shape{8, 24}));
        EXPECT_TRUE(qkv.transposed);
        EXPECT_EQ(bytes_of(m, qkv), test::pattern_bytes(6, 8 * 24 * 4)); // tensor 6 of the list
        EXPECT_EQ(bytes_of(m, m.tensors.require("output_norm.bias")), test::pattern_bytes(17, 8 * 4));
        EXPECT_EQ(m.tensors.require("token_embd.weight").shape, (Shape{8, 16}));
        EXPECT_FALSE(m.tensors.require("token_embd.weight").transposed);
    }
    ASSERT_EQ(models[0].tensors.tensors.size(), models[1].tensors.tensors.size());
    for (std::size_t i = 0; i < models[0].tensors.tensors.size(); ++i) {
        const auto& a = models[0].tensors.tensors[i];
        const auto& b = models[1].tensors.tensors[i];
        EXPECT_EQ(a.name, b.name);
        EXPECT_EQ(a.shape, b.shape);
        EXPECT_EQ(a.transposed, b.transposed);
        EXPECT_EQ(a.nbytes, b.nbytes);
    }
}

TEST(HfGpt2, UntiedLmHead)
{
    test::TempDir dir;
    test::write_text(dir, "config.json", kGpt2Config);
    auto tensors = gpt2_list("transformer.");
    tensors.push_back({"lm_head.weight", {16, 8}});
    write_weights(dir, "model.safetensors", tensors);
    const auto m = model::open_model(dir.path());
    EXPECT_FALSE(m.config.tied_output);
    const auto& out = m.tensors.require("output.weight");
    EXPECT_EQ(out.shape, (Shape{8, 16}));
    EXPECT_FALSE(out.transposed) << "lm_head is a Linear, stored [out][in]";
    EXPECT_EQ(bytes_of(m, out), test::pattern_bytes(18, 16 * 8 * 4));
}

TEST(HfGpt2, TensorProblems)
{
    EXPECT_THAT(gpt2_error([](TensorList& t) { t.erase(t.begin() + 11); }),
                HasSubstr("missing tensor h.0.ln_2.bias (blk.0.ffn_norm.bias in GGUF naming)"));
    EXPECT_THAT(gpt2_error([](TensorList& t) { t[6].shape = {8, 23}; }),
                HasSubstr("tensor h.0.attn.c_attn.weight has shape [8, 23], expected [8, 24]"));
    EXPECT_THAT(gpt2_error([](TensorList& t) { t[14].shape = {8, 32}; }),
                HasSubstr("tensor h.0.mlp.c_proj.weight has shape [8, 32], expected [32, 8]"));
    EXPECT_THAT(gpt2_error([](TensorList& t) { t[0].shape = {8, 16}; }),
                HasSubstr("tensor wte.weight has shape [8, 16], expected [16, 8]"));
    EXPECT_THAT(gpt2_error([](TensorList& t) { t.push_back({"h.0.attn.q_proj.weight", {8, 8}}); }),
                HasSubstr("unknown tensor h.0.attn.q_proj.weight for a 1-layer gpt2 model"));
    EXPECT_THAT(gpt2_error([](TensorList& t) { t.push_back({"h.1.ln_1.weight", {8}}); }),
                HasSubstr("unknown tensor h.1.ln_1.weight"));
    EXPECT_THAT(gpt2_error([](TensorList& t) { t.push_back({"transformer.lm_head.weight", {16, 8}}); }),
                HasSubstr("unknown tensor transformer.lm_head.weight"));
    EXPECT_THAT(gpt2_error([](TensorList& t) { t[3].dtype = "I64"; }),
                HasSubstr("unsupported dtype I64 in tensor h.0.ln_1.bias"));
    EXPECT_THAT(gpt2_error([](TensorList& t) { t[2].dtype = "F64"; }),
                HasSubstr("unsupported dtype F64 in tensor h.0.ln_1.weight"));
    EXPECT_THAT(gpt2_error([](TensorList& t) { t.push_back({"transformer.wte.weight", {16, 8}}); }),
                HasSubstr("tensor transformer.wte.weight appears twice"));
}

TEST(HfLlama, ConfigNamesShapesAndBytes)
{
    for (const bool prefix : {true, false}) {
        SCOPED_TRACE(prefix ? "model. prefix" : "no prefix");
        test::TinyLlama spec;
        spec.model_prefix = prefix;
        test::TempDir dir;
        test::write_text(dir, "config.json", test::llama_config_json(spec));
        const auto tensors = llama_list(spec);
        write_weights(dir, "model.safetensors", tensors);
        const auto m = model::open_model(dir.path());
        const auto& c = m.config;
        EXPECT_EQ(c.arch, model::Arch::Llama);
        EXPECT_EQ(c.n_embd, 8u);
        EXPECT_EQ(c.n_layer, 2u);
        EXPECT_EQ(c.n_head, 2u);
        EXPECT_EQ(c.n_head_kv, 1u);
        EXPECT_EQ(c.n_ff, 12u);
        EXPECT_EQ(c.n_vocab, 16u);
        EXPECT_EQ(c.n_ctx_train, 32u);
        EXPECT_EQ(c.n_rot, 4u);
        EXPECT_FLOAT_EQ(c.rope_freq_base, 500000.0f);
        EXPECT_FLOAT_EQ(c.norm_eps, 1e-6f);
        EXPECT_EQ(c.rope_style, model::RopeStyle::Halves);
        EXPECT_FALSE(c.tied_output);
        // PyTorch [out][in] becomes GGML {in, out}; nothing is transposed.
        const std::vector<std::pair<const char*, Shape>> shapes{
            {"token_embd.weight", {8, 16}},      {"blk.1.attn_q.weight", {8, 8}},
            {"blk.1.attn_k.weight", {8, 4}},     {"blk.1.attn_v.weight", {8, 4}},
            {"blk.1.attn_output.weight", {8, 8}}, {"blk.1.ffn_gate.weight", {8, 12}},
            {"blk.1.ffn_up.weight", {8, 12}},    {"blk.1.ffn_down.weight", {12, 8}},
            {"blk.1.attn_norm.weight", {8}},     {"blk.1.ffn_norm.weight", {8}},
            {"output_norm.weight", {8}},         {"output.weight", {8, 16}}};
        for (const auto& [name, shape] : shapes)
            EXPECT_EQ(m.tensors.require(name).shape, shape) << name;
        ASSERT_EQ(m.tensors.tensors.size(), tensors.size());
        for (const auto& t : m.tensors.tensors)
            EXPECT_FALSE(t.transposed) << t.name;
        // Tensor order in llama_tensors: embed, then per layer q k v o gate up down norms.
        EXPECT_EQ(bytes_of(m, m.tensors.require("token_embd.weight")), test::pattern_bytes(0, 16 * 8 * 4));
        EXPECT_EQ(bytes_of(m, m.tensors.require("blk.1.attn_k.weight")), test::pattern_bytes(11, 4 * 8 * 4));
        EXPECT_EQ(bytes_of(m, m.tensors.require("blk.1.ffn_down.weight")), test::pattern_bytes(16, 8 * 12 * 4));
        EXPECT_EQ(bytes_of(m, m.tensors.require("output.weight")), test::pattern_bytes(20, 16 * 8 * 4));
    }
}

TEST(HfLlama, HalfAndBfloat16Weights)
{
    for (const auto& [name, type] : {std::pair{"F16", DType::F16}, std::pair{"BF16", DType::BF16}}) {
        SCOPED_TRACE(name);
        test::TinyLlama spec;
        spec.dtype = name;
        test::TempDir dir;
        test::write_text(dir, "config.json", test::llama_config_json(spec));
        write_weights(dir, "model.safetensors", llama_list(spec));
        const auto m = model::open_model(dir.path());
        for (const auto& t : m.tensors.tensors) {
            EXPECT_EQ(t.dtype, static_cast<std::uint32_t>(type)) << t.name;
            EXPECT_EQ(t.nbytes, t.elements() * 2) << t.name;
        }
        EXPECT_EQ(bytes_of(m, m.tensors.require("blk.0.ffn_gate.weight")), test::pattern_bytes(5, 12 * 8 * 2));
    }
}

TEST(HfLlama, TiedAndUntiedOutput)
{
    test::TinyLlama spec;
    spec.lm_head = false; // and tie_word_embeddings true
    test::TempDir dir;
    test::write_text(dir, "config.json", test::llama_config_json(spec));
    write_weights(dir, "model.safetensors", llama_list(spec));
    EXPECT_TRUE(model::open_model(dir.path()).config.tied_output);

    // Untied in config.json but no lm_head.weight in the file.
    test::TempDir bad;
    test::TinyLlama untied;
    test::write_text(bad, "config.json", test::llama_config_json(untied));
    const auto weights = write_weights(bad, "model.safetensors", llama_list(spec));
    EXPECT_THAT(open_error(bad.path(), weights), HasSubstr("missing tensor lm_head.weight (output.weight in GGUF naming)"));
}

TEST(HfLlama, MissingTensorsAreSpeltAsTheFileSpellsNames)
{
    for (const bool prefix : {true, false}) {
        test::TinyLlama spec;
        spec.model_prefix = prefix;
        test::TempDir dir;
        test::write_text(dir, "config.json", test::llama_config_json(spec));
        auto tensors = llama_list(spec);
        tensors.erase(tensors.begin() + 12); // layers.1.self_attn.v_proj.weight
        const auto weights = write_weights(dir, "model.safetensors", tensors);
        EXPECT_THAT(open_error(dir.path(), weights),
                    HasSubstr(fmt::format("missing tensor {}layers.1.self_attn.v_proj.weight (blk.1.attn_v.weight",
                                          prefix ? "model." : "")));
    }
}

TEST(HfSharded, TwoShardsAndTheirIndex)
{
    test::TinyLlama spec;
    const auto tensors = llama_list(spec);
    const std::size_t half = tensors.size() / 2;
    const TensorList first(tensors.begin(), tensors.begin() + static_cast<std::ptrdiff_t>(half));
    const TensorList second(tensors.begin() + static_cast<std::ptrdiff_t>(half), tensors.end());
    test::TempDir dir;
    test::write_text(dir, "config.json", test::llama_config_json(spec));
    const auto s1 = write_weights(dir, "model-00001-of-00002.safetensors", first);
    const auto s2 = write_weights(dir, "model-00002-of-00002.safetensors", second, half);
    std::string index = R"({"metadata": {"total_size": 0}, "weight_map": {)";
    for (std::size_t i = 0; i < tensors.size(); ++i)
        index += fmt::format("{}\"{}\": \"{}\"", i ? ", " : "", tensors[i].name,
                             (i < half ? s1 : s2).filename().string());
    test::write_text(dir, "model.safetensors.index.json", index + "}}");

    const auto m = model::open_model(dir.path());
    ASSERT_EQ(m.tensors.files, (std::vector<std::string>{s1.string(), s2.string()}));
    ASSERT_EQ(m.tensors.tensors.size(), tensors.size());
    // Every tensor points into the shard that holds it, at its own bytes.
    EXPECT_EQ(m.tensors.require("token_embd.weight").file, 0u);
    EXPECT_EQ(m.tensors.require("output.weight").file, 1u);
    EXPECT_EQ(bytes_of(m, m.tensors.require("blk.0.attn_norm.weight")), test::pattern_bytes(8, 8 * 4));
    EXPECT_EQ(bytes_of(m, m.tensors.require("blk.1.attn_q.weight")), test::pattern_bytes(10, 8 * 8 * 4));
    EXPECT_EQ(bytes_of(m, m.tensors.require("output.weight")), test::pattern_bytes(20, 16 * 8 * 4));
    std::size_t in_first = 0;
    for (const auto& t : m.tensors.tensors)
        in_first += t.file == 0 ? 1 : 0;
    EXPECT_EQ(in_first, half);
}

TEST(HfSharded, IndexProblems)
{
    test::TinyLlama spec;
    const auto tensors = llama_list(spec);
    // The index as a function of the shard each tensor is said to be in (by tensor number).
    const auto run = [&](const std::function<std::string(std::size_t)>& shard_of, const TensorList& in_shard_a,
                         const TensorList& in_shard_b, const std::string& extra = "") {
        test::TempDir dir;
        test::write_text(dir, "config.json", test::llama_config_json(spec));
        write_weights(dir, "a.safetensors", in_shard_a);
        write_weights(dir, "b.safetensors", in_shard_b, in_shard_a.size());
        std::string index = R"({"weight_map": {)" + extra;
        for (std::size_t i = 0; i < tensors.size(); ++i)
            index += fmt::format("{}\"{}\": \"{}\"", i || !extra.empty() ? ", " : "", tensors[i].name, shard_of(i));
        const auto index_path = test::write_text(dir, "model.safetensors.index.json", index + "}}");
        try {
            (void)model::open_model(dir.path());
        } catch (const FormatError& e) {
            EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
            EXPECT_THAT(e.what(), HasSubstr(dir.path().string()));
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const TensorList a(tensors.begin(), tensors.begin() + 10), b(tensors.begin() + 10, tensors.end());
    const auto split = [](std::size_t i) { return std::string(i < 10 ? "a.safetensors" : "b.safetensors"); };
    EXPECT_EQ(run(split, a, b), "no error");
    EXPECT_THAT(run([&](std::size_t i) { return i == 3 ? std::string("c.safetensors") : split(i); }, a, b),
                AllOf(HasSubstr("model.safetensors.index.json"), HasSubstr("shard c.safetensors named by weight_map does not exist")));
    // Listed in a, but a lacks it.
    TensorList a_short(a.begin(), a.end() - 1);
    EXPECT_THAT(run(split, a_short, b),
                AllOf(HasSubstr("model.safetensors.index.json"),
                      HasSubstr("tensor model.layers.0.post_attention_layernorm.weight is listed in shard a.safetensors but "
                                "missing from it")));
    // In b, but the index says a.
    TensorList b_more = b;
    b_more.insert(b_more.begin(), a.back());
    EXPECT_THAT(run(split, a_short, b_more),
                AllOf(HasSubstr("b.safetensors"), HasSubstr("is here but"), HasSubstr("places it in a.safetensors")));
    // In a shard, not in the index at all.
    TensorList a_more = a;
    a_more.push_back({"model.layers.0.extra.weight", {8}});
    EXPECT_THAT(run(split, a_more, b), AllOf(HasSubstr("a.safetensors"), HasSubstr("model.layers.0.extra.weight is not in the weight_map")));
    EXPECT_THAT(run([&](std::size_t i) { return i == 0 ? std::string("../a.safetensors") : split(i); }, a, b),
                HasSubstr("not a shard file beside the index"));
    EXPECT_THAT(run(split, a, b, R"("x": 5)"), HasSubstr("not a shard file beside the index"));
    EXPECT_THAT(run(split, a, b, R"("x": )"), HasSubstr("bad JSON"));
    EXPECT_THAT(run(split, a, b, R"("model.norm.weight": "b.safetensors")"), HasSubstr("appears twice"));
}

TEST(HfSharded, IndexWithoutWeightMap)
{
    test::TempDir dir;
    test::write_text(dir, "config.json", kGpt2Config);
    const auto index = test::write_text(dir, "model.safetensors.index.json", R"({"metadata": {}})");
    EXPECT_THAT(open_error(dir.path(), index), HasSubstr("no weight_map object"));
    test::write_text(dir, "model.safetensors.index.json", R"({"weight_map": {}})");
    EXPECT_THAT(open_error(dir.path(), index), HasSubstr("weight_map is empty"));
}

TEST(HfConfigErrors, MissingOrBrokenConfig)
{
    test::TempDir dir;
    write_weights(dir, "model.safetensors", gpt2_list(""));
    EXPECT_THAT(open_error(dir.path(), dir.path() / "config.json"), HasSubstr("config.json: missing"));

    EXPECT_THAT(config_error("{\"model_type\": \"gpt2\", "), HasSubstr("bad JSON"));
    EXPECT_THAT(config_error("[]"), HasSubstr("is a JSON array, not an object"));
    EXPECT_THAT(config_error("{}"), HasSubstr("missing key model_type"));
    EXPECT_THAT(config_error(R"({"model_type": "mamba"})"), HasSubstr("unsupported model_type mamba (supported: gpt2, llama, qwen2, phi)"));
    EXPECT_THAT(config_error(R"({"model_type": 7})"), HasSubstr("key model_type must be a string"));
}

TEST(HfConfigErrors, Gpt2Keys)
{
    const auto with = [](const std::string& key, const std::string& value) {
        return config_error(with_key(kGpt2Config, key, value));
    };
    EXPECT_THAT(with("n_embd", "\"8\""), HasSubstr("key n_embd must be a positive integer, not \"8\""));
    EXPECT_THAT(with("n_layer", "0"), HasSubstr("key n_layer must be a positive integer, not 0"));
    EXPECT_THAT(with("n_layer", "null"), HasSubstr("missing key n_layer"));
    EXPECT_THAT(with("n_head", "-2"), HasSubstr("key n_head must be a positive integer"));
    EXPECT_THAT(with("n_head", "3"), HasSubstr("3 heads and 3 kv heads do not divide the embedding size 8"));
    EXPECT_THAT(with("vocab_size", "1.5"), HasSubstr("key vocab_size must be a positive integer"));
    EXPECT_THAT(with("n_embd", "4294967296"), HasSubstr("key n_embd must be a positive integer"));
    EXPECT_THAT(with("activation_function", "\"relu\""), HasSubstr("key activation_function is relu"));
    EXPECT_THAT(with("layer_norm_epsilon", "-1"), HasSubstr("key layer_norm_epsilon must be a positive number"));
    EXPECT_THAT(with("tie_word_embeddings", "1"), HasSubstr("key tie_word_embeddings must be true or false"));
    EXPECT_THAT(with("scale_attn_by_inverse_layer_idx", "true"), HasSubstr("scale_attn_by_inverse_layer_idx"));
    // n_positions absent: n_ctx gives the context; both absent is an error.
    auto no_positions = std::string(kGpt2Config);
    no_positions.erase(no_positions.find("\"n_positions\": 8, "), 17);
    EXPECT_EQ(config_error(no_positions), "no error");
    no_positions.erase(no_positions.find("\"n_ctx\": 8, "), 11);
    EXPECT_THAT(config_error(no_positions), HasSubstr("missing key n_positions (or n_ctx)"));
    EXPECT_EQ(with("activation_function", "\"gelu_pytorch_tanh\""), "no error");
    EXPECT_EQ(with("n_inner", "32"), "no error");
    // A valid n_inner the weights do not match: the weights file is at fault.
    test::TempDir dir;
    test::write_text(dir, "config.json", with_key(kGpt2Config, "n_inner", "64"));
    const auto weights = write_weights(dir, "model.safetensors", gpt2_list(""));
    EXPECT_THAT(open_error(dir.path(), weights),
                HasSubstr("h.0.mlp.c_fc.weight has shape [8, 32], expected [8, 64] from config.json"));
}

TEST(HfConfigErrors, LlamaKeys)
{
    test::TinyLlama spec;
    const auto base = test::llama_config_json(spec);
    const auto with = [&](const std::string& key, const std::string& value) {
        test::TempDir dir;
        const auto path = test::write_text(dir, "config.json", with_key(base, key, value));
        write_weights(dir, "model.safetensors", llama_list(spec));
        return open_error(dir.path(), path);
    };
    EXPECT_EQ(with("attention_bias", "false"), "no error");
    EXPECT_EQ(with("head_dim", "4"), "no error");
    EXPECT_THAT(with("hidden_act", R"("gelu")"), HasSubstr("key hidden_act is gelu; only silu is supported"));
    EXPECT_THAT(with("head_dim", "8"), HasSubstr("key head_dim 8 differs"));
    EXPECT_THAT(with("attention_bias", "true"), HasSubstr("attention_bias"));
    EXPECT_THAT(with("rope_theta", R"("big")"), HasSubstr("key rope_theta must be a positive number"));
    EXPECT_THAT(with("num_key_value_heads", "3"), HasSubstr("2 heads and 3 kv heads do not divide"));
    EXPECT_THAT(with("max_position_embeddings", "null"), HasSubstr("missing key max_position_embeddings"));
    // rope_scaling: null (as in base) is fine; llama3 and linear are read (their factors are
    // checked in test/integration/hf_arch_test.cpp and test/unit/rope_scaling_test.cpp), other
    // kinds and incomplete ones are refused rather than ignored.
    EXPECT_EQ(with("rope_scaling", R"({"rope_type": "linear", "factor": 2.0})"), "no error");
    EXPECT_THAT(with("rope_scaling", R"({"rope_type": "llama3", "factor": 8.0})"),
                HasSubstr("missing key rope_scaling.low_freq_factor"));
    EXPECT_THAT(with("rope_scaling", R"({"rope_type": "yarn", "factor": 4.0})"),
                HasSubstr("key rope_scaling.rope_type is yarn; only llama3 and linear are supported"));
    EXPECT_THAT(with("rope_scaling", R"({"type": "linear", "factor": -1})"),
                HasSubstr("key rope_scaling.factor must be a positive number"));
    EXPECT_THAT(with("rope_scaling", "4"), HasSubstr("key rope_scaling must be an object"));
    // Duplicate keys are refused, not resolved silently.
    test::TempDir dir;
    const auto path = test::write_text(dir, "config.json", base.substr(0, base.rfind('}')) + R"(, "hidden_size": 8})");
    write_weights(dir, "model.safetensors", llama_list(spec));
    EXPECT_THAT(open_error(dir.path(), path), HasSubstr("JSON key \"hidden_size\" appears twice"));
}

TEST(HfFolder, NoWeightsFile)
{
    test::TempDir dir;
    test::write_text(dir, "config.json", kGpt2Config);
    EXPECT_THAT(open_error(dir.path(), dir.path()), HasSubstr("no model.safetensors or model.safetensors.index.json"));
}
