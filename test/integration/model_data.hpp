// Reference data for the model-level tests: test/data copies of /work/shared/models files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace edge_rt::test {

/// $EDGE_RT_TEST_DATA / `relative`; fails the test when the variable is unset.
std::filesystem::path test_data(const std::string& relative);

/// Whitespace-separated integers (one id per line in the reference files).
std::vector<std::int32_t> read_ids(const std::filesystem::path& path);

nlohmann::json read_json(const std::filesystem::path& path);

/// Little-endian float32 values.
std::vector<float> read_f32(const std::filesystem::path& path);

} // namespace edge_rt::test
