// The optional API key: `Authorization: Bearer <key>`, compared in constant time so the
// response time does not tell an attacker how much of a guess was right.
#pragma once

#include <optional>
#include <string_view>

namespace edge_rt::serve {

/// Whether `a` equals `b`, taking time that depends on their lengths only.
bool constant_time_equal(std::string_view a, std::string_view b);

/// Whether an Authorization header value carries `key` (true when no key is required).
bool authorized(std::optional<std::string_view> authorization, std::string_view key);

} // namespace edge_rt::serve
