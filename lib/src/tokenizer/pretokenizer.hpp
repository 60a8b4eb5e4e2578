// The pre-tokenizers of byte-level BPE vocabularies: how text is cut into words before BPE. Each
// vocabulary family's split pattern is hand-written (no regex engine); GGUF names them in
// tokenizer.ggml.pre.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace edge_rt::model {

enum class PreTokenizer {
    /// GPT-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    Gpt2,
    /// Llama 3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
    ///          ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
    Llama3,
    /// Qwen2: Llama 3's pattern with single digits (\p{N} instead of \p{N}{1,3}).
    Qwen2,
    /// StarCoder, SmolLM: every \p{N} character on its own, then GPT-2's pattern on the rest.
    Starcoder,
    /// DeepSeek LLM: its own sequence of splits (newlines, cased letters, ASCII and CJK
    /// punctuation, trailing whitespace, CJK runs, numbers).
    DeepseekLlm,
};

/// The pre-tokenizer a GGUF tokenizer.ggml.pre value names; nullopt for names not known here.
std::optional<PreTokenizer> pretokenizer_named(std::string_view gguf_pre);

/// The tokenizer.ggml.pre name llama.cpp gives the pattern (gpt2, llama-bpe, qwen2, starcoder,
/// deepseek-llm): what a GGUF that carries this vocabulary writes.
std::string_view pretokenizer_gguf_name(PreTokenizer kind);

/// The pieces of `text`, in order; together they are exactly `text`.
std::vector<std::string_view> pretokenize(PreTokenizer kind, std::string_view text);

/// Llama 3's and Qwen2's pattern, which differ only in how many digits a number piece takes.
std::vector<std::string_view> llama3_pretokenize(std::string_view text, std::size_t max_digits);

/// DeepSeek LLM's sequence of splits.
std::vector<std::string_view> deepseek_llm_pretokenize(std::string_view text);

} // namespace edge_rt::model
