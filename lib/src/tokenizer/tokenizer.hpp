// Text <-> token ids. Two families: SentencePiece-style BPE (Llama 2, TinyLlama, Mistral, Phi-3:
// GGUF metadata, tokenizer.json with byte fallback, llama2.c tokenizer.bin) and byte-level BPE
// with a pre-tokenizer per vocabulary (GPT-2, Llama 3, Qwen2, SmolLM/StarCoder, DeepSeek: GGUF,
// tokenizer.json, vocab.json + merges.txt, encoder.json + vocab.bpe, Llama 3's tiktoken file).
#pragma once

#include "model/gguf.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::model {

/// A vocabulary entry that prompt text may name literally ("<|im_start|>", "<s>").
struct SpecialToken {
    std::string text;
    std::int32_t id;
    /// Control and unknown tokens are matched only when special tokens are parsed; added
    /// (user-defined) tokens always, as Hugging Face and llama.cpp do.
    bool control;
};

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    /// Token ids for `text`, with the BOS id first when `add_bos` (and the vocabulary has one).
    /// Added (user-defined) tokens in the text always become their ids. Control tokens ("<s>",
    /// "<|endoftext|>", "<|im_start|>") do only with `parse_special`; otherwise they are spelled
    /// out as plain text. Where several start at one place the longest wins; each stretch of
    /// text between them is encoded on its own (SentencePiece: with its own dummy prefix, as
    /// llama.cpp and HF do). Bytes that are not valid UTF-8 are encoded as bytes (SentencePiece:
    /// byte fallback, GPT-2: byte-level tokens), so no input fails.
    std::vector<std::int32_t> encode(std::string_view text, bool add_bos, bool parse_special = false) const;

    /// The tokens encode() may match in the text: control, unknown and added tokens.
    virtual const std::vector<SpecialToken>& special_tokens() const = 0;

    /// The raw bytes token `id` stands for when decoding: byte-fallback tokens give their byte,
    /// control tokens (BOS/EOS) give nothing, SentencePiece's U+2581 becomes a space. May be
    /// part of a UTF-8 sequence. Throws FormatError for ids outside the vocabulary.
    virtual std::string token_bytes(std::int32_t id) const = 0;

    /// The vocabulary entry as stored ("▁Once", "<0x0A>", "Ġthe"), for --json output.
    virtual std::string piece(std::int32_t id) const = 0;

    virtual std::size_t vocab_size() const = 0;
    virtual std::optional<std::int32_t> bos() const = 0;
    virtual std::optional<std::int32_t> eos() const = 0;
    /// Whether encode() should add BOS by default (GGUF tokenizer.ggml.add_bos_token; Llama: yes,
    /// GPT-2: no).
    virtual bool add_bos_by_default() const = 0;
    /// SentencePiece's dummy prefix: encode() puts a space before non-empty text, so decoders
    /// drop the leading space of the first piece after BOS again. False for GPT-2.
    virtual bool adds_space_prefix() const { return false; }

protected:
    /// Encodes text in which no special or added token is to be matched.
    virtual std::vector<std::int32_t> encode_text(std::string_view text, bool add_bos) const = 0;
};

/// Turns a stream of token ids into text without ever emitting an incomplete UTF-8 sequence:
/// bytes of a split character are held until the rest arrives; bytes that can never become a
/// character are replaced by U+FFFD at once, so the output is always valid UTF-8. Follows
/// SentencePiece's rule of dropping the leading space of the first piece after BOS (only for
/// tokenizers that add a space prefix).
class StreamingDecoder {
public:
    explicit StreamingDecoder(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {}
    /// The complete UTF-8 text that `id` finishes (possibly empty).
    std::string push(std::int32_t id);
    /// Whatever is still held at the end; invalid leftovers become U+FFFD.
    std::string flush();

private:
    const Tokenizer& tokenizer_;
    std::string pending_;
    bool after_bos_ = false;
};

/// The text of a whole id sequence, as a StreamingDecoder fed every id and then flushed gives it.
std::string decode(const Tokenizer& tokenizer, std::span<const std::int32_t> ids);

/// The tokenizer embedded in a GGUF file (tokenizer.ggml.*), "llama" (SentencePiece BPE) or
/// "gpt2" (byte-level BPE) model. Throws FormatError naming the file when it has none.
std::unique_ptr<Tokenizer> tokenizer_from_gguf(const GgufFile& file);

/// A tokenizer on its own: a GGUF file (vocab-only files work), a tokenizer.json, a llama2.c
/// tokenizer.bin, Llama 3's tiktoken tokenizer.model, vocab.json/merges.txt or
/// encoder.json/vocab.bpe (either file of the pair; tokenizer_config.json and added_tokens.json
/// beside them are read), or a folder holding one of these.
/// Throws IoError for a missing or unreadable path and FormatError for malformed contents, both
/// naming the file.
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& path);

/// The tokenizer that comes with a model at `model_path`: the one in its GGUF header `gguf`,
/// or else the tokenizer files of its SafeTensors folder (or of the folder the path is in).
/// Throws like tokenizer_from_gguf / load_tokenizer when there is none.
std::unique_ptr<Tokenizer> model_tokenizer(const std::optional<GgufFile>& gguf,
                                           const std::filesystem::path& model_path);

/// A special token id from GGUF metadata (e.g. tokenizer.ggml.bos_token_id) for a model run
/// without a tokenizer: nothing when there is no header, no such key, or no usable id
/// (0xFFFFFFFF means "none"). Lenient, unlike the tokenizer loaders: a bad id just means none.
std::optional<std::int32_t> special_token_id(const std::optional<GgufFile>& gguf, const char* key);

} // namespace edge_rt::model
