#include "serve/auth.hpp"

#include <cstddef>

namespace edge_rt::serve {

bool constant_time_equal(std::string_view a, std::string_view b)
{
    // Every byte of `a` is visited whatever the lengths, and no branch depends on the contents.
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ (b.empty() ? 0 : b[i % b.size()]));
    return diff == 0;
}

bool authorized(std::optional<std::string_view> authorization, std::string_view key)
{
    if (key.empty())
        return true;
    constexpr std::string_view kScheme = "Bearer ";
    if (!authorization || authorization->size() < kScheme.size())
        return false;
    // The scheme is case-insensitive (RFC 9110); the token is not.
    for (std::size_t i = 0; i < kScheme.size(); ++i)
        if ((((*authorization)[i]) | 0x20) != (kScheme[i] | 0x20))
            return false;
    return constant_time_equal(authorization->substr(kScheme.size()), key);
}

} // namespace edge_rt::serve
