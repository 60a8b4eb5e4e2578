#include "env.hpp"

#include <cstdlib>
#include <stdexcept>

namespace edge_rt::test {

std::string required_env(const char* name)
{
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0')
        throw std::runtime_error(std::string("test environment variable ") + name +
                                 " is not set: run the tests through 'meson test'");
    return v;
}

std::filesystem::path bundled_model() { return required_env("EDGE_RT_BUNDLED_MODEL"); }

std::filesystem::path shared_models() { return required_env("EDGE_RT_SHARED_MODELS"); }

} // namespace edge_rt::test
