// Paths the test runner passes in through the environment (see test/meson.build).
#pragma once

#include <filesystem>
#include <string>

namespace edge_rt::test {

/// The value of `name`; fails the calling test (FAIL()) when it is unset.
std::string required_env(const char* name);

std::filesystem::path bundled_model();
std::filesystem::path shared_models();

} // namespace edge_rt::test
