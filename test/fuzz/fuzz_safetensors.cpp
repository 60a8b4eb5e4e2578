// A SafeTensors file: the 8-byte header length, the JSON header, dtypes, shapes and offsets.
#include "fuzz_support.hpp"
#include "model/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const edge_rt::fuzz::MemFile file(edge_rt::fuzz::as_text(data, size));
    try {
        (void)edge_rt::model::read_safetensors(file.path());
    } catch (const edge_rt::Error&) {
    }
    return 0;
}
