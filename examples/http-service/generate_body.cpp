#include "generate_body.hpp"

#include "http_request.hpp"

#include <nlohmann/json.hpp>

namespace edge_rt::service {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& message) { throw HttpError(400, message); }

double number(const json& v, const std::string& name, double lo, double hi)
{
    if (!v.is_number())
        bad("field '" + name + "' must be a number");
    const double x = v.get<double>();
    if (!(x >= lo && x <= hi))
        bad("field '" + name + "' must be between " + json(lo).dump() + " and " + json(hi).dump());
    return x;
}

long long integer(const json& v, const std::string& name, long long lo, long long hi)
{
    if (!v.is_number_integer())
        bad("field '" + name + "' must be an integer");
    const auto x = v.get<long long>();
    if (x < lo || x > hi)
        bad("field '" + name + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    return x;
}

void apply(GenerateRequest& r, const std::string& key, const json& v)
{
    auto& s = r.sampling;
    if (key == "prompt") {
        if (!v.is_string())
            bad("field 'prompt' must be a string");
        r.prompt = v.get<std::string>();
    } else if (key == "max_tokens") {
        r.max_tokens = static_cast<std::size_t>(integer(v, key, 1, 4096));
    } else if (key == "temperature" || key == "temp") {
        s.temperature = static_cast<float>(number(v, key, 0.0, 100.0));
    } else if (key == "top_k") {
        s.top_k = static_cast<int>(integer(v, key, 0, 1 << 30));
    } else if (key == "top_p") {
        s.top_p = static_cast<float>(number(v, key, 1e-6, 1.0));
    } else if (key == "repeat_penalty") {
        s.repeat_penalty = static_cast<float>(number(v, key, 1e-6, 100.0));
    } else if (key == "repeat_last_n") {
        s.repeat_last_n = static_cast<int>(integer(v, key, -1, 1 << 30));
    } else if (key == "seed") {
        if (!v.is_number_unsigned())
            bad("field 'seed' must be a non-negative integer");
        s.seed = v.get<std::uint64_t>();
    } else {
        bad("unknown field '" + key + "'");
    }
}

} // namespace

GenerateRequest parse_generate_body(std::string_view body)
{
    const json doc = json::parse(body, nullptr, false);
    if (doc.is_discarded())
        bad("malformed JSON body");
    if (!doc.is_object())
        bad("the body must be a JSON object");
    GenerateRequest r;
    r.max_tokens = 64;
    for (const auto& [key, value] : doc.items())
        apply(r, key, value);
    if (!doc.contains("prompt"))
        bad("field 'prompt' is required");
    return r;
}

} // namespace edge_rt::service
