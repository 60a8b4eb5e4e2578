// SentencePiece-style tokenizer.json (TinyLlama, Llama 2, Mistral): a test file is made from the
// llama-spm vocab GGUF the way Hugging Face's SpmConverter makes one (vocab by id; as merges,
// every split of a piece into two vocabulary pieces, ordered by the score of the piece), so it
// must reproduce the llama-spm vectors that the GGUF reproduces.
#include "tokenizer_test_support.hpp"
#include "vocab_vectors.hpp"

#include "edge_rt/error.hpp"
#include "model/gguf.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace edge_rt;
using namespace edge_rt::test;
using nlohmann::json;

namespace {

const std::string kMark = "\xE2\x96\x81"; // U+2581

struct GgufSpm {
    std::vector<std::string> pieces;
    std::vector<double> scores;
    std::vector<std::int64_t> types;
};

GgufSpm read_gguf_spm(const std::filesystem::path& path)
{
    const auto f = model::read_gguf(path);
    GgufSpm v;
    for (const auto& t : *f.find("tokenizer.ggml.tokens")->as_array())
        v.pieces.push_back(*t.as_string());
    for (const auto& s : *f.find("tokenizer.ggml.scores")->as_array())
        v.scores.push_back(*s.as_float());
    for (const auto& t : *f.find("tokenizer.ggml.token_type")->as_array())
        v.types.push_back(*t.as_int());
    return v;
}

// The tokenizer.json HF's converter writes for a Llama SentencePiece model (normalizer form).
json spm_tokenizer_json(const GgufSpm& v)
{
    json vocab = json::object();
    std::map<std::string, std::size_t> ids;
    for (std::size_t i = 0; i < v.pieces.size(); ++i) {
        vocab[v.pieces[i]] = i;
        ids.emplace(v.pieces[i], i);
    }
    struct Merge {
        double score;
        std::size_t id, left, right;
    };
    std::vector<Merge> merges;
    for (std::size_t i = 0; i < v.pieces.size(); ++i) {
        if (v.types[i] != 1) // normal pieces only
            continue;
        const auto& p = v.pieces[i];
        for (std::size_t cut = 1; cut < p.size(); ++cut) {
            const auto l = ids.find(p.substr(0, cut));
            const auto r = ids.find(p.substr(cut));
            if (l != ids.end() && r != ids.end() && v.types[l->second] == 1 && v.types[r->second] == 1)
                merges.push_back({v.scores[i], i, l->second, r->second});
        }
    }
    std::stable_sort(merges.begin(), merges.end(), [](const Merge& a, const Merge& b) {
        return a.score != b.score ? a.score > b.score : a.id < b.id;
    });
    json merge_list = json::array();
    for (const auto& m : merges)
        merge_list.push_back(v.pieces[m.left] + " " + v.pieces[m.right]);
    json added = json::array();
    for (std::size_t i = 0; i < v.pieces.size(); ++i)
        if (v.types[i] == 2 || v.types[i] == 3)
            added.push_back({{"id", i}, {"content", v.pieces[i]}, {"special", true}});
    return {
        {"version", "1.0"},
        {"added_tokens", added},
        {"normalizer",
         {{"type", "Sequence"},
          {"normalizers",
           {{{"type", "Prepend"}, {"prepend", kMark}},
            {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kMark}}}}}},
        {"pre_tokenizer", nullptr},
        {"post_processor",
         {{"type", "TemplateProcessing"},
          {"single", {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}}}},
        {"model",
         {{"type", "BPE"},
          {"unk_token", "<unk>"},
          {"byte_fallback", true},
          {"fuse_unk", true},
          {"vocab", vocab},
          {"merges", merge_list}}},
    };
}

