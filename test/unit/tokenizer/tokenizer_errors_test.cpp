// Broken tokenizer files: every failure is an edge_rt exception with one line naming the file.
#include "tokenizer_test_support.hpp"

#include "edge_rt/error.hpp"
#include "gguf_builder.hpp"
#include "temp_dir.hpp"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace edge_rt;
using namespace edge_rt::test;
using ::testing::HasSubstr;

namespace {

std::span<const std::uint8_t> as_bytes(const std::string& s)
{
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Loads `path`, expecting exception type E whose message names `names` and says `says`.
template <typename E>
void expect_failure(const std::filesystem::path& path, const std::string& says, const std::string& names = {})
{
    try {
        model::load_tokenizer(path);
        ADD_FAILURE() << path << " loaded, expected an error saying '" << says << "'";
    } catch (const E& e) {
        const std::string message = e.what();
        EXPECT_THAT(message, HasSubstr(names.empty() ? path.string() : names));
        EXPECT_THAT(message, HasSubstr(says));
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
}

// A minimal tokenizer.json around the given "model" object.
std::string tokenizer_json(const std::string& model, const std::string& pre = R"({"type": "ByteLevel"})")
{
    return R"({"pre_tokenizer": )" + pre + R"(, "model": )" + model + "}";
}

const std::string kVocab = R"({"a": 0, "b": 1, "ab": 2})";

} // namespace

TEST(TokenizerErrors, BadTokenizerJson)
{
    const TempDir dir;
    const auto write = [&](const char* name, const std::string& text) { return dir.write(name, as_bytes(text)); };
    expect_failure<FormatError>(write("syntax.json", R"({"model": {"vocab": )"), "not valid JSON");
    expect_failure<FormatError>(write("array.json", "[1, 2]"), "JSON object");
    expect_failure<FormatError>(write("nomodel.json", R"({"version": "1.0"})"), "model");
    expect_failure<FormatError>(write("nomerges.json", tokenizer_json(R"({"type": "BPE", "vocab": )" + kVocab + "}")),
                                "model.merges");
    expect_failure<FormatError>(write("vocabarray.json", tokenizer_json(R"({"vocab": ["a", "b"], "merges": []})")),
                                "model.vocab");
    expect_failure<FormatError>(write("emptyvocab.json", tokenizer_json(R"({"vocab": {}, "merges": ["a b"]})")),
                                "model.vocab");
    expect_failure<FormatError>(write("idstring.json", tokenizer_json(R"({"vocab": {"a": "0"}, "merges": []})")),
                                "token \"a\" has id \"0\"");
    expect_failure<FormatError>(write("negative.json", tokenizer_json(R"({"vocab": {"a": -1}, "merges": []})")),
                                "token \"a\" has id -1");
    expect_failure<FormatError>(write("dupid.json", tokenizer_json(R"({"vocab": {"a": 0, "b": 0}, "merges": ["a b"]})")),
                                "token id 0 is given to both");
    expect_failure<FormatError>(write("mergenum.json", tokenizer_json(R"({"vocab": )" + kVocab + R"(, "merges": [7]})")),
                                "model.merges entry 0");
    expect_failure<FormatError>(write("mergeunknown.json",
                                      tokenizer_json(R"({"vocab": )" + kVocab + R"(, "merges": ["a b", "b c"]})")),
                                "merge 2 'b c' uses a token the vocabulary lacks");
    expect_failure<FormatError>(write("mergemakes.json",
                                      tokenizer_json(R"({"vocab": )" + kVocab + R"(, "merges": ["b a"]})")),
                                "merge 1 'b a' makes a token the vocabulary lacks");
    expect_failure<FormatError>(write("unigram.json", tokenizer_json(R"({"type": "Unigram", "vocab": []})")),
                                "model.type \"Unigram\" is not supported");
    expect_failure<FormatError>(
        write("metaspace.json", tokenizer_json(R"({"vocab": )" + kVocab + R"(, "merges": ["a b"]})",
                                               R"({"type": "Metaspace"})")),
        "a SentencePiece-style tokenizer.json needs the normalizer");
    expect_failure<FormatError>(
        write("split.json", tokenizer_json(R"({"vocab": )" + kVocab + R"(, "merges": ["a b"]})",
                                           R"({"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern":
                                               {"Regex": "\\p{L}+"}, "behavior": "Isolated"},
                                               {"type": "ByteLevel", "use_regex": false}]})")),
        "is not one of the byte-level pre-tokenizers supported");
    expect_failure<FormatError>(
        write("nfkc.json", R"({"normalizer": {"type": "NFKC"}, "pre_tokenizer": {"type": "ByteLevel"}, "model": {"vocab": )" +
                               kVocab + R"(, "merges": ["a b"]}})"),
        "normalizer {\"type\":\"NFKC\"} is not supported");
    expect_failure<FormatError>(
        write("added.json", R"({"added_tokens": 5, "pre_tokenizer": {"type": "ByteLevel"}, "model": {"vocab": )" +
                                kVocab + R"(, "merges": ["a b"]}})"),
        "added_tokens is not an array");
    const auto with_added = [&](const char* name, const std::string& entry) {
        return write(name, R"({"added_tokens": [)" + entry + R"(], "pre_tokenizer": {"type": "ByteLevel"}, "model": {"vocab": )" +
                               kVocab + R"(, "merges": ["a b"]}})");
    };
    expect_failure<FormatError>(with_added("added_noid.json", R"({"content": "<x>"})"), "needs an id and a content string");
    expect_failure<FormatError>(with_added("added_id.json", R"({"id": -3, "content": "<x>"})"),
                                "added token \"<x>\" has id -3");
    expect_failure<FormatError>(with_added("added_special.json", R"({"id": 3, "content": "<x>", "special": "yes"})"),
                                "special is not true or false");
}

