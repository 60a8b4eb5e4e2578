// vocab.json + merges.txt (GPT-2 byte-level BPE), one input split at kFileSeparator.
#include "fuzz_support.hpp"
#include "fuzz_tokenizer_use.hpp"
#include "tokenizer/loaders.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto [vocab_text, merges_text] = edge_rt::fuzz::split_once(edge_rt::fuzz::as_text(data, size),
                                                                     edge_rt::fuzz::kFileSeparator);
    const edge_rt::fuzz::MemFile vocab(vocab_text);
    const edge_rt::fuzz::MemFile merges(merges_text);
    try {
        const auto tok = edge_rt::model::load_vocab_and_merges(vocab.path(), merges.path());
        edge_rt::fuzz::exercise(*tok);
    } catch (const edge_rt::Error&) {
    }
    return 0;
}
