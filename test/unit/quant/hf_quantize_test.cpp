// quantize from Hugging Face folders (config.json + SafeTensors + tokenizer files): the GGUF
// written runs on its own and computes what the folder computes. Real references from
// ../shared/models (README there): the GPT-2 tiny-random folders (Conv1D weights, tied head,
// float64 logits), stories260K and the arch/ Llama-3-rope model turned into HF folders by
// test/support/hf_folder.* (q/k rows in HF's order, so a missing permutation shows), and the
// real GPT-2 vocabulary. Skipped when the shared folder is absent.
#include "env.hpp"
#include "hf_folder.hpp"
#include "temp_dir.hpp"

#include "edge_rt/error.hpp"
#include "edge_rt/quantize.hpp"
#include "model/gguf.hpp"
#include "model/model_config.hpp"
#include "runtime/conversation.hpp"
#include "runtime/engine.hpp"
#include "tokenizer/tokenizer.hpp"
#include "writer/synthetic_model.hpp"

#include <cmath>
#include <cstring>
#include <numeric>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace edge_rt;
using namespace edge_rt::test;
namespace fs = std::filesystem;

namespace {

#define SKIP_WITHOUT(path)                                                                      \
    do {                                                                                        \
        if (!fs::exists(path))                                                                  \
            GTEST_SKIP() << (path) << " is absent (../shared/models, the shared reference files)"; \
    } while (0)

// Logits of every position of `ids`, one forward pass ([ids.size()][n_vocab]).
std::vector<float> logits(const fs::path& model, const std::vector<std::int32_t>& ids)
{
    runtime::EngineOptions o;
    o.n_ctx = 64;
    o.logit_rows = ids.size();
    runtime::Engine engine(model, o);
    runtime::Conversation session(engine);
    const auto out = session.forward(ids, true);
    return {out.begin(), out.end()};
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b)
{
    if (a.size() != b.size())
        return INFINITY;
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::fabs(static_cast<double>(a[i]) - b[i]));
    return worst;
}

std::vector<std::size_t> argmax_rows(const std::vector<float>& l, std::size_t n_vocab)
{
    std::vector<std::size_t> out;
    for (std::size_t r = 0; r + n_vocab <= l.size(); r += n_vocab)
        out.push_back(static_cast<std::size_t>(std::max_element(l.begin() + static_cast<std::ptrdiff_t>(r),
                                                                l.begin() + static_cast<std::ptrdiff_t>(r + n_vocab)) -
                                               l.begin()) - r);
    return out;
}

fs::path quantize(const fs::path& in, const fs::path& out, const char* type)
{
    QuantizeOptions o;
    o.input = in;
    o.output = out;
    o.type = type;
    o.threads = 1;
    const auto r = quantize_model(o);
    for (const auto& t : r.per_type)
        std::printf("  %s %s: %zu tensors, relative RMSE %.4f%%\n", type, t.type.c_str(), t.tensors, 100 * t.relative);
    return out;
}

// Every tensor of the GGUF `a` has the type, shape and bytes of the same-named one of `b`
// (rope_freqs.weight: within `freqs_tol`, its factors computed here from config.json).
void expect_same_tensors(const fs::path& a, const fs::path& b, float freqs_tol)
{
    const auto fa = model::read_gguf(a), fb = model::read_gguf(b);
    const auto da = read_file(a), db = read_file(b);
    ASSERT_EQ(fa.tensors.size(), fb.tensors.size());
    for (const auto& t : fa.tensors) {
        const auto* u = fb.find_tensor(t.name);
        ASSERT_NE(u, nullptr) << t.name;
        EXPECT_EQ(t.type, u->type) << t.name;
        EXPECT_EQ(t.shape, u->shape) << t.name;
        ASSERT_EQ(t.nbytes, u->nbytes) << t.name;
        const auto* p = da.data() + t.offset;
        const auto* q = db.data() + u->offset;
        if (t.name == "rope_freqs.weight") {
            for (std::size_t i = 0; i < t.nbytes / 4; ++i) {
                float x, y;
                std::memcpy(&x, p + 4 * i, 4);
                std::memcpy(&y, q + 4 * i, 4);
                EXPECT_NEAR(x, y, freqs_tol) << i;
            }
        } else {
            EXPECT_EQ(std::memcmp(p, q, t.nbytes), 0) << t.name << " differs";
        }
    }
}

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

nlohmann::json read_json(const fs::path& p)
{
    std::ifstream in(p);
    return nlohmann::json::parse(in);
}

