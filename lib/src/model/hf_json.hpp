// Strict JSON parsing for Hugging Face files (SafeTensors headers, config.json, shard
// indexes): duplicate keys and absurd nesting are errors, and every failure is a one-line
// FormatError naming the file.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace edge_rt::model {

/// Parses `text` as one JSON value. Objects and arrays may nest at most `max_depth` levels
/// (the top-level value is level 1). Throws FormatError "<path>: …" on any problem.
nlohmann::json parse_json_strict(std::string_view text, const std::string& path, int max_depth);

/// Reads and parses a whole JSON file of at most `max_bytes`. A missing file is a
/// FormatError too (a model folder without it is malformed); other I/O failures are IoError.
nlohmann::json read_json_file(const std::filesystem::path& path, std::uint64_t max_bytes, int max_depth);

/// `s` made safe for a one-line message: control bytes escaped, long names shortened.
std::string printable(std::string_view s);

} // namespace edge_rt::model
