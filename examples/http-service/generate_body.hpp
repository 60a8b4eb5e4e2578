// The JSON body of POST /generate, checked strictly: unknown fields, wrong types and out-of-range
// values are refused with a message naming the field (HttpError 400).
#pragma once

#include "edge_rt/session.hpp"

#include <string_view>

namespace edge_rt::service {

/// Fields: prompt (string, required), max_tokens (1..4096, default 64), temperature or temp,
/// top_k, top_p, repeat_penalty, repeat_last_n, seed. Throws HttpError 400.
GenerateRequest parse_generate_body(std::string_view body);

} // namespace edge_rt::service