// The HF folder of an arch/ reference GGUF: config.json as given, the tensors under HF names.
fs::path arch_folder(const TempDir& tmp, const fs::path& gguf, const char* model_type, const std::string& config)
{
    const auto dir = tmp.path() / (std::string(model_type) + "-hf");
    fs::create_directories(dir);
    write_text(dir / "config.json", config);
    const auto st = safetensors_of(hf_tensors(gguf, model_type, 32));
    std::ofstream(dir / "model.safetensors", std::ios::binary).write(reinterpret_cast<const char*>(st.data()),
                                                                     static_cast<std::streamsize>(st.size()));
    return dir;
}

} // namespace

// GPT-2 from F32 and F16 folders (Conv1D [in][out] weights transposed on the way, the tied head
// left to the embedding, the position embedding copied): q8_0 keeps the folder's logits and
// every greedy id of the float64 reference (teacher forced over prompt + greedy ids).
TEST(QuantizeHf, Gpt2FoldersToQ8_0KeepTheFoldersLogitsAndGreedyIds)
{
    for (const char* name : {"gpt2-tiny-random-f32", "gpt2-tiny-random-f16"}) {
        const auto dir = shared_models() / name;
        SKIP_WITHOUT(dir / "reference.json");
        const TempDir tmp;
        const auto out = quantize(dir, tmp.path() / "q8_0.gguf", "q8_0");
        const auto f = model::read_gguf(out);
        EXPECT_EQ(f.get_string("general.architecture"), "gpt2");
        EXPECT_EQ(f.get_uint("gpt2.context_length"), 128u);
        EXPECT_EQ(f.find_tensor("output.weight"), nullptr) << "tied: the embedding is the head";
        EXPECT_EQ(f.find_tensor("blk.0.attn_qkv.weight")->shape, (std::vector<std::uint64_t>{64, 192}));
        EXPECT_EQ(f.find("tokenizer.ggml.model"), nullptr) << "the folder has no tokenizer";

        const auto ref = read_json(dir / "reference.json");
        auto ids = ref.at("prompt_ids").get<std::vector<std::int32_t>>();
        const auto greedy = ref.at("greedy_ids").get<std::vector<std::size_t>>();
        const std::size_t prompt = ids.size();
        ids.insert(ids.end(), greedy.begin(), greedy.end() - 1);
        const auto want = logits(dir, ids), got = logits(out, ids);
        const double diff = max_abs_diff(got, want);
        double peak = 0;
        for (const float v : want)
            peak = std::max(peak, std::fabs(static_cast<double>(v)));
        std::printf("%s: q8_0 max |logit - folder's| %.3g (largest |logit| %.3g)\n", name, diff, peak);
        // Q8_0 rounds each weight to 1/254 of its block's largest (0.54% relative RMSE here);
        // through two layers the logits moved by 2.5% of the largest logit (measured 0.099 of
        // 4.0 on f32, 0.108 of 3.98 on f16). Bound: 5% of the largest logit, 2x the measure.
        EXPECT_LE(diff, 0.05 * peak) << name;
        // The greedy ids are kept wherever the reference's top-2 margin exceeds twice the bound
        // (below it, as small as 0.004 on this random model, Q8_0 may flip a near tie: 5 and
        // 6 of the 24 steps have a margin above 0.4).
        const auto margins = ref.at("greedy_top2_margins").get<std::vector<double>>();
        const auto top = argmax_rows(got, 512);
        std::size_t checked = 0;
        for (std::size_t k = 0; k < greedy.size(); ++k)
            if (margins[k] > 2 * 0.05 * peak) {
                EXPECT_EQ(top[prompt - 1 + k], greedy[k]) << name << " step " << k;
                ++checked;
            }
        EXPECT_GE(checked, 4u) << name;
    }
}

