// llama2.c's tokenizer.bin, read as a SentencePiece vocabulary.
#include "tokenizer/loaders.hpp"
#include "tokenizer/spm_tokenizer.hpp"

#include "edge_rt/error.hpp"

#include <cstring>
#include <fmt/format.h>

namespace edge_rt::model {
namespace {

template <typename T>
T read_le(const std::string& bytes, std::size_t& pos, const std::string& path, std::size_t token)
{
    if (bytes.size() - pos < sizeof(T))
        throw FormatError(fmt::format("{}: truncated in token {}", path, token));
    T value;
    std::memcpy(&value, bytes.data() + pos, sizeof(T));
    pos += sizeof(T);
    return value;
}

// llama2.c's exporter turned U+2581 into a space: turn it back so the SentencePiece encoder,
// which works on "▁"-spelled text, finds the pieces.
std::string spm_spelling(std::string_view piece)
{
    std::string out;
    for (const char c : piece) {
        if (c == ' ')
            out += "\xE2\x96\x81";
        else
            out += c;
    }
    return out;
}

TokenType type_of(std::size_t id, std::string_view piece)
{
    if (id == 0)
        return TokenType::Unknown; // <unk>
    if (id <= 2)
        return TokenType::Control; // "\n<s>\n", "\n</s>\n"
    return parse_byte_piece(piece) ? TokenType::Byte : TokenType::Normal;
}

} // namespace

std::unique_ptr<Tokenizer> load_llama2c_tokenizer(const std::filesystem::path& path)
{
    const std::string source = path.string();
    const std::string bytes = read_whole_file(path);
    std::size_t pos = 0;
    const auto max_length = read_le<std::int32_t>(bytes, pos, source, 0);
    if (max_length <= 0 || max_length > 4096)
        throw FormatError(fmt::format("{}: max_token_length {} is implausible: not a llama2.c tokenizer",
                                      source, max_length));
    SpmVocab v;
    v.source = source;
    while (pos < bytes.size()) {
        const std::size_t id = v.pieces.size();
        v.scores.push_back(read_le<float>(bytes, pos, source, id));
        const auto length = read_le<std::int32_t>(bytes, pos, source, id);
        if (length < 0 || length > max_length || static_cast<std::size_t>(length) > bytes.size() - pos)
            throw FormatError(fmt::format("{}: token {} claims {} bytes (max_token_length {}, {} left)", source,
                                          id, length, max_length, bytes.size() - pos));
        const std::string_view piece(bytes.data() + pos, static_cast<std::size_t>(length));
        pos += static_cast<std::size_t>(length);
        v.types.push_back(type_of(id, piece));
        v.pieces.push_back(v.types.back() == TokenType::Normal ? spm_spelling(piece) : std::string(piece));
    }
    // llama2.c's fixed ids: <unk> 0, BOS 1, EOS 2; it always adds BOS and the dummy prefix.
    const auto fixed = [&](std::int32_t id) {
        return static_cast<std::size_t>(id) < v.pieces.size() ? std::optional(id) : std::nullopt;
    };
    v.unk = fixed(0);
    v.bos = fixed(1);
    v.eos = fixed(2);
    return std::make_unique<SpmTokenizer>(std::move(v));
}

} // namespace edge_rt::model
