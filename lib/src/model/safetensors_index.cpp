#include "model/safetensors_index.hpp"

#include "edge_rt/error.hpp"
#include "model/hf_json.hpp"

#include <fmt/format.h>

namespace edge_rt::model {
namespace {

constexpr std::uint64_t kMaxIndexBytes = 64u << 20;
constexpr int kMaxIndexDepth = 8;

// A shard must sit beside the index: no directories, no way out of the model folder.
bool plain_file_name(const std::string& s)
{
    return !s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos &&
           s.find('\\') == std::string::npos && s.find('\0') == std::string::npos;
}

} // namespace

SafetensorsIndex read_safetensors_index(const std::filesystem::path& index_path)
{
    SafetensorsIndex out;
    out.path = index_path.string();
    const auto fail = [&](const std::string& what) {
        throw FormatError(fmt::format("{}: {}", out.path, what));
    };
    const nlohmann::json j = read_json_file(index_path, kMaxIndexBytes, kMaxIndexDepth);
    const auto map = j.is_object() ? j.find("weight_map") : j.end();
    if (map == j.end() || !map->is_object())
        fail("no weight_map object");
    if (map->empty())
        fail("weight_map is empty");
    // Shards numbered in name order (model-00001-of-00002 first), each checked once.
    std::map<std::string, std::size_t> shard_ids;
    for (const auto& [tensor, shard] : map->items()) {
        if (!shard.is_string() || !plain_file_name(shard.get<std::string>()))
            fail(fmt::format("weight_map entry {} names {}, not a shard file beside the index",
                             printable(tensor), printable(shard.dump())));
        shard_ids.emplace(shard.get<std::string>(), 0);
    }
    for (auto& [name, id] : shard_ids) {
        id = out.shards.size();
        out.shards.push_back(index_path.parent_path() / name);
        std::error_code ec;
        if (!std::filesystem::is_regular_file(out.shards.back(), ec))
            fail(fmt::format("shard {} named by weight_map does not exist", printable(name)));
    }
    for (const auto& [tensor, shard] : map->items())
        out.shard_of_tensor.emplace(tensor, shard_ids.at(shard.get<std::string>()));
    return out;
}

} // namespace edge_rt::model
