// The CLI's TOML config files (configs/*.toml), applied on top of the defaults.
#include "fuzz_support.hpp"
#include "settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const edge_rt::fuzz::MemFile file(edge_rt::fuzz::as_text(data, size));
    edge_rt::cli::RunSettings settings;
    try {
        edge_rt::cli::apply_config_file(settings, file.path());
    } catch (const edge_rt::Error&) {
    }
    return 0;
}
