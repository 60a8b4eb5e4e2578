// The endpoints that only report: GET /health, GET /metrics (Prometheus text), GET /v1/models.
#pragma once

#include "serve/http_response.hpp"
#include "serve/server_state.hpp"

namespace edge_rt::serve {

Response health_response(const Server::State& s);
Response metrics_response(const Server::State& s);
Response models_response(const Server::State& s);

} // namespace edge_rt::serve
