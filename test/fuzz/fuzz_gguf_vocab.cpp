// The tokenizer embedded in a GGUF file (tokenizer.ggml.*), then a short encode/decode with it.
#include "fuzz_support.hpp"
#include "fuzz_tokenizer_use.hpp"
#include "model/gguf.hpp"
#include "tokenizer/tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const edge_rt::fuzz::MemFile file(edge_rt::fuzz::as_text(data, size));
    try {
        const auto gguf = edge_rt::model::read_gguf(file.path());
        const auto tok = edge_rt::model::tokenizer_from_gguf(gguf);
        edge_rt::fuzz::exercise(*tok);
    } catch (const edge_rt::Error&) {
    }
    return 0;
}
