// model.safetensors.index.json: which shard file holds each tensor of a sharded checkpoint.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace edge_rt::model {

struct SafetensorsIndex {
    std::string path;
    std::vector<std::filesystem::path> shards;          // sorted by file name
    std::map<std::string, std::size_t> shard_of_tensor; // tensor name -> index into shards
};

/// Reads the index at `index_path`. Shard names must be plain file names beside it that exist.
/// Throws FormatError naming the index and the problem.
SafetensorsIndex read_safetensors_index(const std::filesystem::path& index_path);

} // namespace edge_rt::model
