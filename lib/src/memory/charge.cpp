#include "memory/charge.hpp"

#include "edge_rt/error.hpp"

#include <fmt/format.h>
#include <utility>

namespace edge_rt::memory {

Charge::Charge(MemoryBudget& budget, std::uint64_t bytes, std::string_view what) : budget_(&budget), what_(what)
{
    resize(bytes);
}

Charge::Charge(Charge&& other) noexcept
    : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)),
      what_(std::move(other.what_))
{
}

Charge& Charge::operator=(Charge&& other) noexcept
{
    if (this != &other) {
        release();
        budget_ = std::exchange(other.budget_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
        what_ = std::move(other.what_);
    }
    return *this;
}

void Charge::resize(std::uint64_t bytes)
{
    if (budget_ == nullptr || bytes == bytes_)
        return;
    if (bytes < bytes_) {
        budget_->release(bytes_ - bytes);
    } else if (!budget_->try_reserve(bytes - bytes_)) {
        throw BudgetError(fmt::format("memory budget: {} needs {} more bytes, but {} of the {} bytes are in use",
                                      what_, bytes - bytes_, budget_->current(), budget_->limit()));
    }
    bytes_ = bytes;
}

void Charge::release() noexcept
{
    if (budget_ != nullptr && bytes_ > 0)
        budget_->release(bytes_);
    bytes_ = 0;
}

} // namespace edge_rt::memory
