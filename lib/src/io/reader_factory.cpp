#include "edge_rt/error.hpp"
#include "io/reader_backends.hpp"
#include "io/uring_probe.hpp"

#include <fmt/format.h>

namespace edge_rt::io {

std::string_view to_string(IoBackend b) noexcept
{
    switch (b) {
    case IoBackend::Auto: return "auto";
    case IoBackend::Uring: return "uring";
    case IoBackend::Pread: return "pread";
    }
    return "auto";
}

IoBackend parse_io_backend(std::string_view s)
{
    for (IoBackend b : {IoBackend::Auto, IoBackend::Uring, IoBackend::Pread})
        if (s == to_string(b))
            return b;
    throw ConfigError(fmt::format("unknown I/O backend '{}' (expected auto, uring or pread)", s));
}

std::unique_ptr<WeightReader> open_reader(asio::io_context& io, const std::vector<std::string>& paths,
                                          const ReaderOptions& options)
{
    if (options.backend == IoBackend::Pread)
        return make_pread_reader(io, paths, options);
    const UringSupport uring = probe_io_uring();
    if (uring.available)
        return make_uring_reader(io, paths, options);
    if (options.backend == IoBackend::Uring)
        throw ConfigError(fmt::format("--io-backend uring was asked for, but io_uring is unavailable: {}",
                                      uring.reason));
    return make_pread_reader(io, paths, options);
}

} // namespace edge_rt::io
