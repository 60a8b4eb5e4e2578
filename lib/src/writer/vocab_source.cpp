#include "writer/vocab_source.hpp"

#include "edge_rt/error.hpp"
#include "model/hf_json.hpp"
#include "tokenizer/byte_unicode.hpp"
#include "tokenizer/gpt2_tokenizer.hpp"
#include "tokenizer/loaders.hpp"
#include "tokenizer/spm_tokenizer.hpp"
#include "tokenizer/token_type.hpp"
#include "tokenizer/tokenizer.hpp"
#include "writer/gguf_writer.hpp"

#include <fmt/format.h>
#include <fstream>

namespace fs = std::filesystem;

namespace edge_rt::model {
namespace {

constexpr const char* kEndOfText = "<|endoftext|>";

[[noreturn]] void fail(const fs::path& p, const std::string& what)
{
    throw FormatError(fmt::format("{}: {}", p.string(), what));
}

// The tokenizer files `source` names, as load_tokenizer() finds them.
std::vector<fs::path> tokenizer_files(const fs::path& source)
{
    const bool dir = fs::is_directory(source);
    const fs::path folder = dir ? source : source.parent_path();
    const std::string name = dir ? "" : source.filename().string();
    if ((dir && fs::exists(folder / "tokenizer.json")) || (!dir && source.extension() == ".json" &&
                                                           name != "vocab.json" && name != "encoder.json"))
        return {dir ? folder / "tokenizer.json" : source};
    for (const auto& [vocab, merges] : {std::pair{"vocab.json", "merges.txt"}, {"encoder.json", "vocab.bpe"}})
        if ((dir && fs::exists(folder / vocab)) || name == vocab || name == merges)
            return {folder / vocab, folder / merges};
    throw FormatError(fmt::format("{}: not a GPT-2 tokenizer (expected a GGUF, tokenizer.json, vocab.json + "
                                  "merges.txt or encoder.json + vocab.bpe)",
                                  source.string()));
}

GgufValue token_types(const std::vector<TokenType>& types)
{
    std::vector<std::int32_t> ids;
    ids.reserve(types.size());
    for (const auto t : types)
        ids.push_back(static_cast<std::int32_t>(t));
    return gguf_i32s(ids);
}

// tokenizer.ggml.* keys of a byte-level BPE vocabulary (llama.cpp's "gpt2" model).
VocabPlan gpt2_plan(const Gpt2Vocab& v)
{
    VocabPlan plan;
    plan.n_vocab = static_cast<std::uint32_t>(v.pieces.size());
    std::vector<std::string> merges;
    merges.reserve(v.merges.size());
    for (const auto& [left, right] : v.merges)
        merges.push_back(left + " " + right);
    auto& m = plan.gguf_metadata;
    m.emplace_back("tokenizer.ggml.model", gguf_string("gpt2"));
    m.emplace_back("tokenizer.ggml.pre", gguf_string(std::string(pretokenizer_gguf_name(v.pre))));
    m.emplace_back("tokenizer.ggml.tokens", gguf_strings(v.pieces));
    m.emplace_back("tokenizer.ggml.token_type", token_types(v.types));
    m.emplace_back("tokenizer.ggml.merges", gguf_strings(merges));
    if (v.bos)
        m.emplace_back("tokenizer.ggml.bos_token_id", gguf_u32(static_cast<std::uint32_t>(*v.bos)));
    if (v.eos)
        m.emplace_back("tokenizer.ggml.eos_token_id", gguf_u32(static_cast<std::uint32_t>(*v.eos)));
    if (v.add_bos)
        m.emplace_back("tokenizer.ggml.add_bos_token", gguf_bool(true));
    if (v.add_prefix_space)
        m.emplace_back("tokenizer.ggml.add_space_prefix", gguf_bool(true));
    return plan;
}

// tokenizer.ggml.* keys of a SentencePiece vocabulary (llama.cpp's "llama" model).
VocabPlan spm_plan(const SpmVocab& v)
{
    VocabPlan plan;
    plan.n_vocab = static_cast<std::uint32_t>(v.pieces.size());
    auto& m = plan.gguf_metadata;
    m.emplace_back("tokenizer.ggml.model", gguf_string("llama"));
    m.emplace_back("tokenizer.ggml.tokens", gguf_strings(v.pieces));
    m.emplace_back("tokenizer.ggml.scores", gguf_f32s(v.scores));
    m.emplace_back("tokenizer.ggml.token_type", token_types(v.types));
    const auto id = [&](const char* key, const std::optional<std::int32_t>& t) {
        if (t)
            m.emplace_back(key, gguf_u32(static_cast<std::uint32_t>(*t)));
    };
    id("tokenizer.ggml.bos_token_id", v.bos);
    id("tokenizer.ggml.eos_token_id", v.eos);
    id("tokenizer.ggml.unknown_token_id", v.unk);
    m.emplace_back("tokenizer.ggml.add_bos_token", gguf_bool(v.add_bos));
    m.emplace_back("tokenizer.ggml.add_space_prefix", gguf_bool(v.add_space_prefix));
    return plan;
}

// Unused "[PADn]" entries up to `n` tokens: a model whose embedding has more rows than its
// tokenizer has tokens (as convert_hf_to_gguf.py pads them, so the two agree in the GGUF).
template <typename Vocab>
void pad_vocab(Vocab& v, std::uint32_t n)
{
    for (std::size_t i = v.pieces.size(); i < n; ++i) {
        v.pieces.push_back(fmt::format("[PAD{}]", i));
        v.types.push_back(TokenType::Unused);
        if constexpr (requires { v.scores; })
            v.scores.push_back(0.0f);
    }
}

} // namespace

VocabPlan vocab_for_gguf(const fs::path& source)
{
    if (!fs::exists(source))
        throw IoError(fmt::format("{}: no such file or directory", source.string()));
    if (!fs::is_directory(source) && looks_like_gguf(source)) {
        const GgufFile f = read_gguf(source);
        tokenizer_from_gguf(f); // refuse what our own loader would refuse
        VocabPlan v;
        for (const auto& [key, value] : f.metadata)
            if (key.starts_with("tokenizer."))
                v.gguf_metadata.emplace_back(key, value);
        v.n_vocab = static_cast<std::uint32_t>(f.find("tokenizer.ggml.tokens")->as_array()->size());
        v.description = fmt::format("{} tokens copied from {}", v.n_vocab, source.string());
        return v;
    }
    tokenizer_files(source); // refuse what is not a byte-level BPE file or folder, naming it
    const auto loaded = load_tokenizer(source);
    if (dynamic_cast<const Gpt2Tokenizer*>(loaded.get()) == nullptr)
        fail(source, "is not a byte-level BPE tokenizer");
    auto plan = vocab_of_tokenizer(*loaded);
    plan.description = fmt::format("GPT-2 BPE, {} tokens, from {}", plan.n_vocab, source.string());
    return plan;
}

VocabPlan vocab_of_tokenizer(const Tokenizer& tokenizer, std::uint32_t min_tokens)
{
    if (const auto* spm = dynamic_cast<const SpmTokenizer*>(&tokenizer)) {
        SpmVocab v = spm->vocab();
        pad_vocab(v, min_tokens);
        return spm_plan(v);
    }
    const auto* gpt2 = dynamic_cast<const Gpt2Tokenizer*>(&tokenizer);
    if (gpt2 == nullptr) // every loader makes one of the two
        throw FormatError("this tokenizer has no GGUF form");
    Gpt2Vocab v = gpt2->vocab();
    pad_vocab(v, min_tokens);
    return gpt2_plan(v);
}

VocabPlan vocab_for_safetensors(const fs::path& source)
{
    if (!fs::exists(source))
        throw IoError(fmt::format("{}: no such file or directory", source.string()));
    if (!fs::is_directory(source) && looks_like_gguf(source))
        throw ConfigError(fmt::format("{}: a GGUF vocabulary can only go into a GGUF model (use --format gguf, or "
                                      "give tokenizer.json / vocab.json + merges.txt)",
                                      source.string()));
    VocabPlan v;
    v.files = tokenizer_files(source);
    v.n_vocab = static_cast<std::uint32_t>(load_tokenizer(v.files[0])->vocab_size());
    v.description = fmt::format("{} tokens, tokenizer files copied from {}", v.n_vocab, source.string());
    return v;
}

VocabPlan synthetic_vocab(Arch arch, std::uint32_t n_vocab)
{
    std::vector<std::string> pieces;
    std::vector<TokenType> types;
    const auto filler = [&](const char* prefix) {
        for (std::size_t i = 0; pieces.size() < n_vocab; ++i) {
            pieces.push_back(fmt::format("{}t{}", prefix, i));
            types.push_back(TokenType::Normal);
        }
    };
    if (arch == Arch::Gpt2) {
        Gpt2Vocab v;
        for (int b = 0; b < 256; ++b) {
            v.pieces.push_back(byte_level::encode(std::string(1, static_cast<char>(b))));
            v.types.push_back(TokenType::Normal);
        }
        // Fillers are byte pairs, each with its merge, starting with space + byte ("Ġa").
        for (std::uint32_t k = 0; v.pieces.size() + 1 < n_vocab && k < 65536; ++k) {
            const std::uint32_t pair = (k + 0x20u * 256u) % 65536u;
            const auto left = byte_level::encode(std::string(1, static_cast<char>(pair >> 8)));
            const auto right = byte_level::encode(std::string(1, static_cast<char>(pair & 0xff)));
            v.pieces.push_back(left + right);
            v.types.push_back(TokenType::Normal);
            v.merges.emplace_back(left, right);
        }
        pieces = std::move(v.pieces);
        types = std::move(v.types);
        filler("\xC4\xA0"); // beyond 65536 pairs: unmergeable "Ġt<N>" words
        pieces.back() = kEndOfText;
        types.back() = TokenType::Control;
        v.pieces = std::move(pieces);
        v.types = std::move(types);
        v.bos = v.eos = static_cast<std::int32_t>(v.pieces.size() - 1);
        auto plan = gpt2_plan(v);
        plan.description = fmt::format("synthetic byte-level BPE of {} tokens (byte pairs)", plan.n_vocab);
        return plan;
    }
    SpmVocab v;
    v.pieces = {"<unk>", "<s>", "</s>"};
    v.types = {TokenType::Unknown, TokenType::Control, TokenType::Control};
    for (int b = 0; b < 256; ++b) {
        v.pieces.push_back(fmt::format("<0x{:02X}>", b));
        v.types.push_back(TokenType::Byte);
    }
    v.pieces.push_back("\xE2\x96\x81"); // a lone space, so spaces do not fall back to 3 bytes
    v.types.push_back(TokenType::Normal);
    pieces = std::move(v.pieces);
    types = std::move(v.types);
    filler("\xE2\x96\x81"); // U+2581, SentencePiece's space
    v.pieces = std::move(pieces);
    v.types = std::move(types);
    for (std::size_t i = 0; i < v.pieces.size(); ++i)
        v.scores.push_back(i < 260 ? 0.0f : -static_cast<float>(i));
    v.unk = 0;
    v.bos = 1;
    v.eos = 2;
    auto plan = spm_plan(v);
    plan.description = fmt::format("synthetic SentencePiece vocabulary of {} tokens (byte fallback)", plan.n_vocab);
    return plan;
}

} // namespace edge_rt::model
