// Whether a file can be read with O_DIRECT, and with which alignment. Direct reads keep the
// page cache from flattering (or thrashing under) the streamed weights.
#pragma once

#include <cstdint>
#include <string>

namespace edge_rt::io {

struct DirectIoSupport {
    bool supported = false;
    std::uint32_t memory_alignment = 4096; // buffer address alignment
    std::uint32_t offset_alignment = 4096; // file offset and length alignment
    std::string reason;                    // why not, when unsupported
};

/// Asks statx(STATX_DIOALIGN) (Linux 6.1+); where the kernel cannot say, tries an O_DIRECT open
/// and assumes 4096-byte alignment. Never throws.
DirectIoSupport probe_direct_io(const std::string& path) noexcept;

} // namespace edge_rt::io
