// A Hugging Face tokenizer.json of SentencePiece-style BPE, as TinyLlama, Llama 2 and Mistral
// ship it: normalizer Prepend("▁") + Replace(" " -> "▁") (or a Metaspace pre-tokenizer), no
// byte-level alphabet, byte fallback to <0xNN> tokens. Loaded into SpmTokenizer: a merge's rank
// becomes the score of the piece it makes, so earlier merges win as in BPE.
#include "tokenizer/hf_spm_tokenizer.hpp"
#include "tokenizer/hf_json.hpp"
#include "tokenizer/hf_tokenizer_config.hpp"
#include "tokenizer/spm_tokenizer.hpp"

#include "edge_rt/error.hpp"

#include <fmt/format.h>

namespace edge_rt::model {
namespace {

using nlohmann::json;

constexpr std::string_view kSpaceMark = "\xE2\x96\x81"; // U+2581

[[noreturn]] void fail(const std::string& source, std::string_view what)
{
    throw FormatError(fmt::format("{}: {}", source, what));
}

using hf::is_type;

// Prepend("▁") followed by Replace(" " -> "▁"), alone or in a Sequence.
bool prepends_space_mark(const json& normalizer)
{
    if (!is_type(normalizer, "Sequence") || !normalizer.contains("normalizers"))
        return false;
    const auto& steps = normalizer["normalizers"];
    if (!steps.is_array() || steps.size() != 2)
        return false;
    const auto& prepend = steps[0];
    const auto& replace = steps[1];
    return is_type(prepend, "Prepend") && prepend.value("prepend", "") == kSpaceMark && is_type(replace, "Replace") &&
           replace.contains("pattern") && replace["pattern"].value("String", "") == " " &&
           replace.value("content", "") == kSpaceMark;
}

// Whether the text gets the dummy "▁" prefix; refuses normalizers and pre-tokenizers this
// tokenizer does not reproduce.
bool space_prefix(const std::string& source, const json& root)
{
    const json normalizer = root.value("normalizer", json());
    const json pre = root.value("pre_tokenizer", json());
    if (prepends_space_mark(normalizer) && pre.is_null())
        return true;
    if (normalizer.is_null() && is_type(pre, "Metaspace") && pre.value("replacement", "") == kSpaceMark &&
        !pre.value("split", true))
        return pre.value("prepend_scheme", "always") != "never";
    fail(source, fmt::format("a SentencePiece-style tokenizer.json needs the normalizer Prepend(\"▁\") + "
                             "Replace(\" \", \"▁\") without a pre-tokenizer, or a Metaspace pre-tokenizer without "
                             "split; this one has normalizer {} and pre_tokenizer {}",
                             normalizer.dump(), pre.dump()));
}

void read_vocab(SpmVocab& v, const json& vocab)
{
    if (!vocab.is_object() || vocab.empty())
        fail(v.source, "model.vocab must be a non-empty object of token -> id");
    v.pieces.resize(vocab.size());
    v.types.assign(vocab.size(), TokenType::Unused);
    for (const auto& [piece, id_json] : vocab.items()) {
        const auto id = static_cast<std::size_t>(hf::token_id(id_json, v.source, fmt::format("token {:?}", piece)));
        if (id >= v.pieces.size())
            fail(v.source, fmt::format("token {:?} has id {} but the vocabulary has {} tokens", piece, id,
                                       v.pieces.size()));
        if (v.types[id] != TokenType::Unused)
            fail(v.source, fmt::format("token id {} is given to both {:?} and {:?}", id, v.pieces[id], piece));
        v.pieces[id] = piece;
        v.types[id] = parse_byte_piece(piece) ? TokenType::Byte : TokenType::Normal;
    }
}

// Scores from the merge ranks: the piece the first merge makes scores highest. Pieces no merge
// makes (single characters, bytes, specials) score below every merge.
void read_merge_scores(SpmVocab& v, const json& merges)
{
    if (!merges.is_array())
        fail(v.source, "model.merges is missing or not an array");
    StringMap<std::int32_t> ids;
    for (std::size_t i = 0; i < v.pieces.size(); ++i)
        ids.emplace(v.pieces[i], static_cast<std::int32_t>(i));
    const auto unranked = -static_cast<float>(merges.size()) - 1.0f;
    v.scores.assign(v.pieces.size(), unranked);
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& m = merges[rank];
        std::string joined;
        if (m.is_string()) {
            const auto& text = m.get_ref<const std::string&>();
            const auto space = text.find(' ');
            if (space == std::string::npos || space == 0 || space + 1 == text.size())
                fail(v.source, fmt::format("model.merges entry {} {:?} is not two tokens separated by a space", rank,
                                           text));
            joined = text.substr(0, space) + text.substr(space + 1);
        } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
            joined = m[0].get<std::string>() + m[1].get<std::string>();
        } else {
            fail(v.source, fmt::format("model.merges entry {} is {}, expected \"a b\" or [\"a\", \"b\"]", rank,
                                       m.dump()));
        }
        const auto it = ids.find(joined);
        if (it == ids.end())
            fail(v.source, fmt::format("model.merges entry {} makes {:?}, which the vocabulary lacks", rank, joined));
        auto& score = v.scores[static_cast<std::size_t>(it->second)];
        if (score == unranked) // a piece several merges make keeps the first rank
            score = -static_cast<float>(rank);
    }
}

