// GPT-2 byte-level BPE from Hugging Face files: tokenizer.json, or vocab.json + merges.txt
// (OpenAI's encoder.json + vocab.bpe hold the same contents).
#include "tokenizer/gpt2_tokenizer.hpp"
#include "tokenizer/hf_json.hpp"
#include "tokenizer/hf_spm_tokenizer.hpp"
#include "tokenizer/hf_tokenizer_config.hpp"
#include "tokenizer/loaders.hpp"

#include "edge_rt/error.hpp"

#include <fmt/format.h>
#include <functional>
#include <nlohmann/json.hpp>

namespace edge_rt::model {
namespace {

using nlohmann::json;

constexpr std::string_view kEndOfText = "<|endoftext|>";

[[noreturn]] void fail(const std::string& source, std::string_view what)
{
    throw FormatError(fmt::format("{}: {}", source, what));
}

json parse_json(const std::filesystem::path& path)
{
    const std::string text = read_whole_file(path);
    try {
        return json::parse(text);
    } catch (const json::exception& e) { // parse errors and number overflow (out_of_range 406)
        fail(path.string(), fmt::format("not valid JSON ({})", e.what()));
    }
}

using hf::token_id;

// Puts `piece` at `id`, growing the tables; unassigned ids in between stay Unused.
void assign(Gpt2Vocab& v, std::int32_t id, std::string piece, TokenType type, bool may_replace)
{
    const auto i = static_cast<std::size_t>(id);
    if (i >= v.pieces.size()) {
        v.pieces.resize(i + 1);
        v.types.resize(i + 1, TokenType::Unused);
    }
    if (v.types[i] != TokenType::Unused && !may_replace && v.pieces[i] != piece)
        fail(v.source, fmt::format("token id {} is given to both {:?} and {:?}", id, v.pieces[i], piece));
    v.pieces[i] = std::move(piece);
    v.types[i] = type;
}

void read_vocab_object(Gpt2Vocab& v, const json& vocab, std::string_view where)
{
    if (!vocab.is_object() || vocab.empty())
        fail(v.source, fmt::format("{} must be a non-empty object of token -> id", where));
    for (const auto& [piece, id] : vocab.items())
        assign(v, token_id(id, v.source, fmt::format("token {:?}", piece)), piece, TokenType::Normal, false);
}

std::pair<std::string, std::string> split_merge(const std::string& line, const std::string& source,
                                                std::string_view where)
{
    const auto space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string::npos)
        fail(source, fmt::format("{} {:?} is not two tokens separated by one space", where, line));
    return {line.substr(0, space), line.substr(space + 1)};
}

void read_merges_array(Gpt2Vocab& v, const json& merges)
{
    if (!merges.is_array())
        fail(v.source, "model.merges is missing or not an array");
    v.merges.reserve(merges.size());
    for (const auto& m : merges) {
        const std::string where = fmt::format("model.merges entry {}", v.merges.size());
        if (m.is_string())
            v.merges.push_back(split_merge(m.get_ref<const std::string&>(), v.source, where));
        else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string())
            v.merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
        else
            fail(v.source, fmt::format("{} is {}, expected \"a b\" or [\"a\", \"b\"]", where, m.dump()));
    }
}

void read_added_tokens(Gpt2Vocab& v, const json& root)
{
    for (auto& t : hf::added_tokens(root, v.source))
        assign(v, t.id, std::move(t.content), t.special ? TokenType::Control : TokenType::UserDefined, true);
}

// The Split patterns of the Llama 3 and Qwen2 tokenizer.json files, as written there.
constexpr std::string_view kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

using hf::is_type;

bool is_byte_level(const json& j, bool use_regex)
{
    return is_type(j, "ByteLevel") && j.value("use_regex", true) == use_regex;
}

// The pre-tokenizer of a byte-level tokenizer.json, when it is one written here: GPT-2's
// ByteLevel; StarCoder's Digits + ByteLevel; Llama 3's or Qwen2's Split + ByteLevel.
std::optional<PreTokenizer> byte_level_pretokenizer(const json& pre)
{
    if (is_byte_level(pre, true))
        return PreTokenizer::Gpt2;
    if (!is_type(pre, "Sequence") || !pre.contains("pretokenizers") || !pre["pretokenizers"].is_array())
        return std::nullopt;
    const auto& steps = pre["pretokenizers"];
    if (steps.size() == 1 && is_byte_level(steps[0], true))
        return PreTokenizer::Gpt2;
    if (steps.size() != 2)
        return std::nullopt;
    if (is_type(steps[0], "Digits") && steps[0].value("individual_digits", false) && is_byte_level(steps[1], true))
        return PreTokenizer::Starcoder;
    if (!is_type(steps[0], "Split") || !is_byte_level(steps[1], false) || steps[0].value("invert", false) ||
        steps[0].value("behavior", "") != "Isolated" || !steps[0].contains("pattern"))
        return std::nullopt;
    const std::string regex = steps[0]["pattern"].value("Regex", "");
    if (regex == kLlama3Pattern)
        return PreTokenizer::Llama3;
    if (regex == kQwen2Pattern)
        return PreTokenizer::Qwen2;
    return std::nullopt;
}

