// async_plan: headers, validation and the plan on a planner thread, no weight read. The
// request is the engine's (runtime/plan_request.hpp), so the plan is the one async_load makes.
#include "edge_rt/model.hpp"

#include "api/config_convert.hpp"
#include "api/plan_info.hpp"

#include "edge_rt/error.hpp"
#include "exec/executor.hpp"
#include "kernels/kernel_table.hpp"
#include "arch/architecture.hpp"
#include "arch/validate.hpp"
#include "model/model_source.hpp"
#include "runtime/engine.hpp"
#include "runtime/plan_request.hpp"

#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <limits>

namespace edge_rt {
namespace {

PlanInfo plan_model(const std::string& path, const RuntimeConfig& config)
{
    api::validate(config);
    const auto source = model::open_model(path);
    const auto& c = source.config;
    const auto arch = runtime::runtime_architecture(source, kernels::scalar_kernels()); // groups only
    const std::size_t n_ctx = runtime::checked_context_length(c, config.ctx_size, path);
    auto request = runtime::base_plan_request(source, *arch, n_ctx, config.max_batch, 1,
                                                 std::max<std::size_t>(config.sessions, 1));
    request.budget = config.budget_bytes ? config.budget_bytes : std::numeric_limits<std::uint64_t>::max();
    request.strategy = api::to_internal(config.strategy);
    request.prefetch_depth = config.prefetch_depth;
    return api::plan_info(plan::make_plan(request), n_ctx);
}

} // namespace

namespace detail {

void start_plan(asio::io_context& io, std::string path, RuntimeConfig config,
                std::function<void(std::exception_ptr, PlanInfo)> complete)
{
    // The planner thread is joined on `io` before `complete` runs: a detached thread could still
    // be inside its post to `io` (Asio signals the wakeup after unlocking) when the caller,
    // handed the plan, destroys `io`. ThreadSanitizer saw exactly that.
    asio::co_spawn(
        io,
        [path = std::move(path), config]() -> asio::awaitable<PlanInfo> {
            auto planner = std::make_unique<exec::ComputePool>(1);
            std::exception_ptr error;
            PlanInfo info;
            try {
                info = co_await exec::async_compute(
                    *planner, [&] { return plan_model(path, config); }, asio::use_awaitable);
            } catch (...) {
                error = std::current_exception();
            }
            planner.reset(); // joins the thread, which has finished posting back
            if (error)
                std::rethrow_exception(error);
            co_return info;
        },
        [complete = std::move(complete)](std::exception_ptr e, PlanInfo info) { complete(e, std::move(info)); });
}

} // namespace detail
} // namespace edge_rt
