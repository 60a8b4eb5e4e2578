// The GGUF reader: header, metadata, tensor table, offsets and sizes.
#include "fuzz_support.hpp"
#include "model/gguf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const edge_rt::fuzz::MemFile file(edge_rt::fuzz::as_text(data, size));
    try {
        const auto gguf = edge_rt::model::read_gguf(file.path());
        for (const auto& t : gguf.tensors)
            (void)t.elements();
    } catch (const edge_rt::Error&) {
    }
    return 0;
}
