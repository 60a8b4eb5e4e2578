#include "edge_rt/error.hpp"
#include "io/reader_backends.hpp"
#include "io/uring_probe.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <sys/vfs.h>

namespace edge_rt::io {
namespace {

// On a FUSE file system (opened with direct I/O by its server), a read that the server answers
// short comes back from io_uring as complete, with the rest of the buffer read again from the
// start of the request (kernel 6.18 here, test/integration/streaming/failing_device_test.cpp):
// silently wrong weights. pread returns the short count, which the reader completes.
bool on_fuse(const std::string& path)
{
    constexpr long kFuseSuperMagic = 0x65735546;
    struct statfs st {};
    return ::statfs(path.c_str(), &st) == 0 && static_cast<long>(st.f_type) == kFuseSuperMagic;
}

} // namespace

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
    if (const auto fuse = std::find_if(paths.begin(), paths.end(), on_fuse); fuse != paths.end()) {
        if (options.backend == IoBackend::Uring)
            throw ConfigError(fmt::format("--io-backend uring: {} is on a FUSE file system, where io_uring can report "
                                          "a short read as complete with misplaced bytes; use auto or pread",
                                          *fuse));
        return make_pread_reader(io, paths, options);
    }
    const UringSupport uring = probe_io_uring();
    if (uring.available)
        return make_uring_reader(io, paths, options);
    if (options.backend == IoBackend::Uring)
        throw ConfigError(fmt::format("--io-backend uring was asked for, but io_uring is unavailable: {}",
                                      uring.reason));
    return make_pread_reader(io, paths, options);
}

} // namespace edge_rt::io