// The same files minus one detail load: the failures above come from what was broken.
TEST(TokenizerErrors, MinimalTokenizerJsonLoads)
{
    const TempDir dir;
    const std::string text = tokenizer_json(R"({"type": "BPE", "vocab": )" + kVocab + R"(, "merges": ["a b"]})");
    const auto tok = model::load_tokenizer(dir.write("ok.json", as_bytes(text)));
    EXPECT_EQ(tok->encode("ab ba", false), (std::vector<std::int32_t>{2, 1, 0})); // " " has no token: dropped
}

TEST(TokenizerErrors, VocabAndMergesPairs)
{
    const TempDir dir;
    std::filesystem::create_directory(dir.path() / "novocab");
    dir.write("novocab/merges.txt", as_bytes(std::string("#version: 0.2\na b\n")));
    expect_failure<FormatError>(dir.path() / "novocab", "vocab.json is missing");
    expect_failure<FormatError>(dir.path() / "novocab" / "merges.txt", "vocab.json is missing");

    std::filesystem::create_directory(dir.path() / "badline");
    dir.write("badline/vocab.json", as_bytes(kVocab));
    const auto merges = dir.write("badline/merges.txt", as_bytes(std::string("#version: 0.2\na b\nab\n")));
    expect_failure<FormatError>(dir.path() / "badline", "line 3 \"ab\" is not two tokens", merges.string());

    std::filesystem::create_directory(dir.path() / "nomerges");
    dir.write("nomerges/encoder.json", as_bytes(kVocab));
    const auto empty = dir.write("nomerges/vocab.bpe", as_bytes(std::string("#version: 0.2\n")));
    expect_failure<FormatError>(dir.path() / "nomerges", "no merges", empty.string());

    std::filesystem::create_directory(dir.path() / "badjson");
    const auto vocab = dir.write("badjson/vocab.json", as_bytes(std::string("{\"a\": 0,")));
    dir.write("badjson/merges.txt", as_bytes(std::string("a b\n")));
    expect_failure<FormatError>(dir.path() / "badjson", "not valid JSON", vocab.string());
}

TEST(TokenizerErrors, PathsThatHoldNoTokenizer)
{
    const TempDir dir;
    expect_failure<IoError>(dir.path() / "missing.gguf", "no such file");
    expect_failure<FormatError>(dir.path(), "no tokenizer in this folder");
    expect_failure<FormatError>(dir.write("notes.txt", as_bytes(std::string("hello"))), "not a tokenizer file");
}

