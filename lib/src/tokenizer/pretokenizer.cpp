// Which pre-tokenizer a vocabulary uses, and the ones built from simpler splits.
#include "tokenizer/pretokenizer.hpp"
#include "tokenizer/char_class.hpp"
#include "tokenizer/gpt2_pretokenizer.hpp"
#include "tokenizer/split_isolated.hpp"

#include <array>
#include <utility>

namespace edge_rt::model {
namespace {

// tokenizer.ggml.pre values, grouped by the pattern they stand for (llama.cpp's names).
constexpr std::array<std::pair<std::string_view, PreTokenizer>, 17> kNames{{
    {"default", PreTokenizer::Gpt2}, // what older GPT-2 conversions wrote
    {"gpt2", PreTokenizer::Gpt2},
    {"gpt-2", PreTokenizer::Gpt2},
    {"phi-2", PreTokenizer::Gpt2},
    {"mpt", PreTokenizer::Gpt2},
    {"llama3", PreTokenizer::Llama3},
    {"llama-v3", PreTokenizer::Llama3},
    {"llama-bpe", PreTokenizer::Llama3},
    {"falcon3", PreTokenizer::Llama3},
    {"qwen2", PreTokenizer::Qwen2},
    {"deepseek-r1-qwen", PreTokenizer::Qwen2},
    {"starcoder", PreTokenizer::Starcoder},
    {"smollm", PreTokenizer::Starcoder},
    {"refact", PreTokenizer::Starcoder},
    {"command-r", PreTokenizer::Starcoder},
    {"codeshell", PreTokenizer::Starcoder},
    {"deepseek-llm", PreTokenizer::DeepseekLlm},
}};

// \p{N}: one number character.
std::size_t one_number(std::string_view piece, std::size_t pos)
{
    const Char c = char_at(piece, pos);
    return c.cls == CharClass::Number ? c.length : 0;
}

std::vector<std::string_view> starcoder_pretokenize(std::string_view text)
{
    std::vector<std::string_view> out;
    for (const auto piece : split_isolated({text}, one_number))
        for (const auto word : gpt2_pretokenize(piece))
            out.push_back(word);
    return out;
}

} // namespace

std::vector<std::string_view> split_isolated(const std::vector<std::string_view>& pieces, Matcher match)
{
    std::vector<std::string_view> out;
    for (const auto piece : pieces) {
        std::size_t gap = 0; // start of the text not matched yet
        for (std::size_t pos = 0; pos < piece.size();) {
            const std::size_t length = match(piece, pos);
            if (length == 0) {
                pos += char_at(piece, pos).length;
                continue;
            }
            if (gap < pos)
                out.push_back(piece.substr(gap, pos - gap));
            out.push_back(piece.substr(pos, length));
            pos += length;
            gap = pos;
        }
        if (gap < piece.size())
            out.push_back(piece.substr(gap));
    }
    return out;
}

std::optional<PreTokenizer> pretokenizer_named(std::string_view gguf_pre)
{
    for (const auto& [name, kind] : kNames)
        if (name == gguf_pre)
            return kind;
    return std::nullopt;
}

std::string_view pretokenizer_gguf_name(PreTokenizer kind)
{
    switch (kind) {
    case PreTokenizer::Gpt2: return "gpt2";
    case PreTokenizer::Llama3: return "llama-bpe";
    case PreTokenizer::Qwen2: return "qwen2";
    case PreTokenizer::Starcoder: return "starcoder";
    case PreTokenizer::DeepseekLlm: return "deepseek-llm";
    }
    return "gpt2";
}

std::vector<std::string_view> pretokenize(PreTokenizer kind, std::string_view text)
{
    switch (kind) {
    case PreTokenizer::Gpt2: return gpt2_pretokenize(text);
    case PreTokenizer::Llama3: return llama3_pretokenize(text, 3);
    case PreTokenizer::Qwen2: return llama3_pretokenize(text, 1);
    case PreTokenizer::Starcoder: return starcoder_pretokenize(text);
    case PreTokenizer::DeepseekLlm: return deepseek_llm_pretokenize(text);
    }
    return {};
}

} // namespace edge_rt::model
