#include "monitor/monitor.hpp"

namespace edge_rt::monitor {

Monitor::Monitor(asio::io_context& io, Sampler sampler, Policy policy, std::chrono::milliseconds interval, Log log)
    : timer_(io), sampler_(std::move(sampler)), policy_(policy), interval_(interval), log_(std::move(log))
{
}

Monitor::~Monitor()
{
    *alive_ = false;
    stop();
}

void Monitor::start()
{
    if (running_)
        return;
    running_ = true;
    tick();
}

void Monitor::stop()
{
    running_ = false;
    timer_.cancel();
}

void Monitor::sample_now()
{
    latest_ = sampler_.sample(readings_ > 0 ? &latest_ : nullptr);
    ++readings_;
    if (auto change = policy_.update(latest_); change && log_)
        log_(*change);
}

void Monitor::tick()
{
    sample_now();
    arm();
}

void Monitor::arm()
{
    if (!running_)
        return;
    timer_.expires_after(interval_);
    timer_.async_wait([this, alive = alive_](const std::error_code& ec) {
        if (!*alive || ec || !running_)
            return;
        tick();
    });
}

} // namespace edge_rt::monitor