// Llama from an HF folder whose q/k rows are in HF's order (stories260K's GGUF un-permuted) and
// whose tokenizer is llama2.c's tokenizer.bin: the GGUF written computes the original GGUF's
// function (so the rows were permuted back for GGUF's interleaved RoPE) and carries the
// SentencePiece vocabulary, encoding text as the folder does.
TEST(QuantizeHf, LlamaFolderGivesTheGgufsFunctionAndItsTokenizer)
{
    const auto src = shared_models() / "stories260K";
    SKIP_WITHOUT(src / "stories260K.gguf");
    const TempDir tmp;
    const auto dir = tmp.path() / "stories260K-hf";
    fs::create_directories(dir);
    write_text(dir / "config.json", R"({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 5,
        "num_attention_heads": 8, "num_key_value_heads": 4, "intermediate_size": 172,
        "max_position_embeddings": 512, "vocab_size": 512, "rms_norm_eps": 1e-05, "rope_theta": 10000.0,
        "tie_word_embeddings": false})");
    const auto st = safetensors_of(hf_tensors(src / "stories260K.gguf", "llama", 8));
    std::ofstream(dir / "model.safetensors", std::ios::binary).write(reinterpret_cast<const char*>(st.data()),
                                                                     static_cast<std::streamsize>(st.size()));
    fs::copy_file(src / "tok512.bin", dir / "tokenizer.bin");
    const auto out = quantize(dir, tmp.path() / "q8_0.gguf", "q8_0");
    // The same bytes as quantising the GGUF the folder was made from: the q/k rows were put
    // back in GGUF's order (tolerance 0).
    expect_same_tensors(out, quantize(src / "stories260K.gguf", tmp.path() / "from-gguf.gguf", "q8_0"), 0);

    std::vector<std::int32_t> ids{1};
    std::ifstream in(src / "reference" / "greedy_bos_200steps.ids");
    for (std::int32_t id; ids.size() < 40 && in >> id;)
        ids.push_back(id);
    const auto original = logits(src / "stories260K.gguf", ids), folder = logits(dir, ids), got = logits(out, ids);
    ASSERT_LE(max_abs_diff(folder, original), 1e-4) << "the HF folder is not the GGUF's model";
    const double diff = max_abs_diff(got, folder);
    // llama.cpp's own Q8_0 file of stories260K moves the F32 logits by `cpp` (0.335): ours may
    // move them by 1.5x that at most (measured 0.349, 1.04x). With the q/k permutation left
    // out the logits move by 16.4 (mutation-checked).
    const double cpp = max_abs_diff(logits(src / "variants" / "stories260K-Q8_0.gguf", ids), original);
    std::printf("stories260K q8_0: max |logit - folder's| %.3g (llama.cpp's Q8_0 file: %.3g)\n", diff, cpp);
    EXPECT_LE(diff, 1.5 * cpp);
    EXPECT_EQ(argmax_rows(got, 512), argmax_rows(folder, 512));

    const auto gguf = model::read_gguf(out);
    EXPECT_EQ(gguf.get_string("tokenizer.ggml.model"), "llama");
    const auto theirs = model::load_tokenizer(dir);
    const auto ours = model::tokenizer_from_gguf(gguf);
    const std::string text = "Once upon a time, Lily saw a big dog.\nIt was happy! 123 \xC3\xA9t\xC3\xA9";
    EXPECT_EQ(ours->encode(text, true), theirs->encode(text, true));
    EXPECT_EQ(ours->vocab_size(), theirs->vocab_size());
    EXPECT_EQ(ours->bos(), theirs->bos());
    EXPECT_EQ(ours->eos(), theirs->eos());
}

// Llama 3 rope scaling from config.json's rope_scaling becomes the rope_freqs.weight tensor
// llama.cpp files carry; q4_k_m (K-quants: the rows are 256 wide) keeps the folder's logits
// within K-quant error.
TEST(QuantizeHf, Llama3RopeFolderToQ4_K_M)
{
    const auto src = shared_models() / "arch" / "llama3rope-w256.gguf";
    SKIP_WITHOUT(src);
    const TempDir tmp;
    const auto dir = arch_folder(tmp, src, "llama", R"({"model_type": "llama", "hidden_size": 256, "num_hidden_layers": 5,
        "num_attention_heads": 8, "num_key_value_heads": 4, "intermediate_size": 768, "max_position_embeddings": 2048,
        "vocab_size": 512, "rms_norm_eps": 2.5e-06, "rope_theta": 500000.0, "tie_word_embeddings": false,
        "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                         "original_max_position_embeddings": 64}})");
    const auto out = quantize(dir, tmp.path() / "q4_k_m.gguf", "q4_k_m");
    // As quantising the llama.cpp-made GGUF itself, but for the factors (computed here in
    // float64 from config.json, there by numpy: 1e-6 apart, hf_arch_test).
    expect_same_tensors(out, quantize(src, tmp.path() / "from-gguf.gguf", "q4_k_m"), 1e-6f);
    const auto f = model::read_gguf(out);
    const auto* freqs = f.find_tensor("rope_freqs.weight");
    ASSERT_NE(freqs, nullptr);
    EXPECT_EQ(freqs->type, 0u);
    EXPECT_EQ(freqs->shape, (std::vector<std::uint64_t>{16}));
    EXPECT_EQ(f.get_float("llama.rope.freq_base"), 500000.0);
    EXPECT_EQ(f.find_tensor("blk.0.attn_q.weight")->type, static_cast<std::uint32_t>(12)) << "Q4_K";

    const std::vector<std::int32_t> ids{1,   403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315,
                                        421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408, 419};
    const auto folder = logits(dir, ids), got = logits(out, ids), original = logits(src, ids);
    const auto from_gguf = logits(tmp.path() / "from-gguf.gguf", ids);
    const double diff = max_abs_diff(got, folder);
    const auto a = argmax_rows(got, 512), b = argmax_rows(folder, 512);
    const auto same = static_cast<std::size_t>(std::inner_product(a.begin(), a.end(), b.begin(), 0, std::plus<>(),
                                                                  std::equal_to<>()));
    std::printf("llama3rope q4_k_m: max |logit - folder's| %.3g, argmax equal at %zu of %zu; vs the GGUF's "
                "q4_k_m %.3g\n", diff, same, a.size(), max_abs_diff(got, from_gguf));
    // The weights are the GGUF path's; only the factors' last bits differ (f32 rounding, 1e-4
    // as in hf_arch_test). Against the F32 folder, Q4_K's 7% relative weight error moves the
    // logits of this random-weight model by several units (8.0 measured), so only a loose
    // argmax agreement is asked (21 of 24 measured).
    EXPECT_LE(max_abs_diff(got, from_gguf), 1e-4);
    EXPECT_GE(same, 18u);
}

