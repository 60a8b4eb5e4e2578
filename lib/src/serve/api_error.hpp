// An error the OpenAI-compatible API answers with: an HTTP status and the body
// {"error": {"message", "type", "param", "code"}} that OpenAI's clients turn into typed errors.
#pragma once

#include <stdexcept>
#include <string>

namespace edge_rt::serve {

class ApiError : public std::runtime_error {
public:
    /// `type`: "invalid_request_error", "authentication_error", "rate_limit_error",
    /// "server_error", …; `param`: the request field at fault (may be empty); `code`: a
    /// machine-readable code (may be empty).
    ApiError(int status, std::string type, const std::string& message, std::string param = {},
             std::string code = {});

    int status() const noexcept { return status_; }
    const std::string& type() const noexcept { return type_; }
    const std::string& param() const noexcept { return param_; }
    const std::string& code() const noexcept { return code_; }

    /// The JSON body (null for an empty param or code).
    std::string body() const;

private:
    int status_;
    std::string type_;
    std::string param_;
    std::string code_;
};

/// A 400 invalid_request_error about field `param`.
ApiError bad_request(const std::string& param, const std::string& message, std::string code = {});

} // namespace edge_rt::serve
