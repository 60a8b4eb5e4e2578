// A Hugging Face config.json: architecture, sizes, RoPE scaling.
#include "fuzz_support.hpp"
#include "model/hf_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const edge_rt::fuzz::MemFile file(edge_rt::fuzz::as_text(data, size));
    try {
        (void)edge_rt::model::read_hf_config(file.path());
    } catch (const edge_rt::Error&) {
    }
    return 0;
}
