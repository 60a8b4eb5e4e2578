// Bytes held outside the pool (std::vector buffers of the KV cache, activations, logits)
// charged to the same MemoryBudget, so the budget covers every byte the runtime holds.
#pragma once

#include "memory/budget.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace edge_rt::memory {

/// Holds `bytes()` of `budget` until destroyed. Not thread-safe on its own; the budget is.
class Charge {
public:
    Charge() = default;
    /// Throws BudgetError naming `what` when the budget cannot cover `bytes`.
    Charge(MemoryBudget& budget, std::uint64_t bytes, std::string_view what);
    Charge(Charge&& other) noexcept;
    Charge& operator=(Charge&& other) noexcept;
    Charge(const Charge&) = delete;
    Charge& operator=(const Charge&) = delete;
    ~Charge() { release(); }

    /// Grows or shrinks the charge to `bytes`; throws BudgetError (charge unchanged) when a
    /// growth does not fit.
    void resize(std::uint64_t bytes);
    std::uint64_t bytes() const noexcept { return bytes_; }
    void release() noexcept;

private:
    MemoryBudget* budget_ = nullptr;
    std::uint64_t bytes_ = 0;
    std::string what_;
};

} // namespace edge_rt::memory
