// A model's tokenizer on its own: text to token ids and ids back to their bytes, without loading
// any weight (what `edge-rt-async tokenize` prints).
#pragma once

#include "edge_rt/export.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt {

class EDGE_RT_API Tokenizer {
public:
    /// The tokenizer of a model: a GGUF file carries it; a SafeTensors model (folder or
    /// .safetensors file) has its tokenizer files in the same folder. Throws FormatError /
    /// IoError naming the file.
    static Tokenizer for_model(const std::filesystem::path& model);
    /// A tokenizer alone: a GGUF file (vocabulary-only too), tokenizer.json, a llama2.c
    /// tokenizer.bin, or a folder with vocab.json + merges.txt or encoder.json + vocab.bpe.
    static Tokenizer load(const std::filesystem::path& path);

    Tokenizer(Tokenizer&&) noexcept;
    Tokenizer& operator=(Tokenizer&&) noexcept;
    ~Tokenizer();

    /// Token ids of `text` (bytes, UTF-8 expected), with the BOS id first when `add_bos`.
    std::vector<std::int32_t> encode(std::string_view text, bool add_bos) const;
    /// The vocabulary's entry for `id` as the tokenizer file spells it (GPT-2: byte-level
    /// text, "Ġworld" for " world"; SentencePiece: "▁world").
    std::string piece(std::int32_t id) const;
    /// The bytes token `id` decodes to (may be part of a UTF-8 character).
    std::string token_bytes(std::int32_t id) const;
    std::size_t vocab_size() const;
    /// Whether the tokenizer's own metadata asks for a BOS token in front of a prompt.
    bool add_bos_by_default() const;

    struct Impl; ///< internal (opaque to users)

private:
    explicit Tokenizer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace edge_rt
