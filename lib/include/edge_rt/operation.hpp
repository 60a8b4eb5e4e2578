// How every asynchronous operation completes (async_load, async_plan, async_generate, and the
// library's own exec::async_compute): the library's type-erased work calls a std::function once, which hands the
// result to the caller's handler through the handler's associated executor (default: the
// model's io_context) and associated allocator, with a work guard keeping that executor busy
// until then. Cancellation slots are read by each operation itself (see its documentation).
#pragma once

#include <asio/associated_allocator.hpp>
#include <asio/associated_executor.hpp>
#include <asio/bind_allocator.hpp>
#include <asio/dispatch.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <functional>
#include <memory>
#include <utility>

namespace edge_rt::detail {

template <typename Signature>
struct Completion;

template <typename... Args>
struct Completion<void(Args...)> {
    template <typename Handler, typename Executor>
    static std::function<void(Args...)> make(Handler handler, const Executor& fallback)
    {
        auto work = asio::make_work_guard(asio::get_associated_executor(handler, fallback));
        auto h = std::make_shared<Handler>(std::move(handler));
        return [h, work](Args... args) mutable {
            auto ex = work.get_executor();
            auto alloc = asio::get_associated_allocator(*h);
            asio::dispatch(ex, asio::bind_allocator(alloc, [h, work = std::move(work),
                                                            ... args = std::move(args)]() mutable {
                std::move (*h)(std::move(args)...);
                work.reset();
            }));
        };
    }
};

/// The function the library completes an operation with, for `handler` (io = the default executor).
template <typename Signature, typename Handler>
std::function<Signature> completion(Handler handler, asio::io_context& io)
{
    return Completion<Signature>::make(std::move(handler), io.get_executor());
}

/// The same with another default executor (the library's internal operations).
template <typename Signature, typename Handler, typename Executor>
std::function<Signature> completion(Handler handler, const Executor& fallback)
{
    return Completion<Signature>::make(std::move(handler), fallback);
}

} // namespace edge_rt::detail
