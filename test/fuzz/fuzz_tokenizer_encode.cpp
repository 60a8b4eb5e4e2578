// Encode/decode of arbitrary text with the real tokenizers of the test data: the first byte
// picks the tokenizer and whether special tokens are parsed, the rest is the text. Checks what
// holds for any input: every id is in the vocabulary, byte-level BPE decodes valid UTF-8 back to
// the exact bytes (Qwen2's: to their NFC), and the streaming decoder (fed the input's bytes as ids) only ever emits valid UTF-8.
#include "fuzz_support.hpp"
#include "tokenizer/nfc.hpp"
#include "tokenizer/tokenizer.hpp"
#include "tokenizer/utf8.hpp"

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Loaded {
    std::unique_ptr<edge_rt::model::Tokenizer> tok;
    bool byte_level = false; // decode(encode(t)) == t for every byte string
    bool nfc = false;        // normalizes to NFC first (Qwen2): decode(encode(t)) == NFC(t)
};

std::vector<Loaded> load_all()
{
    const std::string data = EDGE_RT_FUZZ_TEST_DATA;
    const std::string shared = EDGE_RT_FUZZ_SHARED;
    const std::vector<std::pair<std::string, bool>> paths{
        {data + "/gpt2-tokenizer/encoder.json", true},
        {data + "/llama-spm-vocab/ggml-vocab-llama-spm.gguf", false},
        {shared + "/models/stories260K/tok512.bin", false},
        {shared + "/tokenizers/llama3/tokenizer.model", true},
        {shared + "/tokenizers/qwen2", true},
    };
    std::vector<Loaded> out;
    for (const auto& [path, byte_level] : paths) {
        try {
            out.push_back({edge_rt::model::load_tokenizer(path), byte_level, path.ends_with("/qwen2")});
        } catch (const edge_rt::Error&) { // ../shared may be absent: fuzz what is there
        }
    }
    if (out.empty())
        std::abort(); // test/data is part of the tree: without it the target tests nothing
    return out;
}

bool valid_utf8(std::string_view s)
{
    for (std::size_t pos = 0; pos < s.size();) {
        const auto seq = edge_rt::model::utf8::classify(s, pos);
        if (seq.kind != edge_rt::model::utf8::Sequence::Kind::Complete)
            return false;
        pos += seq.length;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::vector<Loaded> tokenizers = load_all();
    if (size < 1)
        return 0;
    const Loaded& t = tokenizers[(data[0] >> 1) % tokenizers.size()];
    const bool parse_special = data[0] & 1;
    const auto text = edge_rt::fuzz::as_text(data + 1, size - 1);

    const auto ids = t.tok->encode(text, false, parse_special);
    for (const auto id : ids)
        if (id < 0 || static_cast<std::size_t>(id) >= t.tok->vocab_size())
            std::abort();
    const std::string back = edge_rt::model::decode(*t.tok, ids);
    // Byte-level BPE is lossless by construction; decoding gives text, so bytes that are not
    // UTF-8 come back as U+FFFD (by design), and exactness holds for valid UTF-8 input — in
    // NFC for Qwen2, whose tokenizer normalizes first (U+0340 comes back as U+0300, by design).
    if (t.byte_level && !parse_special && valid_utf8(text) &&
        back != (t.nfc ? edge_rt::model::unicode::to_nfc(text) : std::string(text)))
        std::abort();

    edge_rt::model::StreamingDecoder stream(*t.tok);
    std::string streamed;
    for (std::size_t i = 1; i < size; ++i) {
        try {
            streamed += stream.push(static_cast<std::int32_t>(data[i] * 97u % t.tok->vocab_size()));
        } catch (const edge_rt::Error&) {
        }
    }
    streamed += stream.flush();
    if (!valid_utf8(streamed))
        std::abort();
    return 0;
}
