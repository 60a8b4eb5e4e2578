#include "progress.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

namespace edge_rt::cli {

QuantizeProgressBar::QuantizeProgressBar(bool enabled)
    : enabled_(enabled), tty_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now())
{
}

void QuantizeProgressBar::update(const QuantizeProgress& p)
{
    if (!enabled_)
        return;
    const auto now = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double mib = static_cast<double>(p.bytes_done) / (1 << 20);
    const double rate = secs > 0 ? mib / secs : 0.0;
    if (!tty_) { // one line when a tensor is done (its last chunk brings bytes to the next tensor's start)
        if (p.tensor != last_tensor_) {
            last_tensor_ = p.tensor;
            fmt::print(stderr, "quantize: tensor {}/{} {} ({:.1f} of {:.1f} MiB read, {:.1f} MiB/s)\n", p.tensor + 1,
                       p.tensors, p.name, mib, static_cast<double>(p.bytes_total) / (1 << 20), rate);
        }
        return;
    }
    if (now - last_draw_ < std::chrono::milliseconds(100) && p.bytes_done != p.bytes_total)
        return;
    last_draw_ = now;
    constexpr int kWidth = 30;
    const double frac = p.bytes_total ? static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total) : 1.0;
    const int filled = static_cast<int>(frac * kWidth);
    fmt::print(stderr, "\r[{:=<{}}{:<{}}] {:5.1f}% tensor {}/{} {:.1f}/{:.1f} MiB {:.1f} MiB/s\x1b[K", "", filled, "",
               kWidth - filled, 100 * frac, p.tensor + 1, p.tensors, mib, static_cast<double>(p.bytes_total) / (1 << 20),
               rate);
}

void QuantizeProgressBar::finish()
{
    if (enabled_ && tty_)
        fmt::print(stderr, "\n");
}

} // namespace edge_rt::cli
