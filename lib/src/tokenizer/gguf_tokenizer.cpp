// The tokenizer a GGUF file carries in its tokenizer.ggml.* metadata.
#include "tokenizer/gpt2_tokenizer.hpp"
#include "tokenizer/spm_tokenizer.hpp"
#include "tokenizer/tokenizer.hpp"

#include "edge_rt/error.hpp"

#include <fmt/format.h>
#include <limits>

namespace edge_rt::model {
namespace {

[[noreturn]] void fail(const GgufFile& f, std::string_view what)
{
    throw FormatError(fmt::format("{}: {}", f.path, what));
}

const std::vector<GgufValue>* array_of(const GgufFile& f, std::string_view key, bool required)
{
    const GgufValue* v = f.find(key);
    if (v == nullptr) {
        if (required)
            fail(f, fmt::format("tokenizer metadata {} is missing", key));
        return nullptr;
    }
    if (v->as_array() == nullptr)
        fail(f, fmt::format("metadata key {} is {}, expected an array", key, gguf_type_name(v->type)));
    return v->as_array();
}

std::vector<std::string> strings(const GgufFile& f, std::string_view key, bool required)
{
    std::vector<std::string> out;
    const auto* items = array_of(f, key, required);
    if (items == nullptr)
        return out;
    out.reserve(items->size());
    for (const auto& item : *items) {
        const auto* s = item.as_string();
        if (s == nullptr)
            fail(f, fmt::format("metadata key {} holds {} values, expected strings", key,
                                gguf_type_name(item.type)));
        out.push_back(*s);
    }
    return out;
}

std::vector<float> floats(const GgufFile& f, std::string_view key)
{
    std::vector<float> out;
    const auto* items = array_of(f, key, true);
    out.reserve(items->size());
    for (const auto& item : *items) {
        const auto v = item.as_float();
        if (!v || item.type == GgufType::Bool)
            fail(f, fmt::format("metadata key {} holds {} values, expected numbers", key,
                                gguf_type_name(item.type)));
        out.push_back(static_cast<float>(*v));
    }
    return out;
}

// Token types; without the key every token is normal except <0xNN> pieces (bytes).
std::vector<TokenType> token_types(const GgufFile& f, const std::vector<std::string>& pieces)
{
    const char* key = "tokenizer.ggml.token_type";
    std::vector<TokenType> out;
    const auto* items = array_of(f, key, false);
    if (items == nullptr) {
        for (const auto& p : pieces)
            out.push_back(parse_byte_piece(p) ? TokenType::Byte : TokenType::Normal);
        return out;
    }
    out.reserve(items->size());
    for (const auto& item : *items) {
        const auto v = item.as_int();
        if (!v || item.type == GgufType::Bool)
            fail(f, fmt::format("metadata key {} holds {} values, expected integers", key,
                                gguf_type_name(item.type)));
        if (*v < 1 || *v > 6)
            fail(f, fmt::format("metadata key {} has type {} at token {}, expected 1 to 6", key, *v,
                                out.size()));
        out.push_back(static_cast<TokenType>(*v));
    }
    return out;
}

// An optional special token id; -1 / 0xFFFFFFFF mean "none", as llama.cpp writes them.
std::optional<std::int32_t> token_id(const GgufFile& f, std::string_view key)
{
    const GgufValue* v = f.find(key);
    if (v == nullptr)
        return std::nullopt;
    const auto i = v->as_int();
    if (!i || v->type == GgufType::Bool)
        fail(f, fmt::format("metadata key {} is {}, expected a token id", key, gguf_type_name(v->type)));
    if (*i == -1 || *i == std::numeric_limits<std::uint32_t>::max())
        return std::nullopt;
    if (*i < 0 || *i > std::numeric_limits<std::int32_t>::max())
        fail(f, fmt::format("metadata key {} is {}, not a token id", key, *i));
    return static_cast<std::int32_t>(*i);
}

bool flag(const GgufFile& f, std::string_view key, bool fallback)
{
    const GgufValue* v = f.find(key);
    if (v == nullptr)
        return fallback;
    if (const auto* b = std::get_if<bool>(&v->data))
        return *b;
    fail(f, fmt::format("metadata key {} is {}, expected a bool", key, gguf_type_name(v->type)));
}

std::unique_ptr<Tokenizer> spm_from_gguf(const GgufFile& f, std::vector<std::string> pieces)
{
    SpmVocab v;
    v.source = f.path;
    v.scores = floats(f, "tokenizer.ggml.scores");
    v.types = token_types(f, pieces);
    v.pieces = std::move(pieces);
    v.bos = token_id(f, "tokenizer.ggml.bos_token_id");
    v.eos = token_id(f, "tokenizer.ggml.eos_token_id");
    v.unk = token_id(f, "tokenizer.ggml.unknown_token_id");
    v.add_bos = flag(f, "tokenizer.ggml.add_bos_token", true);
    v.add_space_prefix = flag(f, "tokenizer.ggml.add_space_prefix", true);
    return std::make_unique<SpmTokenizer>(std::move(v));
}

std::unique_ptr<Tokenizer> gpt2_from_gguf(const GgufFile& f, std::vector<std::string> pieces)
{
    Gpt2Vocab v;
    // Each vocabulary family cuts text its own way: an unknown name is refused, not guessed.
    if (const auto pre = f.get_string("tokenizer.ggml.pre")) {
        const auto kind = pretokenizer_named(*pre);
        if (!kind)
            fail(f, fmt::format("tokenizer.ggml.pre '{}' is not supported (known: gpt-2, llama-bpe, qwen2, "
                                "smollm, starcoder, deepseek-llm, phi-2 and their aliases)",
                                *pre));
        v.pre = *kind;
        v.ignore_merges = *kind == PreTokenizer::Llama3;
    }
    v.source = f.path;
    v.types = token_types(f, pieces);
    v.pieces = std::move(pieces);
    for (auto& merge : strings(f, "tokenizer.ggml.merges", true)) {
        const auto space = merge.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 == merge.size())
            fail(f, fmt::format("tokenizer.ggml.merges entry {} '{}' is not two tokens separated by a space",
                                v.merges.size(), merge));
        v.merges.emplace_back(merge.substr(0, space), merge.substr(space + 1));
    }
    v.bos = token_id(f, "tokenizer.ggml.bos_token_id");
    v.eos = token_id(f, "tokenizer.ggml.eos_token_id");
    v.add_bos = flag(f, "tokenizer.ggml.add_bos_token", false);
    v.add_prefix_space = flag(f, "tokenizer.ggml.add_space_prefix", false);
    return std::make_unique<Gpt2Tokenizer>(std::move(v));
}

} // namespace

std::unique_ptr<Tokenizer> tokenizer_from_gguf(const GgufFile& file)
{
    const auto model = file.get_string("tokenizer.ggml.model");
    if (!model)
        fail(file, "no tokenizer in this file (tokenizer.ggml.model is missing)");
    if (*model != "llama" && *model != "gpt2")
        fail(file, fmt::format("tokenizer.ggml.model '{}' is not supported (llama or gpt2)", *model));
    auto pieces = strings(file, "tokenizer.ggml.tokens", true);
    if (*model == "llama")
        return spm_from_gguf(file, std::move(pieces));
    return gpt2_from_gguf(file, std::move(pieces));
}

} // namespace edge_rt::model