void read_added_tokens(SpmVocab& v, const json& root)
{
    for (auto& t : hf::added_tokens(root, v.source)) {
        const auto id = static_cast<std::size_t>(t.id);
        if (id >= v.pieces.size()) {
            v.pieces.resize(id + 1);
            v.types.resize(id + 1, TokenType::Unused);
            v.scores.resize(id + 1, 0.0f);
        }
        v.pieces[id] = std::move(t.content);
        v.types[id] = t.special ? TokenType::Control : TokenType::UserDefined;
    }
}

std::optional<std::int32_t> find_piece(const SpmVocab& v, std::string_view piece)
{
    for (std::size_t i = 0; i < v.pieces.size(); ++i)
        if (v.pieces[i] == piece)
            return static_cast<std::int32_t>(i);
    return std::nullopt;
}

// BOS: the special token a TemplateProcessing post-processor puts before the text ("<s>" $A).
void read_bos_eos(SpmVocab& v, const json& root, const json& model)
{
    v.add_bos = false;
    if (const auto bos = template_bos(root)) {
        v.bos = find_piece(v, *bos);
        v.add_bos = v.bos.has_value();
    }
    if (!v.bos)
        v.bos = find_piece(v, "<s>");
    v.eos = find_piece(v, "</s>");
    if (const json unk = model.value("unk_token", json()); unk.is_string()) {
        v.unk = find_piece(v, unk.get<std::string>());
        if (v.unk)
            v.types[static_cast<std::size_t>(*v.unk)] = TokenType::Unknown;
    }
}

} // namespace

bool is_spm_tokenizer_json(const std::string& source, const json& root)
{
    try { // as load_spm_tokenizer_json: a value of the wrong type (fuzz_tokenizer_json found a
          // Replace "pattern" that is a string) is a format error, not an escaping type_error
        const json model = root.value("model", json());
        return model.is_object() && (model.value("byte_fallback", false) ||
                                     prepends_space_mark(root.value("normalizer", json())) ||
                                     is_type(root.value("pre_tokenizer", json()), "Metaspace"));
    } catch (const json::exception& e) {
        fail(source, fmt::format("unexpected JSON contents ({})", e.what()));
    }
}

std::unique_ptr<Tokenizer> load_spm_tokenizer_json(const std::string& source, const json& root)
{
    SpmVocab v;
    v.source = source;
    try {
        const json& model = root["model"];
        if (model.value("type", "BPE") != "BPE")
            fail(source, fmt::format("model.type {} is not supported (only BPE)", model["type"].dump()));
        v.add_space_prefix = space_prefix(source, root);
        read_vocab(v, model.value("vocab", json()));
        read_merge_scores(v, model.value("merges", json()));
        read_added_tokens(v, root);
        read_bos_eos(v, root, model);
    } catch (const json::exception& e) {
        fail(source, fmt::format("unexpected JSON contents ({})", e.what()));
    }
    return std::make_unique<SpmTokenizer>(std::move(v));
}

} // namespace edge_rt::model
