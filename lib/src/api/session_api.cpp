// edge_rt::Session: a runtime::Session over the model's engine, charged to its budget.
#include "api/state.hpp"

namespace edge_rt {

Session::Session(const Model& model, SessionConfig config)
{
    if (!model.valid())
        throw ConfigError("Session: the model handle is empty");
    state_ = std::make_shared<State>(model, config.ctx_size);
}

Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

std::size_t Session::n_ctx() const { return state_->session.n_ctx(); }
std::size_t Session::bytes() const { return state_->session.bytes(); }
const Model& Session::model() const { return state_->model; }

} // namespace edge_rt
