// A GPT-2 SafeTensors folder with the real GPT-2 vocabulary (50,257 tokens) and tokenizer files
// beside it: `run -p TEXT` tokenizes with the folder's tokenizer, and --tokenizer supplies one
// to a folder that has none. The weights are random (the point is the text path, not the story).
#include "model_data.hpp"
#include "process.hpp"
#include "safetensors_builder.hpp"
#include "temp_dir.hpp"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <random>

using namespace edge_rt::test;
using nlohmann::json;

namespace {

constexpr std::uint64_t V = 50257, E = 8, P = 16;

std::vector<std::uint8_t> random_f32(std::mt19937& rng, std::uint64_t n, float scale, float bias = 0)
{
    std::uniform_real_distribution<float> u(-scale, scale);
    std::vector<std::uint8_t> out(n * 4);
    for (std::uint64_t i = 0; i < n; ++i) {
        const float v = bias + u(rng);
        std::memcpy(out.data() + i * 4, &v, 4);
    }
    return out;
}

// One layer, Hugging Face names and Conv1D [in, out] shapes, as transformers saves GPT-2.
std::filesystem::path write_gpt2_folder(const TempDir& dir, bool with_tokenizer)
{
    std::mt19937 rng(17);
    SafetensorsBuilder b;
    const auto t = [&](const std::string& name, std::vector<std::uint64_t> shape, float scale, float bias = 0) {
        std::uint64_t n = 1;
        for (auto d : shape)
            n *= d;
        b.tensor(name, "F32", shape, random_f32(rng, n, scale, bias));
    };
    t("wte.weight", {V, E}, 0.5f);
    t("wpe.weight", {P, E}, 0.1f);
    t("h.0.ln_1.weight", {E}, 0.1f, 1.0f);
    t("h.0.ln_1.bias", {E}, 0.1f);
    t("h.0.attn.c_attn.weight", {E, 3 * E}, 0.3f);
    t("h.0.attn.c_attn.bias", {3 * E}, 0.1f);
    t("h.0.attn.c_proj.weight", {E, E}, 0.3f);
    t("h.0.attn.c_proj.bias", {E}, 0.1f);
    t("h.0.ln_2.weight", {E}, 0.1f, 1.0f);
    t("h.0.ln_2.bias", {E}, 0.1f);
    t("h.0.mlp.c_fc.weight", {E, 4 * E}, 0.3f);
    t("h.0.mlp.c_fc.bias", {4 * E}, 0.1f);
    t("h.0.mlp.c_proj.weight", {4 * E, E}, 0.3f);
    t("h.0.mlp.c_proj.bias", {E}, 0.1f);
    t("ln_f.weight", {E}, 0.1f, 1.0f);
    t("ln_f.bias", {E}, 0.1f);
    const auto folder = dir.path() / (with_tokenizer ? "gpt2-with-tokenizer" : "gpt2-bare");
    std::filesystem::create_directories(folder);
    const auto bytes = b.build();
    std::ofstream(folder / "model.safetensors", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    std::ofstream(folder / "config.json") << json{{"model_type", "gpt2"}, {"n_embd", E}, {"n_layer", 1},
                                                 {"n_head", 2}, {"n_positions", P}, {"vocab_size", V},
                                                 {"layer_norm_epsilon", 1e-5}, {"n_inner", nullptr},
                                                 {"activation_function", "gelu_new"}}.dump();
    if (with_tokenizer)
        for (const char* f : {"encoder.json", "vocab.bpe"})
            std::filesystem::copy_file(test_data("gpt2-tokenizer") / f, folder / f);
    return folder;
}

json run_json(const std::vector<std::string>& args)
{
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json{};
}

} // namespace

TEST(Gpt2TextPrompt, FolderTokenizerEncodesThePrompt)
{
    TempDir dir;
    const auto folder = write_gpt2_folder(dir, true);
    // "Hello world" is [15496, 995] in gpt2-tokenizer/reference.json; GPT-2 adds no BOS.
    const auto j = run_json({"run", "-m", folder.string(), "-p", "Hello world", "-n", "4", "--temp", "0", "--json"});
    EXPECT_EQ(j.at("prompt_ids"), json({15496, 995}));
    ASSERT_EQ(j.at("generated_ids").size(), 4u);
    for (const auto& id : j.at("generated_ids"))
        EXPECT_LT(id.get<std::int64_t>(), static_cast<std::int64_t>(V));
    EXPECT_FALSE(j.at("text").get<std::string>().empty());
    const auto plain = run_cli({"run", "-m", folder.string(), "-p", "Hello world", "-n", "4", "--temp", "0"});
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    EXPECT_EQ(plain.out.rfind("Hello world", 0), 0u) << plain.out;
}

TEST(Gpt2TextPrompt, TokenizerFlagForAFolderWithout)
{
    TempDir dir;
    const auto folder = write_gpt2_folder(dir, false);
    const auto no_tok = run_cli({"run", "-m", folder.string(), "-p", "Hello world", "-n", "1"});
    EXPECT_NE(no_tok.exit_code, 0);
    EXPECT_TRUE(no_tok.out.empty());
    EXPECT_THAT(no_tok.err, ::testing::HasSubstr("--prompt-ids"));
    const auto j = run_json({"run", "-m", folder.string(), "--tokenizer", test_data("gpt2-tokenizer").string(),
                             "-p", "Hello world", "-n", "2", "--temp", "0", "--json"});
    EXPECT_EQ(j.at("prompt_ids"), json({15496, 995}));
    const auto bad = run_cli({"run", "-m", folder.string(), "--tokenizer", (dir.path() / "nope").string(), "-p", "x"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_THAT(bad.err, ::testing::HasSubstr("nope"));
}
