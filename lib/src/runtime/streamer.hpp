// The weight side of the pipeline (DESIGN.md §2): resident groups read once at load, and a
// ring of `plan.slots` prefetch slots that streamed groups pass through every forward pass.
//
// Reads are numbered globally: with k streamed groups per pass, read n = pass·k + j fills
// streamed group j of that pass into slot n % slots. Read n starts when the compute of read
// n − slots has finished (release()), so with two or more slots the next groups load while
// the current one computes, wrapping into the next pass (speculative prefetch). With one slot
// (sequential, greedy-grouping) a read never overlaps compute: the honest baseline.
// Everything runs on one io_context thread; only compute leaves it.
#pragma once

#include "io/reader.hpp"
#include "kernels/weight_view.hpp"
#include "memory/pool.hpp"
#include "plan/plan.hpp"
#include "runtime/clock.hpp"
#include "runtime/weight_layout.hpp"

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include "exec/event.hpp"
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <vector>

namespace edge_rt::runtime {

/// A planned group ready to compute: its views, and whether its transposed copies must still
/// be made (a streamed group holding Conv1D tensors; done on the compute thread).
struct ReadyGroup {
    const SlotLayout* layout = nullptr;
    std::byte* data = nullptr;
    const std::vector<std::vector<kernels::WeightView>>* views = nullptr;
    bool needs_transpose = false;
};

class Streamer {
public:
    /// Leases the resident buffers and the ring from `pool` (BudgetError if they do not fit).
    /// `layouts` holds one layout per planned group.
    Streamer(const plan::ExecutionPlan& plan, std::vector<SlotLayout> layouts, memory::Pool& pool,
             io::WeightReader& reader, asio::io_context& io);
    Streamer(const Streamer&) = delete;
    Streamer& operator=(const Streamer&) = delete;

    /// Reads every resident group once and makes its transposed copies.
    asio::awaitable<void> load_resident();
    /// Starts the first `slots` reads unless they are under way.
    void prime();

    /// Planned group `i` of this pass: resident views at once, or those of its slot once the
    /// read is done (the wait is added to stall_ms). Rethrows the read's error.
    asio::awaitable<ReadyGroup> acquire(std::size_t i);
    /// Compute of planned group `i` finished: its slot takes the read `slots` positions ahead.
    void release(std::size_t i);
    /// Every group of the pass was released.
    void end_pass() { ++pass_; }
    /// Token boundary only (between passes): uses `depth` of the planned slots from the next
    /// pass on, clamped to [1, planned]. Reads in flight finish first; a slot taken out of use
    /// gives its buffer back to the budget (and the pool's cache is trimmed, so the memory
    /// really goes back to the system); a slot taken back into use leases it again, which can
    /// only fail if something else took those bytes meanwhile; then the ring stays smaller.
    /// While the reader has an abandoned read (a timed-out pread), the ring does not shrink.
    asio::awaitable<void> resize_ring(unsigned depth);
    /// Slots in use now, and as planned.
    unsigned active_slots() const { return active_; }
    unsigned planned_slots() const { return static_cast<unsigned>(slots_.size()); }
    /// After an error or a stop mid-pass: waits for every read in flight, then restarts the
    /// numbering (the next pass primes again). Never throws.
    asio::awaitable<void> reset();

    double stall_ms() const { return stall_ms_; }
    /// Wall time with at least one weight read in flight, the running period included (the
    /// reader's own figure only grows when its queue drains, which a busy ring never does).
    double io_busy_ms() const;
    /// Brackets other reads (embedding rows) so they count as I/O time too.
    void io_started();
    void io_finished();
    std::size_t streamed_groups() const { return streamed_.size(); }

private:
    struct Slot {
        explicit Slot(asio::io_context& io) : ready(io.get_executor()) {}
        memory::Lease buffer;
        std::uint64_t read = 0;
        bool done = true;
        std::exception_ptr error;
        exec::Event ready; // set when the read completes
        std::vector<std::vector<kernels::WeightView>> views;
        std::size_t group = SIZE_MAX; // planned group whose views are cached
    };

    void start_read(std::uint64_t n);
    void register_active() const;
    asio::awaitable<void> fill(Slot& slot, std::size_t group);

    const plan::ExecutionPlan& plan_;
    std::vector<SlotLayout> layouts_;
    io::WeightReader& reader_;
    asio::io_context& io_;
    std::vector<memory::Lease> resident_;                            // per planned group (empty if streamed)
    std::vector<std::vector<std::vector<kernels::WeightView>>> resident_views_;
    std::vector<std::size_t> streamed_;                              // planned indices, in order
    std::vector<std::size_t> stream_pos_;                            // planned index -> j
    std::vector<std::unique_ptr<Slot>> slots_;
    memory::Pool& pool_;
    std::uint64_t slot_bytes_ = 0;
    unsigned active_ = 0;                                            // slots_[0, active_) in use
    std::uint64_t pass_ = 0;
    bool primed_ = false;
    unsigned in_flight_ = 0;
    exec::Event idle_; // set when in_flight_ drops to 0
    double stall_ms_ = 0;
    unsigned io_active_ = 0;
    double io_busy_ms_ = 0;
    Clock::time_point io_since_;
};

} // namespace edge_rt::runtime
