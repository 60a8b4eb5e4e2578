// edge_rt::Session: a runtime::Conversation over the model's engine, charged to its budget.
#include "api/state.hpp"

namespace edge_rt {
namespace {

const Session::State& checked(const std::shared_ptr<Session::State>& state)
{
    if (!state)
        throw ConfigError("Session: this session was moved from and holds nothing");
    return *state;
}

} // namespace

Session::Session(const Model& model, SessionConfig config)
{
    if (!model.valid())
        throw ConfigError("Session: the model handle is empty");
    state_ = std::make_shared<State>(model, config.ctx_size);
}

Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

std::size_t Session::n_ctx() const { return state_ ? state_->session.n_ctx() : 0; }
std::size_t Session::bytes() const { return state_ ? state_->session.bytes() : 0; }
const Model& Session::model() const { return checked(state_).model; }
std::size_t Session::n_past() const { return state_ ? state_->history.size() : 0; }
std::size_t Session::n_cached() const { return state_ ? state_->session.position() : 0; }

void Session::reset()
{
    if (!state_)
        throw ConfigError("Session::reset: this session was moved from and holds nothing");
    if (state_->busy)
        throw ConfigError("Session::reset: a generation is running in this session");
    state_->session.reset();
    state_->history.clear();
}

namespace detail {
asio::io_context& io_of(const Session& session) { return session.model().io(); }
} // namespace detail

} // namespace edge_rt