// The real GPT-2 vocabulary (encoder.json + vocab.bpe beside a small GPT-2) and the folder's
// chat template go into the GGUF: the same ids for text with and without special tokens.
TEST(QuantizeHf, Gpt2VocabularyAndChatTemplateComeAlong)
{
    const auto vocab = shared_models() / "gpt2-tokenizer";
    SKIP_WITHOUT(vocab / "encoder.json");
    const TempDir tmp;
    model::ModelConfig c;
    c.arch = model::Arch::Gpt2;
    c.arch_name = "gpt2";
    c.n_embd = 32;
    c.n_layer = 1;
    c.n_head = c.n_head_kv = 2;
    c.n_ff = 128;
    c.n_ctx_train = 64;
    c.n_rot = 16;
    c.tied_output = true;
    model::SyntheticOptions o;
    o.custom = c;
    o.format = model::FileFormat::Safetensors;
    o.vocab_from = vocab;
    o.output = tmp.path() / "gpt2-vocab";
    model::write_synthetic_model(o);
    const std::string chat = "{% for m in messages %}<|endoftext|>{{ m.content }}{% endfor %}";
    write_text(o.output / "tokenizer_config.json",
               nlohmann::json{{"tokenizer_class", "GPT2Tokenizer"}, {"chat_template", chat}}.dump());
    const auto out = quantize(o.output, tmp.path() / "q8_0.gguf", "q8_0");

    const auto f = model::read_gguf(out);
    EXPECT_EQ(f.get_string("tokenizer.ggml.model"), "gpt2");
    EXPECT_EQ(f.get_string("tokenizer.ggml.pre"), "gpt2");
    EXPECT_EQ(f.find("tokenizer.ggml.tokens")->as_array()->size(), 50257u);
    EXPECT_EQ(f.find("tokenizer.ggml.merges")->as_array()->size(), 50000u);
    EXPECT_EQ(f.get_string("tokenizer.chat_template"), chat);
    const auto theirs = model::load_tokenizer(o.output);
    const auto ours = model::tokenizer_from_gguf(f);
    const std::string text = "Hello world! It's 2024:\tcaf\xC3\xA9 <|endoftext|> x  y\n\n";
    EXPECT_EQ(ours->encode(text, false, true), theirs->encode(text, false, true));
    EXPECT_EQ(ours->encode(text, false, false), theirs->encode(text, false, false));
    EXPECT_EQ(ours->eos(), theirs->eos());
    const auto ids = ours->encode("The quick brown fox", false);
    EXPECT_EQ(argmax_rows(logits(out, ids), 50257), argmax_rows(logits(o.output, ids), 50257));
}

