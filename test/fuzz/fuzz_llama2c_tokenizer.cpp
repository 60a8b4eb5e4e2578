// llama2.c's tokenizer.bin, then encode/decode with it.
#include "fuzz_support.hpp"
#include "fuzz_tokenizer_use.hpp"
#include "tokenizer/loaders.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const edge_rt::fuzz::MemFile file(edge_rt::fuzz::as_text(data, size));
    try {
        const auto tok = edge_rt::model::load_llama2c_tokenizer(file.path());
        edge_rt::fuzz::exercise(*tok);
    } catch (const edge_rt::Error&) {
    }
    return 0;
}
