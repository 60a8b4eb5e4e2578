// Reading the bundled model's weights through pread and through io_uring (page cache warm:
// this measures per-call overhead, not storage bandwidth).
#include "catch_compat.hpp"

#include "io/file.hpp"
#include "io/uring_probe.hpp"
#include "uring_read.hpp"

#include <vector>

TEST_CASE("read the bundled model, 1 MiB", "[io]")
{
    edge_rt::io::File f(EDGE_RT_BUNDLED_MODEL);
    std::vector<std::byte> buf(1 << 20);
    BENCHMARK("pread")
    {
        f.read_exact(0, buf);
        return buf[100];
    };
    if (edge_rt::io::probe_io_uring().available) {
        BENCHMARK("io_uring (ring per call)")
        {
            edge_rt::tools::uring_read_exact(f.fd(), f.path(), 0, buf);
            return buf[100];
        };
    } else {
        WARN("io_uring unavailable: " << edge_rt::io::probe_io_uring().reason);
    }
}
