#include "writer/vocab_source.hpp"

#include "edge_rt/error.hpp"
#include "model/hf_json.hpp"
#include "tokenizer/byte_unicode.hpp"
#include "tokenizer/gpt2_tokenizer.hpp"
#include "tokenizer/loaders.hpp"
#include "tokenizer/token_type.hpp"
#include "tokenizer/tokenizer.hpp"
#include "writer/gguf_writer.hpp"

#include <fmt/format.h>
#include <fstream>

namespace fs = std::filesystem;

namespace edge_rt::model {
namespace {

constexpr std::uint64_t kMaxTokenizerBytes = 64u << 20;
constexpr const char* kEndOfText = "<|endoftext|>";

struct BpeFiles {
    std::vector<std::string> pieces; // by id; "" where unassigned
    std::vector<std::string> merges;  // "left right", in rank order
    std::vector<bool> special;
};

[[noreturn]] void fail(const fs::path& p, const std::string& what)
{
    throw FormatError(fmt::format("{}: {}", p.string(), what));
}

void put_piece(BpeFiles& b, const fs::path& p, const std::string& piece, const nlohmann::json& id, bool special)
{
    if (!id.is_number_unsigned() || id.get<std::uint64_t>() >= (1u << 24))
        fail(p, fmt::format("token {} has id {}, not a small non-negative integer", printable(piece), id.dump()));
    const auto i = id.get<std::size_t>();
    if (b.pieces.size() <= i) {
        b.pieces.resize(i + 1);
        b.special.resize(i + 1, false);
    }
    b.pieces[i] = piece;
    b.special[i] = special || piece == kEndOfText;
}

void read_vocab_json(BpeFiles& b, const fs::path& path)
{
    const auto j = read_json_file(path, kMaxTokenizerBytes, 8);
    if (!j.is_object())
        fail(path, "is not a JSON object of token -> id");
    for (const auto& [piece, id] : j.items())
        put_piece(b, path, piece, id, false);
}

void read_merges_txt(BpeFiles& b, const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(fmt::format("{}: cannot open", path.string()));
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || line.starts_with("#version"))
            continue;
        b.merges.push_back(line);
    }
}

void read_tokenizer_json(BpeFiles& b, const fs::path& path)
{
    const auto j = read_json_file(path, kMaxTokenizerBytes, 16);
    const auto model = j.find("model");
    if (model == j.end() || !model->is_object() || !model->contains("vocab") || !(*model)["vocab"].is_object())
        fail(path, "has no model.vocab object (only BPE tokenizer.json files are supported)");
    for (const auto& [piece, id] : (*model)["vocab"].items())
        put_piece(b, path, piece, id, false);
    for (const auto& m : model->value("merges", nlohmann::json::array())) {
        if (m.is_string())
            b.merges.push_back(m.get<std::string>());
        else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string())
            b.merges.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
        else
            fail(path, fmt::format("merge {} is neither \"a b\" nor [\"a\", \"b\"]", b.merges.size()));
    }
    for (const auto& t : j.value("added_tokens", nlohmann::json::array()))
        if (t.is_object() && t.contains("content") && t["content"].is_string() && t.contains("id"))
            put_piece(b, path, t["content"].get<std::string>(), t["id"], t.value("special", false));
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

