// Special tokens written in prompt text (encode with parse_special): Qwen2's ChatML markers and
// Llama 3's header and end-of-turn tokens become their ids; without the option they are text.
// Expected ids come from the files themselves (added_tokens.json, the tiktoken ranks), read here
// without the library.
#include "tokenizer_test_support.hpp"
#include "vocab_vectors.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace edge_rt;
using namespace edge_rt::test;
using Ids = std::vector<std::int32_t>;

namespace {

nlohmann::json read_json(const std::filesystem::path& path)
{
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

// The rank of a token in the tiktoken file: the line "<base64> <rank>".
std::int32_t tiktoken_rank(const std::filesystem::path& path, const std::string& base64)
{
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        if (line.starts_with(base64 + " "))
            return std::stoi(line.substr(base64.size() + 1));
    throw std::runtime_error(base64 + " is not in " + path.string());
}

Ids concat(std::initializer_list<Ids> parts)
{
    Ids out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

bool contains_any(const Ids& ids, std::int32_t from)
{
    return std::any_of(ids.begin(), ids.end(), [&](std::int32_t id) { return id >= from; });
}

} // namespace

TEST(SpecialTokens, Qwen2ChatMarkers)
{
    const auto dir = shared_tokenizers() / "qwen2";
    SKIP_UNLESS_SHARED(dir / "vocab.json");
    const auto tok = model::load_tokenizer(dir);
    const auto added = read_json(dir / "added_tokens.json");
    const auto vocab = read_json(dir / "vocab.json");
    const std::int32_t start = added["<|im_start|>"], end = added["<|im_end|>"];
    const std::string text = "<|im_start|>user\nHello<|im_end|>";
    // "user", "\n" (byte-level "Ċ") and "Hello" are single entries of vocab.json.
    const Ids want{start, vocab["user"], vocab["\xC4\x8A"], vocab["Hello"], end};
    EXPECT_EQ(tok->encode(text, false, true), want) << show(tok->encode(text, false, true));
    const Ids plain = tok->encode(text, false, false);
    EXPECT_FALSE(contains_any(plain, 151643)) << show(plain);
    EXPECT_EQ(model::decode(*tok, plain), text);
    EXPECT_EQ(tok->eos(), end); // tokenizer_config.json's eos_token
    EXPECT_FALSE(tok->add_bos_by_default());
    EXPECT_EQ(tok->encode("<|endoftext|>", false, true), (Ids{added["<|endoftext|>"]}));
}

TEST(SpecialTokens, Llama3HeadersAndLongestMatch)
{
    const auto path = shared_tokenizers() / "llama3" / "tokenizer.model";
    SKIP_UNLESS_SHARED(path);
    const auto tok = model::load_tokenizer(path);
    // Ids of Meta's tokenizer.py (see ../shared/tokenizers/llama3/SOURCE.txt).
    const std::int32_t begin = 128000, start_header = 128006, end_header = 128007, eot = 128009;
    const Ids user{tiktoken_rank(path, "dXNlcg==")};      // "user"
    const Ids two_newlines{tiktoken_rank(path, "Cgo=")};  // "\n\n"
    const Ids hello{tiktoken_rank(path, "SGVsbG8=")};     // "Hello"
    const std::string text = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>";
    EXPECT_EQ(tok->encode(text, false, true),
              concat({{begin, start_header}, user, {end_header}, two_newlines, hello, {eot}}));
    // With BOS on as well, BOS comes first and the written one follows.
    EXPECT_EQ(tok->encode("<|begin_of_text|>", true, true), (Ids{begin, begin}));
    EXPECT_FALSE(contains_any(tok->encode(text, false, false), 128000));
    EXPECT_EQ(tok->piece(eot), "<|eot_id|>");
    EXPECT_EQ(tok->token_bytes(eot), ""); // control tokens decode to nothing

    // <|reserved_special_token_1|> is a prefix of ..._10|>... only in text before "0|>"; the
    // longest token that starts at a place wins.
    const auto ten = tok->encode("<|reserved_special_token_10|>", false, true);
    ASSERT_EQ(ten.size(), 1u) << show(ten);
    EXPECT_EQ(tok->piece(ten[0]), "<|reserved_special_token_10|>");
    EXPECT_EQ(tok->encode("<|reserved_special_token_1|>0", false, true),
              concat({{128003}, tok->encode("0", false)})); // reserved_1 is 128003
    EXPECT_EQ(tok->bos(), begin);
    EXPECT_TRUE(tok->add_bos_by_default());
}

TEST(SpecialTokens, NoSpecialTokensMeansPlainText)
{
    // GPT-2 from encoder.json has <|endoftext|> as its one special token.
    const auto& tok = gpt2();
    EXPECT_EQ(tok.encode("a<|endoftext|>b", false, true), (Ids{64, 50256, 65}));
    EXPECT_EQ(tok.encode("a<|endoftext|>b", false, false), tok.encode("a<|endoftext|>b", false));
    EXPECT_EQ(tok.encode("", false, true), Ids{});
}