class HfSpmJson : public ::testing::Test {
protected:
    void SetUp() override
    {
        gguf_ = shared_tokenizers() / "llama.cpp-vocab-tests" / "ggml-vocab-llama-spm.gguf";
        SKIP_UNLESS_SHARED(gguf_);
    }
    std::filesystem::path write(const json& j)
    {
        const auto path = dir_.path() / "tokenizer.json";
        std::ofstream(path) << j.dump();
        return path;
    }
    std::filesystem::path gguf_;
    TempDir dir_;
};

} // namespace

TEST_F(HfSpmJson, ReproducesTheLlamaSpmVectors)
{
    const auto tok = model::load_tokenizer(write(spm_tokenizer_json(read_gguf_spm(gguf_))));
    EXPECT_EQ(expect_vocab_vectors(*tok, "llama-spm", false), read_vocab_vectors("llama-spm").size());
    EXPECT_EQ(tok->bos(), 1);
    EXPECT_EQ(tok->eos(), 2);
    EXPECT_TRUE(tok->add_bos_by_default());
    EXPECT_TRUE(tok->adds_space_prefix());
    EXPECT_EQ(model::decode(*tok, tok->encode("Hello world\n\xF0\x9F\xA6\x99!", true)), "Hello world\n\xF0\x9F\xA6\x99!");
}

TEST_F(HfSpmJson, MetaspacePreTokenizerFormGivesTheSameIds)
{
    json j = spm_tokenizer_json(read_gguf_spm(gguf_));
    j["normalizer"] = nullptr;
    j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", kMark}, {"prepend_scheme", "first"}, {"split", false}};
    const auto tok = model::load_tokenizer(write(j));
    EXPECT_EQ(expect_vocab_vectors(*tok, "llama-spm", false), read_vocab_vectors("llama-spm").size());
}

TEST_F(HfSpmJson, AddedTokensAlwaysSpecialTokensOnRequest)
{
    json j = spm_tokenizer_json(read_gguf_spm(gguf_));
    const auto size = j["model"]["vocab"].size();
    j["added_tokens"].push_back({{"id", size}, {"content", "<|user|>"}, {"special", true}});
    j["added_tokens"].push_back({{"id", size + 1}, {"content", "[TOOL]"}, {"special", false}});
    const auto tok = model::load_tokenizer(write(j));
    const auto user = static_cast<std::int32_t>(size);
    EXPECT_EQ(tok->vocab_size(), size + 2);
    // Each stretch of text after a special token gets its own dummy prefix, as in llama.cpp and HF.
    auto want = std::vector<std::int32_t>{1, user};
    for (const auto id : tok->encode("Hi", false))
        want.push_back(id);
    want.push_back(user + 1);
    EXPECT_EQ(tok->encode("<|user|>Hi[TOOL]", true, true), want);
    // Without parse_special the control token is spelled out, but the added one is still matched.
    const auto plain = tok->encode("<|user|>Hi[TOOL]", true, false);
    EXPECT_EQ(plain.back(), user + 1) << show(plain);
    EXPECT_EQ(std::count(plain.begin(), plain.end(), user), 0) << show(plain);
    EXPECT_EQ(model::decode(*tok, plain), "<|user|>Hi[TOOL]");
    EXPECT_EQ(tok->piece(user + 1), "[TOOL]");
    EXPECT_EQ(tok->token_bytes(user + 1), "[TOOL]"); // added, not special: decodes to its text
    EXPECT_EQ(tok->token_bytes(user), "");            // special: decodes to nothing
}

TEST_F(HfSpmJson, RefusesWhatItDoesNotReproduce)
{
    json j = spm_tokenizer_json(read_gguf_spm(gguf_));
    j["normalizer"] = {{"type", "NFKC"}};
    try {
        model::load_tokenizer(write(j));
        FAIL() << "an NFKC normalizer was accepted";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("tokenizer.json"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("NFKC"), std::string::npos) << e.what();
    }
    j = spm_tokenizer_json(read_gguf_spm(gguf_));
    j["model"]["merges"].push_back("\xE2\x96\x81Hello zzzqqq");
    EXPECT_THROW(model::load_tokenizer(write(j)), FormatError);
}