VocabPlan gpt2_plan(std::vector<std::string> pieces, std::vector<TokenType> types, std::vector<std::string> merges,
                    std::string description, std::string_view pre)
{
    VocabPlan v;
    v.n_vocab = static_cast<std::uint32_t>(pieces.size());
    v.description = std::move(description);
    std::optional<std::int32_t> eot;
    for (std::size_t i = 0; i < pieces.size(); ++i)
        if (pieces[i] == kEndOfText)
            eot = static_cast<std::int32_t>(i);
    v.gguf_metadata.emplace_back("tokenizer.ggml.model", gguf_string("gpt2"));
    v.gguf_metadata.emplace_back("tokenizer.ggml.pre", gguf_string(std::string(pre)));
    v.gguf_metadata.emplace_back("tokenizer.ggml.tokens", gguf_strings(pieces));
    v.gguf_metadata.emplace_back("tokenizer.ggml.token_type", token_types(types));
    v.gguf_metadata.emplace_back("tokenizer.ggml.merges", gguf_strings(merges));
    if (eot) {
        v.gguf_metadata.emplace_back("tokenizer.ggml.bos_token_id", gguf_u32(static_cast<std::uint32_t>(*eot)));
        v.gguf_metadata.emplace_back("tokenizer.ggml.eos_token_id", gguf_u32(static_cast<std::uint32_t>(*eot)));
    }
    return v;
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
    const auto files = tokenizer_files(source);
    BpeFiles b;
    if (files.size() == 1) {
        read_tokenizer_json(b, files[0]);
    } else {
        read_vocab_json(b, files[0]);
        read_merges_txt(b, files[1]);
    }
    std::vector<TokenType> types;
    for (std::size_t i = 0; i < b.pieces.size(); ++i)
        types.push_back(b.pieces[i].empty() ? TokenType::Unused
                        : b.special[i]     ? TokenType::Control
                                           : TokenType::Normal);
    // The pre-tokenizer as our own loader reads the source (tokenizer.json's pre_tokenizer,
    // tokenizer_config.json's tokenizer_class), so the GGUF cuts text the same way.
    const auto loaded = load_tokenizer(source);
    const auto* gpt2 = dynamic_cast<const Gpt2Tokenizer*>(loaded.get());
    if (!gpt2)
        fail(source, "is not a byte-level BPE tokenizer");
    auto plan = gpt2_plan(std::move(b.pieces), std::move(types), std::move(b.merges), "",
                          pretokenizer_gguf_name(gpt2->pre_tokenizer()));
    plan.description = fmt::format("GPT-2 BPE, {} tokens, from {}", plan.n_vocab, source.string());
    return plan;
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
        for (int b = 0; b < 256; ++b) {
            pieces.push_back(byte_level::encode(std::string(1, static_cast<char>(b))));
            types.push_back(TokenType::Normal);
        }
        // Fillers are byte pairs, each with its merge, starting with space + byte ("Ġa").
        std::vector<std::string> merges;
        for (std::uint32_t k = 0; pieces.size() + 1 < n_vocab && k < 65536; ++k) {
            const std::uint32_t pair = (k + 0x20u * 256u) % 65536u;
            const auto left = byte_level::encode(std::string(1, static_cast<char>(pair >> 8)));
            const auto right = byte_level::encode(std::string(1, static_cast<char>(pair & 0xff)));
            pieces.push_back(left + right);
            types.push_back(TokenType::Normal);
            merges.push_back(left + " " + right);
        }
        filler("\xC4\xA0"); // beyond 65536 pairs: unmergeable "Ġt<N>" words
        pieces.back() = kEndOfText;
        types.back() = TokenType::Control;
        auto v = gpt2_plan(std::move(pieces), std::move(types), std::move(merges), "", "gpt2");
        v.description = fmt::format("synthetic byte-level BPE of {} tokens (byte pairs)", v.n_vocab);
        return v;
    }
    pieces = {"<unk>", "<s>", "</s>"};
    types = {TokenType::Unknown, TokenType::Control, TokenType::Control};
    for (int b = 0; b < 256; ++b) {
        pieces.push_back(fmt::format("<0x{:02X}>", b));
        types.push_back(TokenType::Byte);
    }
    pieces.push_back("\xE2\x96\x81"); // a lone space, so spaces do not fall back to 3 bytes
    types.push_back(TokenType::Normal);
    filler("\xE2\x96\x81"); // U+2581, SentencePiece's space
    std::vector<float> scores;
    for (std::size_t i = 0; i < pieces.size(); ++i)
        scores.push_back(i < 260 ? 0.0f : -static_cast<float>(i));
    VocabPlan v;
    v.n_vocab = static_cast<std::uint32_t>(pieces.size());
    v.description = fmt::format("synthetic SentencePiece vocabulary of {} tokens (byte fallback)", v.n_vocab);
    v.gguf_metadata.emplace_back("tokenizer.ggml.model", gguf_string("llama"));
    v.gguf_metadata.emplace_back("tokenizer.ggml.tokens", gguf_strings(pieces));
    v.gguf_metadata.emplace_back("tokenizer.ggml.scores", gguf_f32s(scores));
    v.gguf_metadata.emplace_back("tokenizer.ggml.token_type", token_types(types));
    v.gguf_metadata.emplace_back("tokenizer.ggml.bos_token_id", gguf_u32(1));
    v.gguf_metadata.emplace_back("tokenizer.ggml.eos_token_id", gguf_u32(2));
    v.gguf_metadata.emplace_back("tokenizer.ggml.unknown_token_id", gguf_u32(0));
    v.gguf_metadata.emplace_back("tokenizer.ggml.add_bos_token", gguf_bool(true));
    return v;
}

} // namespace edge_rt::model
