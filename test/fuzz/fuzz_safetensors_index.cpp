// The sharded SafeTensors index (model.safetensors.index.json); its shards do not exist.
#include "fuzz_support.hpp"
#include "model/safetensors_index.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const edge_rt::fuzz::MemFile file(edge_rt::fuzz::as_text(data, size));
    try {
        (void)edge_rt::model::read_safetensors_index(file.path());
    } catch (const edge_rt::Error&) {
    }
    return 0;
}
