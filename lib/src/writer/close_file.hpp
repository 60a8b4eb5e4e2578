// Closing a written file so that no write error goes unnoticed: flush and close both checked.
#pragma once

#include <cerrno>
#include <cstdio>
#include <optional>

namespace edge_rt::model {

/// Flushes and closes `f`; the errno of the first failure, or nullopt when all was written.
inline std::optional<int> close_file(std::FILE* f)
{
    const bool flushed = std::fflush(f) == 0;
    const int flush_errno = errno;
    const bool closed = std::fclose(f) == 0;
    if (!flushed)
        return flush_errno;
    if (!closed)
        return errno;
    return std::nullopt;
}

} // namespace edge_rt::model
