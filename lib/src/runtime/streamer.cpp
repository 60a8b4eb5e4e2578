#include "runtime/streamer.hpp"

#include "runtime/clock.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <algorithm>
#include <chrono>
#include <fmt/format.h>

namespace edge_rt::runtime {

Streamer::Streamer(const plan::ExecutionPlan& plan, std::vector<SlotLayout> layouts, memory::Pool& pool,
                   io::WeightReader& reader, asio::io_context& io)
    : plan_(plan), layouts_(std::move(layouts)), reader_(reader), io_(io), resident_(plan.groups.size()),
      resident_views_(plan.groups.size()), stream_pos_(plan.groups.size(), SIZE_MAX), pool_(pool), idle_(io.get_executor())
{
    for (std::size_t i = 0; i < plan.groups.size(); ++i) {
        if (plan.groups[i].resident) {
            resident_[i] = pool.acquire(layouts_[i].bytes, fmt::format("resident weight group {}", i));
            resident_views_[i] = slot_views(layouts_[i], resident_[i].data());
        } else {
            stream_pos_[i] = streamed_.size();
            streamed_.push_back(i);
        }
    }
    if (streamed_.empty())
        return;
    for (std::size_t i : streamed_)
        slot_bytes_ = std::max(slot_bytes_, layouts_[i].bytes);
    for (unsigned s = 0; s < std::max(1u, plan.slots); ++s) {
        auto& slot = *slots_.emplace_back(std::make_unique<Slot>(io));
        slot.buffer = pool.acquire(slot_bytes_, fmt::format("prefetch slot {}", s));
    }
    active_ = static_cast<unsigned>(slots_.size());
    register_active();
}

void Streamer::register_active() const
{
    std::vector<std::span<std::byte>> buffers;
    for (unsigned s = 0; s < active_; ++s)
        buffers.push_back(slots_[s]->buffer.bytes());
    reader_.register_buffers(buffers);
}

asio::awaitable<void> Streamer::resize_ring(unsigned depth)
{
    depth = std::clamp(depth, 1u, planned_slots());
    if (streamed_.empty() || depth == active_)
        co_return;
    co_await reset(); // the ring's numbering changes: no read may be in flight
    if (depth < active_) {
        // A timed-out pread still blocked in the kernel may write into any slot it was reading
        // into: keep every buffer until it returns (the reader refuses reads meanwhile).
        if (reader_.abandoned_reads() > 0)
            co_return;
        for (unsigned s = depth; s < active_; ++s) {
            slots_[s]->buffer.reset();
            slots_[s]->group = SIZE_MAX;
        }
        pool_.trim();
        active_ = depth;
    }
    while (active_ < depth) {
        auto lease = pool_.try_acquire(slot_bytes_);
        if (!lease)
            break; // the bytes are in use elsewhere: keep the smaller ring
        slots_[active_]->buffer = std::move(*lease);
        slots_[active_]->group = SIZE_MAX;
        ++active_;
    }
    register_active();
}

asio::awaitable<void> Streamer::load_resident()
{
    for (std::size_t i = 0; i < plan_.groups.size(); ++i) {
        if (!plan_.groups[i].resident)
            continue;
        co_await reader_.read(slot_reads(layouts_[i], resident_[i].data()));
        if (layouts_[i].has_transposed)
            transpose_slot(layouts_[i], resident_[i].data()); // once, at load
    }
}

void Streamer::prime()
{
    if (primed_ || streamed_.empty())
        return;
    primed_ = true;
    pass_ = 0;
    for (std::uint64_t n = 0; n < active_; ++n)
        start_read(n);
}

void Streamer::start_read(std::uint64_t n)
{
    Slot& slot = *slots_[n % active_];
    slot.read = n;
    slot.done = false;
    slot.error = nullptr;
    ++in_flight_;
    io_started();
    asio::co_spawn(io_, fill(slot, streamed_[n % streamed_.size()]), asio::detached);
}

asio::awaitable<void> Streamer::fill(Slot& slot, std::size_t group)
{
    try {
        co_await reader_.read(slot_reads(layouts_[group], slot.buffer.data()));
    } catch (...) {
        slot.error = std::current_exception();
    }
    io_finished();
    slot.done = true;
    slot.ready.set();
    if (--in_flight_ == 0)
        idle_.set();
}

asio::awaitable<ReadyGroup> Streamer::acquire(std::size_t i)
{
    if (plan_.groups[i].resident)
        co_return ReadyGroup{&layouts_[i], resident_[i].data(), &resident_views_[i], false};
    const std::uint64_t n = pass_ * streamed_.size() + stream_pos_[i];
    Slot& slot = *slots_[n % active_];
    const auto start = Clock::now();
    while (!slot.done || slot.read != n) {
        slot.ready.reset();
        co_await slot.ready.wait();
    }
    stall_ms_ += ms_between(start, Clock::now());
    if (slot.error)
        std::rethrow_exception(slot.error);
    if (slot.group != i) {
        slot.views = slot_views(layouts_[i], slot.buffer.data());
        slot.group = i;
    }
    co_return ReadyGroup{&layouts_[i], slot.buffer.data(), &slot.views, layouts_[i].has_transposed};
}

void Streamer::release(std::size_t i)
{
    if (plan_.groups[i].resident)
        return;
    const std::uint64_t n = pass_ * streamed_.size() + stream_pos_[i] + active_;
    if (active_ < 2) { // the next group needs this very slot: nothing to overlap with
        start_read(n);
        return;
    }
    // Start the read from the io_context's queue, once the caller has handed the next group to
    // the compute pool: submitting a slot's reads (tens of MiB) takes milliseconds that would
    // otherwise sit between two computes. Counted in flight already, so reset() waits for it.
    // The slot is claimed now, not when the post runs: an acquire() of the group this slot
    // holds next must wait for the new read, never take the old group's bytes for it.
    Slot& slot = *slots_[n % active_];
    slot.read = n;
    slot.done = false;
    slot.error = nullptr;
    ++in_flight_;
    asio::post(io_, [this, n] {
        --in_flight_;
        start_read(n);
    });
}

void Streamer::io_started()
{
    if (io_active_++ == 0)
        io_since_ = Clock::now();
}

void Streamer::io_finished()
{
    if (--io_active_ == 0)
        io_busy_ms_ += ms_between(io_since_, Clock::now());
}

double Streamer::io_busy_ms() const
{
    double ms = io_busy_ms_;
    if (io_active_ > 0)
        ms += ms_between(io_since_, Clock::now());
    return ms;
}

asio::awaitable<void> Streamer::reset()
{
    while (in_flight_ > 0) {
        idle_.reset();
        co_await idle_.wait();
    }
    primed_ = false;
    pass_ = 0;
}

} // namespace edge_rt::runtime
