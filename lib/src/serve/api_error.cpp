#include "serve/api_error.hpp"

#include <nlohmann/json.hpp>

#include <utility>

namespace edge_rt::serve {

ApiError::ApiError(int status, std::string type, const std::string& message, std::string param, std::string code)
    : std::runtime_error(message), status_(status), type_(std::move(type)), param_(std::move(param)),
      code_(std::move(code))
{
}

std::string ApiError::body() const
{
    nlohmann::json e{{"message", what()}, {"type", type_}, {"param", nullptr}, {"code", nullptr}};
    if (!param_.empty())
        e["param"] = param_;
    if (!code_.empty())
        e["code"] = code_;
    return nlohmann::json{{"error", std::move(e)}}.dump();
}

ApiError bad_request(const std::string& param, const std::string& message, std::string code)
{
    return ApiError(400, "invalid_request_error", message, param, std::move(code));
}

} // namespace edge_rt::serve