// A normalizer would change the text before it is cut: only none, or NFC (Qwen2; the text is
// taken as already composed, which typed and generated text almost always is), is accepted.
void check_normalizer(const Gpt2Vocab& v, const json& root)
{
    const json normalizer = root.value("normalizer", json());
    if (!normalizer.is_null() && !is_type(normalizer, "NFC") &&
        !(is_type(normalizer, "Sequence") && normalizer.value("normalizers", json::array()).empty()))
        fail(v.source, fmt::format("normalizer {} is not supported for byte-level BPE", normalizer.dump()));
}

void check_byte_level(Gpt2Vocab& v, const json& root)
{
    const auto model = root.find("model");
    if (model == root.end() || !model->is_object())
        fail(v.source, "no \"model\" object: not a tokenizer.json");
    if (const auto type = model->find("type"); type != model->end() && *type != "BPE")
        fail(v.source, fmt::format("model.type {} is not supported (only BPE)", type->dump()));
    const json pre = root.value("pre_tokenizer", json());
    const auto kind = byte_level_pretokenizer(pre);
    if (!kind)
        fail(v.source, fmt::format("pre_tokenizer {} is not one of the byte-level pre-tokenizers supported "
                                   "(GPT-2 ByteLevel, StarCoder Digits + ByteLevel, Llama 3 or Qwen2 Split + ByteLevel)",
                                   pre.dump().substr(0, 300)));
    check_normalizer(v, root);
    v.pre = *kind;
    v.ignore_merges = model->value("ignore_merges", false);
    const json& level = is_type(pre, "Sequence") ? pre["pretokenizers"].back() : pre;
    v.add_prefix_space = level.value("add_prefix_space", false);
}

// <|endoftext|> is GPT-2's only special token: it ends (and may start) a document.
void mark_end_of_text(Gpt2Vocab& v)
{
    for (std::size_t i = 0; i < v.pieces.size(); ++i) {
        if (v.pieces[i] == kEndOfText) {
            v.types[i] = TokenType::Control;
            v.bos = v.eos = static_cast<std::int32_t>(i);
        }
    }
}

// `fill` reads the vocabulary; `configure` then adjusts it (added tokens, BOS/EOS).
std::unique_ptr<Tokenizer> build(const std::string& source, const std::function<void(Gpt2Vocab&)>& fill,
                                 const std::function<void(Gpt2Vocab&)>& configure = {})
{
    Gpt2Vocab v;
    v.source = source;
    try {
        fill(v);
        mark_end_of_text(v);
        if (configure)
            configure(v);
    } catch (const json::exception& e) { // a value of the wrong type deep inside
        fail(source, fmt::format("unexpected JSON contents ({})", e.what()));
    }
    return std::make_unique<Gpt2Tokenizer>(std::move(v));
}

} // namespace

std::unique_ptr<Tokenizer> load_tokenizer_json(const std::filesystem::path& path)
{
    const json root = parse_json(path);
    if (root.is_object() && is_spm_tokenizer_json(path.string(), root))
        return load_spm_tokenizer_json(path.string(), root);
    return build(path.string(), [&](Gpt2Vocab& v) {
        if (!root.is_object())
            fail(v.source, "expected a JSON object at the top");
        check_byte_level(v, root);
        const auto& model = root["model"];
        read_vocab_object(v, model.contains("vocab") ? model["vocab"] : json(), "model.vocab");
        read_merges_array(v, model.contains("merges") ? model["merges"] : json());
        read_added_tokens(v, root);
    }, [&](Gpt2Vocab& v) {
        // A BOS the post-processor adds (Llama 3's <|begin_of_text|>); the config beside the
        // file may name BOS/EOS too.
        if (const auto bos = template_bos(root)) {
            for (std::size_t i = 0; i < v.pieces.size(); ++i)
                if (v.pieces[i] == *bos)
                    v.bos = static_cast<std::int32_t>(i);
            v.add_bos = true;
        }
        apply_tokenizer_config(v, path.parent_path(), false);
    });
}

std::unique_ptr<Tokenizer> load_vocab_and_merges(const std::filesystem::path& vocab,
                                                 const std::filesystem::path& merges)
{
    const json vocab_json = parse_json(vocab);
    const std::string merges_text = read_whole_file(merges);
    const std::string merges_source = merges.string();
    // Errors about the pair (a merge that uses a token the vocabulary lacks) name both files.
    const std::string source = fmt::format("{} + {}", vocab.string(), merges.filename().string());
    return build(source, [&](Gpt2Vocab& v) {
        v.source = vocab.string();
        read_vocab_object(v, vocab_json, "the vocabulary");
        v.source = source;
        std::size_t line_no = 0;
        for (std::size_t pos = 0; pos < merges_text.size();) {
            auto end = merges_text.find('\n', pos);
            if (end == std::string::npos)
                end = merges_text.size();
            std::string line = merges_text.substr(pos, end - pos);
            pos = end + 1;
            ++line_no;
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            if (line.empty() || (line_no == 1 && line.starts_with("#version")))
                continue;
            v.merges.push_back(split_merge(line, merges_source, fmt::format("line {}", line_no)));
        }
        if (v.merges.empty())
            fail(merges_source, "no merges in this file");
    }, [&](Gpt2Vocab& v) { apply_tokenizer_config(v, vocab.parent_path(), true); });
}

} // namespace edge_rt::model