// Qwen2 (q/k/v biases, tied head, NEOX rope: q/k rows kept in HF's order): the folder quantises
// to the tensors quantising the GGUF it came from gives, byte for byte, and those are the
// bytes of llama.cpp's own Q8_0 file of the model (arch/README: made by llama-quantize).
TEST(QuantizeHf, Qwen2FolderToQ8_0IsTheGgufsQuantisation)
{
    const auto src = shared_models() / "arch" / "qwen2-w256.gguf";
    const auto cpp = shared_models() / "arch" / "qwen2-w256-Q8_0.gguf";
    SKIP_WITHOUT(src);
    SKIP_WITHOUT(cpp);
    const TempDir tmp;
    const auto dir = arch_folder(tmp, src, "qwen2", R"({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
        "hidden_size": 256, "num_hidden_layers": 5, "num_attention_heads": 8, "num_key_value_heads": 4,
        "intermediate_size": 768, "max_position_embeddings": 2048, "vocab_size": 512, "rms_norm_eps": 2.5e-06,
        "rope_theta": 10000.0, "tie_word_embeddings": true})");
    const auto out = quantize(dir, tmp.path() / "q8_0.gguf", "q8_0");
    const auto from_gguf = quantize(src, tmp.path() / "from-gguf.gguf", "q8_0");
    expect_same_tensors(out, from_gguf, 0);
    const auto f = model::read_gguf(out);
    EXPECT_EQ(f.get_string("general.architecture"), "qwen2");
    EXPECT_EQ(f.find_tensor("output.weight"), nullptr) << "tied: the embedding is the head";
    ASSERT_NE(f.find_tensor("blk.0.attn_q.bias"), nullptr);
    EXPECT_EQ(f.find_tensor("blk.0.attn_q.bias")->type, 0u) << "biases stay F32";

    const std::vector<std::int32_t> ids{1,   403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315,
                                        421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408, 419};
    const auto got = logits(out, ids), folder = logits(dir, ids), theirs = logits(cpp, ids);
    EXPECT_EQ(max_abs_diff(got, logits(from_gguf, ids)), 0.0);
    double peak = 0;
    for (const float v : folder)
        peak = std::max(peak, std::fabs(static_cast<double>(v)));
    const double vs_folder = max_abs_diff(got, folder), vs_cpp = max_abs_diff(got, theirs);
    std::printf("qwen2 q8_0: max |logit - folder's| %.3g, - llama.cpp Q8_0's %.3g, llama.cpp's - folder's %.3g "
                "(largest |logit| %.3g)\n", vs_folder, vs_cpp, max_abs_diff(theirs, folder), peak);
    // Our Q8_0 rounds as llama.cpp's quantize does (scale max|x|/127 stored as f16, round half
    // away from zero): the file holds llama.cpp's bytes for every tensor, so its logits.
    expect_same_tensors(out, cpp, 0);
    EXPECT_EQ(vs_cpp, 0.0);
    EXPECT_LE(vs_folder, 0.05 * peak);
}

// Phi-2 (separate q/k/v with biases, partial rotary, a head with a bias, LayerNorm): the HF
// folder's separate q/k/v quantise row by row exactly as the GGUF's fused attn_qkv does, so
// the output gives the logits of quantising the GGUF, bit for bit.
TEST(QuantizeHf, PhiFolderToQ8_0GivesTheFusedGgufsLogits)
{
    const auto src = shared_models() / "arch" / "phi2-rand-qkv.gguf";
    SKIP_WITHOUT(src);
    const TempDir tmp;
    const auto dir = arch_folder(tmp, src, "phi", R"({"architectures": ["PhiForCausalLM"], "model_type": "phi",
        "hidden_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4,
        "intermediate_size": 512, "max_position_embeddings": 128, "vocab_size": 512, "layer_norm_eps": 1e-05,
        "partial_rotary_factor": 0.375, "rope_theta": 10000.0, "hidden_act": "gelu_new", "qk_layernorm": false,
        "tie_word_embeddings": false})");
    const auto out = quantize(dir, tmp.path() / "q8_0.gguf", "q8_0");
    const auto from_gguf = quantize(src, tmp.path() / "from-gguf.gguf", "q8_0");
    const auto f = model::read_gguf(out);
    EXPECT_EQ(f.get_string("general.architecture"), "phi2");
    EXPECT_EQ(f.get_uint("phi2.rope.dimension_count"), 12u);
    ASSERT_NE(f.find_tensor("output.bias"), nullptr);
    ASSERT_NE(f.find_tensor("blk.1.attn_k.weight"), nullptr);
    EXPECT_EQ(f.find_tensor("blk.1.attn_k.weight")->type, 8u) << "Q8_0";

    const std::vector<std::int32_t> ids{1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426};
    const auto got = logits(out, ids), folder = logits(dir, ids);
    EXPECT_EQ(max_abs_diff(got, logits(from_gguf, ids)), 0.0);
    double peak = 0;
    for (const float v : folder)
        peak = std::max(peak, std::fabs(static_cast<double>(v)));
    std::printf("phi2 q8_0: max |logit - folder's| %.3g (largest |logit| %.3g)\n", max_abs_diff(got, folder), peak);
    EXPECT_LE(max_abs_diff(got, folder), 0.05 * peak);
}