namespace {

// A valid 5-token llama vocabulary, then `edit` breaks one thing.
std::filesystem::path llama_gguf(const TempDir& dir, const std::string& name,
                                 const std::function<void(GgufBuilder&)>& edit = {})
{
    GgufBuilder b;
    b.kv_string("tokenizer.ggml.model", "llama")
        .kv_strings("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "<0x41>", "\xE2\x96\x81"});
    if (edit)
        edit(b);
    return dir.write(name, b.build());
}

void add_scores(GgufBuilder& b, std::size_t n)
{
    b.kv_raw("tokenizer.ggml.scores", 9, f32_array_payload(std::vector<float>(n, 0.0f)));
}

} // namespace

TEST(TokenizerErrors, BrokenGgufTokenizerMetadata)
{
    const TempDir dir;
    const auto gguf = [&](const std::string& name, const std::function<void(GgufBuilder&)>& build) {
        GgufBuilder b;
        build(b);
        return dir.write(name, b.build());
    };
    expect_failure<FormatError>(gguf("none.gguf", [](GgufBuilder& b) { b.kv_string("general.architecture", "llama"); }),
                                "no tokenizer in this file");
    expect_failure<FormatError>(gguf("bert.gguf", [](GgufBuilder& b) { b.kv_string("tokenizer.ggml.model", "bert"); }),
                                "tokenizer.ggml.model 'bert' is not supported");
    expect_failure<FormatError>(llama_gguf(dir, "noscores.gguf"), "tokenizer.ggml.scores is missing");
    expect_failure<FormatError>(llama_gguf(dir, "fewscores.gguf", [](GgufBuilder& b) { add_scores(b, 4); }),
                                "5 tokens but 4 scores");
    expect_failure<FormatError>(
        llama_gguf(dir, "bos.gguf", [](GgufBuilder& b) { add_scores(b, 5); b.kv_u32("tokenizer.ggml.bos_token_id", 5); }),
        "BOS token id 5 is outside the vocabulary of 5 tokens");
    expect_failure<FormatError>(
        llama_gguf(dir, "type.gguf", [](GgufBuilder& b) { add_scores(b, 5); b.kv_i32s("tokenizer.ggml.token_type", {2, 3, 3, 6, 9}); }),
        "type 9 at token 4");
    expect_failure<FormatError>(
        llama_gguf(dir, "bytepiece.gguf", [](GgufBuilder& b) { add_scores(b, 5); b.kv_i32s("tokenizer.ggml.token_type", {2, 3, 3, 6, 6}); }),
        "byte token 4");
    expect_failure<FormatError>(
        llama_gguf(dir, "scorestr.gguf", [](GgufBuilder& b) { b.kv_strings("tokenizer.ggml.scores", {"0", "0", "0", "0", "0"}); }),
        "tokenizer.ggml.scores holds string values, expected numbers");
    expect_failure<FormatError>(gguf("tokensint.gguf", [](GgufBuilder& b) {
                                    b.kv_string("tokenizer.ggml.model", "llama").kv_i32s("tokenizer.ggml.tokens", {1, 2});
                                }),
                                "tokenizer.ggml.tokens holds i32 values, expected strings");
    expect_failure<FormatError>(gguf("tokensstr.gguf", [](GgufBuilder& b) {
                                    b.kv_string("tokenizer.ggml.model", "llama").kv_string("tokenizer.ggml.tokens", "a");
                                }),
                                "tokenizer.ggml.tokens is string, expected an array");
    expect_failure<FormatError>(gguf("empty.gguf", [](GgufBuilder& b) {
                                    b.kv_string("tokenizer.ggml.model", "llama").kv_strings("tokenizer.ggml.tokens", {});
                                    b.kv_raw("tokenizer.ggml.scores", 9, f32_array_payload({}));
                                }),
                                "vocabulary is empty");
    // The valid base file loads: each failure above is the edit's doing.
    EXPECT_EQ(model::load_tokenizer(llama_gguf(dir, "ok.gguf", [](GgufBuilder& b) { add_scores(b, 5); }))->vocab_size(), 5u);
}

TEST(TokenizerErrors, BrokenGpt2Gguf)
{
    const TempDir dir;
    const auto gpt2_gguf = [&](const std::string& name, const std::string& pre, bool merges) {
        GgufBuilder b;
        b.kv_string("tokenizer.ggml.model", "gpt2").kv_string("tokenizer.ggml.pre", pre).kv_strings("tokenizer.ggml.tokens", {"a", "b", "ab"});
        if (merges)
            b.kv_strings("tokenizer.ggml.merges", {"a b"});
        return dir.write(name, b.build());
    };
    expect_failure<FormatError>(gpt2_gguf("nomerges.gguf", "gpt2", false), "tokenizer.ggml.merges is missing");
    expect_failure<FormatError>(gpt2_gguf("tekken.gguf", "tekken", true), "tokenizer.ggml.pre 'tekken' is not supported");
    EXPECT_EQ(model::load_tokenizer(gpt2_gguf("ok.gguf", "gpt2", true))->encode("ab", false), std::vector<std::int32_t>{2});
    for (const char* pre : {"gpt-2", "phi-2", "llama-bpe", "qwen2", "smollm", "starcoder", "deepseek-llm"})
        EXPECT_EQ(model::load_tokenizer(gpt2_gguf(std::string(pre) + ".gguf", pre, true))->encode("ab", false),
                  std::vector<std::int32_t>{2})
            << pre;
}

TEST(TokenizerErrors, BrokenLlama2cTokenizerBin)
{
    const TempDir dir;
    std::vector<std::uint8_t> bytes;
    put_u32(bytes, 4);          // max_token_length
    put_u32(bytes, 0);          // score 0.0f
    put_u32(bytes, 1);          // length
    bytes.push_back('a');
    put_u32(bytes, 0x3F800000); // score 1.0f
    put_u32(bytes, 3);          // length 3, but only two bytes follow
    bytes.push_back('b');
    bytes.push_back('c');
    expect_failure<FormatError>(dir.write("truncated.bin", bytes), "token 1 claims 3 bytes");
    bytes.push_back('d');
    EXPECT_EQ(model::load_tokenizer(dir.write("ok.bin", bytes))->vocab_size(), 2u);
    put_u32(bytes, 0);
    put_u32(bytes, 100);        // longer than max_token_length
    expect_failure<FormatError>(dir.write("long.bin", bytes), "token 2 claims 100 bytes");
    std::vector<std::uint8_t> model_like;
    put_u32(model_like, 0x7FFFFFFF);
    expect_failure<FormatError>(dir.write("model.bin", model_like), "not a llama2.c tokenizer");
}

TEST(TokenizerErrors, BrokenTiktokenFiles)
{
    const TempDir dir;
    const auto write = [&](const std::string& name, const std::string& text) { return dir.write(name, as_bytes(text)); };
    expect_failure<FormatError>(write("a.model", "IQ== 0\nIg== x\n"), "line 2 is not '<base64 token> <rank>'");
    expect_failure<FormatError>(write("b.model", "\x0a\x0b\x0c protobuf"), "not a tiktoken file");
    expect_failure<FormatError>(write("c.model", "IQ== 0\nIg== 0\n"), "rank 0 is given twice");
    expect_failure<FormatError>(write("d.model", "IQ== 0\nIg== 2\n"), "rank 1 is missing");
    // A huge rank in a one-line file is a gap, refused without sizing a table by it.
    expect_failure<FormatError>(write("f.model", "IQ== 999999999\n"), "rank 0 is missing");
    expect_failure<FormatError>(write("e.model", "IQ== 0\nIg== 1\n"), "only Llama 3's (128000 tokens) is supported");
}

TEST(TokenizerErrors, VocabJsonWithAnUnknownTokenizerClass)
{
    const TempDir dir;
    dir.write("vocab.json", as_bytes(kVocab));
    dir.write("merges.txt", as_bytes(std::string("a b\n")));
    EXPECT_EQ(model::load_tokenizer(dir.path())->encode("ab", false), std::vector<std::int32_t>{2});
    const auto config = dir.write("tokenizer_config.json", as_bytes(std::string(R"({"tokenizer_class": "BloomTokenizer"})")));
    expect_failure<FormatError>(dir.path(), "tokenizer_class \"BloomTokenizer\" is not supported", config.string());
    dir.write("tokenizer_config.json", as_bytes(std::string(R"({"tokenizer_class": "Qwen2Tokenizer",
        "added_tokens_decoder": {"7": {"content": "<x>", "special": false}}})")));
    const auto tok = model::load_tokenizer(dir.path());
    EXPECT_EQ(tok->vocab_size(), 8u);
    EXPECT_EQ(tok->encode("a<x>b", false), (std::vector<std::int32_t>{0, 7, 1})); // added: always matched
}

// Tokenizer files are read whole: one over the 64 MiB limit (a sparse file here) is refused
// before its bytes are allocated (docs/robustness.md).
TEST(TokenizerErrors, AFileOverTheSizeLimitIsRefusedBeforeReading)
{
    const TempDir dir;
    for (const char* name : {"tokenizer.json", "tokenizer.model", "tokenizer.bin"}) {
        const auto path = dir.path() / name;
        { std::ofstream(path) << "{"; }
        std::filesystem::resize_file(path, (64u << 20) + 1);
        expect_failure<FormatError>(path, "67108865 bytes is more than the 67108864-byte limit for a tokenizer file");
    }
}
