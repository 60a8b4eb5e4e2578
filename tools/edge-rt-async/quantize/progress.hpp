// quantize's progress on stderr: a bar redrawn in place on a terminal, plain lines (one per
// tensor) otherwise, so logs stay readable.
#pragma once

#include "edge_rt/quantize.hpp"

#include <chrono>
#include <cstddef>

namespace edge_rt::cli {

class QuantizeProgressBar {
public:
    explicit QuantizeProgressBar(bool enabled);
    void update(const QuantizeProgress& p);
    /// Ends the bar's line (terminal only).
    void finish();

private:
    bool enabled_, tty_;
    std::size_t last_tensor_ = static_cast<std::size_t>(-1);
    std::chrono::steady_clock::time_point start_, last_draw_;
};

} // namespace edge_rt::cli
