#include "safetensors_builder.hpp"

#include <bit>
#include <cstdio>

namespace edge_rt::test {
namespace {

std::string entry_json(const std::string& dtype, const std::vector<std::uint64_t>& shape, std::uint64_t begin,
                       std::uint64_t end)
{
    std::string s = "{\"dtype\":" + json_string(dtype) + ",\"shape\":[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0)
            s += ',';
        s += std::to_string(shape[i]);
    }
    return s + "],\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(end) + "]}";
}

void put_le(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

} // namespace

std::string json_string(std::string_view s)
{
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

SafetensorsBuilder& SafetensorsBuilder::tensor(const std::string& name, const std::string& dtype,
                                               const std::vector<std::uint64_t>& shape,
                                               const std::vector<std::uint8_t>& data)
{
    const std::uint64_t begin = data_.size();
    data_.insert(data_.end(), data.begin(), data.end());
    entries_.emplace_back(name, entry_json(dtype, shape, begin, data_.size()));
    return *this;
}

SafetensorsBuilder& SafetensorsBuilder::tensor_at(const std::string& name, const std::string& dtype,
                                                  const std::vector<std::uint64_t>& shape, std::uint64_t begin,
                                                  std::uint64_t end)
{
    entries_.emplace_back(name, entry_json(dtype, shape, begin, end));
    return *this;
}

SafetensorsBuilder& SafetensorsBuilder::raw_entry(const std::string& name, const std::string& json)
{
    entries_.emplace_back(name, json);
    return *this;
}

SafetensorsBuilder& SafetensorsBuilder::metadata(const std::string& key, const std::string& value)
{
    metadata_.emplace_back(key, value);
    return *this;
}

SafetensorsBuilder& SafetensorsBuilder::padding(std::uint64_t n)
{
    data_.resize(data_.size() + n, 0);
    return *this;
}

std::string SafetensorsBuilder::header() const
{
    std::string s = "{";
    if (!metadata_.empty()) {
        s += "\"__metadata__\":{";
        for (std::size_t i = 0; i < metadata_.size(); ++i) {
            if (i > 0)
                s += ',';
            s += json_string(metadata_[i].first) + ":" + json_string(metadata_[i].second);
        }
        s += "}";
    }
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (i > 0 || !metadata_.empty())
            s += ',';
        s += json_string(entries_[i].first) + ":" + entries_[i].second;
    }
    return s + "}";
}

std::vector<std::uint8_t> SafetensorsBuilder::build() const
{
    // Writers pad the header with spaces so the data starts 8-byte aligned; readers must accept it.
    std::string h = header();
    h.resize((h.size() + 7) / 8 * 8, ' ');
    return safetensors_file(h.size(), h, data_);
}

std::vector<std::uint8_t> safetensors_file(std::uint64_t header_len, std::string_view header,
                                           const std::vector<std::uint8_t>& data)
{
    std::vector<std::uint8_t> out;
    put_le(out, header_len, 8);
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

std::vector<std::uint8_t> f32_bytes(const std::vector<float>& v)
{
    std::vector<std::uint8_t> out;
    for (const float x : v)
        put_le(out, std::bit_cast<std::uint32_t>(x), 4);
    return out;
}

std::vector<std::uint8_t> u16_bytes(const std::vector<std::uint16_t>& v)
{
    std::vector<std::uint8_t> out;
    for (const auto x : v)
        put_le(out, x, 2);
    return out;
}

} // namespace edge_rt::test
