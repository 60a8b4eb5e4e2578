// The cooperating monitor task: a timer on the io_context samples the machine every interval,
// publishes the snapshot and feeds the policy. The engine reads limits() at token boundaries,
// on the same io_context thread, so nothing here needs a lock.
#pragma once

#include "monitor/policy.hpp"
#include "monitor/sampler.hpp"

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace edge_rt::monitor {

class Monitor {
public:
    using Log = std::function<void(const std::string&)>;

    Monitor(asio::io_context& io, Sampler sampler, Policy policy, std::chrono::milliseconds interval, Log log = {});
    ~Monitor();
    Monitor(const Monitor&) = delete;
    Monitor& operator=(const Monitor&) = delete;

    /// Takes a first reading now and keeps sampling until stop(). While running, the timer is
    /// work on the io_context: stop() it before expecting run() to return.
    void start();
    void stop();
    /// Takes a reading now and feeds the policy, as the timer does (tests drive it with this).
    void sample_now();

    const Snapshot& latest() const { return latest_; }
    Limits limits() const { return policy_.limits(); }
    std::uint64_t readings() const { return readings_; }

private:
    void tick();
    void arm();

    asio::steady_timer timer_;
    Sampler sampler_;
    Policy policy_;
    std::chrono::milliseconds interval_;
    Log log_;
    Snapshot latest_;
    std::uint64_t readings_ = 0;
    bool running_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace edge_rt::monitor
