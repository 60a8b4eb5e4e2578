#include "model_data.hpp"

#include "env.hpp"
#include "temp_dir.hpp"

#include <cstring>
#include <fstream>
#include <gtest/gtest.h>

namespace edge_rt::test {

std::filesystem::path test_data(const std::string& relative)
{
    return std::filesystem::path(required_env("EDGE_RT_TEST_DATA")) / relative;
}

std::vector<std::int32_t> read_ids(const std::filesystem::path& path)
{
    std::ifstream in(path);
    EXPECT_TRUE(in.good()) << "cannot open " << path;
    std::vector<std::int32_t> ids;
    for (std::int32_t id; in >> id;)
        ids.push_back(id);
    return ids;
}

nlohmann::json read_json(const std::filesystem::path& path)
{
    std::ifstream in(path);
    EXPECT_TRUE(in.good()) << "cannot open " << path;
    return nlohmann::json::parse(in);
}

std::vector<float> read_f32(const std::filesystem::path& path)
{
    const auto bytes = read_file(path);
    std::vector<float> out(bytes.size() / 4);
    std::memcpy(out.data(), bytes.data(), out.size() * 4); // the hosts we build for are little-endian
    return out;
}

} // namespace edge_rt::test
