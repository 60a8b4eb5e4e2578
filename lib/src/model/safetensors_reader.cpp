// Parsing and validation of a SafeTensors header.
#include "core/dtype.hpp"
#include "edge_rt/error.hpp"
#include "io/file.hpp"
#include "model/hf_json.hpp"
#include "model/safetensors.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace edge_rt::model {
namespace {

constexpr std::size_t kMaxRank = 8;
// Top-level object, tensor entries, shape/offset arrays: nothing deeper is valid.
constexpr int kHeaderDepth = 3;

struct DTypeSize {
    std::string_view name;
    std::uint32_t bytes;
};

// Element sizes the SafeTensors format defines (sub-byte float formats are not accepted).
constexpr std::array<DTypeSize, 15> kDTypes{{
    {"BOOL", 1}, {"U8", 1}, {"I8", 1}, {"F8_E5M2", 1}, {"F8_E4M3", 1},
    {"I16", 2}, {"U16", 2}, {"F16", 2}, {"BF16", 2},
    {"I32", 4}, {"U32", 4}, {"F32", 4},
    {"I64", 8}, {"U64", 8}, {"F64", 8},
}};

class HeaderParser {
public:
    HeaderParser(const io::File& file, SafetensorsFile& out) : file_(file), out_(out) {}

    void run()
    {
        read_length();
        std::string text(static_cast<std::size_t>(out_.header_bytes), '\0');
        file_.read_exact(8, std::as_writable_bytes(std::span(text)));
        const nlohmann::json header = parse_json_strict(text, out_.path, kHeaderDepth);
        if (!header.is_object())
            fail(fmt::format("header is a JSON {}, not an object", header.type_name()));
        for (const auto& [name, entry] : header.items()) {
            if (name == "__metadata__")
                read_metadata(entry);
            else
                out_.tensors.push_back(read_tensor(name, entry));
        }
        check_overlaps();
    }

private:
    [[noreturn]] void fail(const std::string& what) const
    {
        throw FormatError(fmt::format("{}: {}", out_.path, what));
    }

    void read_length()
    {
        if (out_.file_size < 8)
            fail(fmt::format("truncated: {} bytes, too short for the 8-byte header length", out_.file_size));
        std::array<std::byte, 8> raw{};
        file_.read_exact(0, raw);
        std::uint64_t n = 0;
        for (int i = 7; i >= 0; --i) // little-endian on every host
            n = (n << 8) | std::to_integer<std::uint64_t>(raw[static_cast<std::size_t>(i)]);
        if (n > kSafetensorsMaxHeader)
            fail(fmt::format("header length {} is over the {}-byte limit", n, kSafetensorsMaxHeader));
        if (n > out_.file_size - 8)
            fail(fmt::format("truncated: header length {} runs past the end of the file ({} bytes)", n,
                             out_.file_size));
        out_.header_bytes = n;
        out_.data_offset = 8 + n;
    }

    void read_metadata(const nlohmann::json& entry)
    {
        if (!entry.is_object())
            fail("__metadata__ is not an object");
        for (const auto& [key, value] : entry.items()) {
            if (!value.is_string())
                fail(fmt::format("__metadata__ value of {} is not a string", printable(key)));
            out_.metadata.emplace(key, value.get<std::string>());
        }
    }

    std::uint64_t unsigned_at(const nlohmann::json& v, const std::string& tensor, const char* field) const
    {
        if (!v.is_number_unsigned())
            fail(fmt::format("tensor {}: {} holds {}, not a non-negative integer", printable(tensor), field,
                             printable(v.dump())));
        return v.get<std::uint64_t>();
    }

    const nlohmann::json& field(const nlohmann::json& entry, const std::string& tensor, const char* key,
                                nlohmann::json::value_t type) const
    {
        const auto it = entry.find(key);
        if (it == entry.end())
            fail(fmt::format("tensor {} has no {}", printable(tensor), key));
        if (it->type() != type)
            fail(fmt::format("tensor {}: {} is a JSON {}", printable(tensor), key, it->type_name()));
        return *it;
    }

    SafetensorsTensor read_tensor(const std::string& name, const nlohmann::json& entry) const
    {
        if (!entry.is_object())
            fail(fmt::format("tensor {}: entry is a JSON {}, not an object", printable(name), entry.type_name()));
        for (const auto& [key, value] : entry.items())
            if (key != "dtype" && key != "shape" && key != "data_offsets")
                fail(fmt::format("tensor {} has unknown key {}", printable(name), printable(key)));
        using Type = nlohmann::json::value_t;
        SafetensorsTensor t;
        t.name = name;
        t.dtype = field(entry, name, "dtype", Type::string).get<std::string>();
        const auto& shape = field(entry, name, "shape", Type::array);
        const auto& offsets = field(entry, name, "data_offsets", Type::array);
        const auto elem_bytes = safetensors_dtype_size(t.dtype);
        if (!elem_bytes)
            fail(fmt::format("unsupported dtype {} in tensor {}", printable(t.dtype), printable(name)));
        if (shape.size() > kMaxRank)
            fail(fmt::format("tensor {} has {} dimensions (at most {})", printable(name), shape.size(), kMaxRank));
        if (offsets.size() != 2)
            fail(fmt::format("tensor {}: data_offsets has {} values, not 2", printable(name), offsets.size()));
        std::uint64_t bytes = *elem_bytes;
        for (const auto& d : shape) {
            t.shape.push_back(unsigned_at(d, name, "shape"));
            if (t.shape.back() != 0 && bytes > UINT64_MAX / t.shape.back())
                fail(fmt::format("tensor {} with shape [{}] is too large", printable(name),
                                 fmt::join(t.shape, ", ")));
            bytes *= t.shape.back();
        }
        t.begin = unsigned_at(offsets[0], name, "data_offsets");
        t.end = unsigned_at(offsets[1], name, "data_offsets");
        check_range(t, bytes);
        return t;
    }

    void check_range(const SafetensorsTensor& t, std::uint64_t bytes) const
    {
        if (t.end < t.begin)
            fail(fmt::format("tensor {}: data_offsets [{}, {}] end before they begin", printable(t.name),
                             t.begin, t.end));
        if (t.end - t.begin != bytes)
            fail(fmt::format("tensor {}: {} [{}] needs {} bytes but data_offsets [{}, {}] hold {}",
                             printable(t.name), t.dtype, fmt::join(t.shape, ", "), bytes, t.begin, t.end,
                             t.end - t.begin));
        const std::uint64_t data_size = out_.file_size - out_.data_offset;
        if (t.end > data_size)
            fail(fmt::format("truncated: tensor {} ends at data offset {}, past the {} data bytes in the file",
                             printable(t.name), t.end, data_size));
    }

    void check_overlaps()
    {
        auto& ts = out_.tensors;
        std::sort(ts.begin(), ts.end(), [](const auto& a, const auto& b) {
            return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
        });
        // Empty tensors occupy no bytes and overlap nothing.
        const SafetensorsTensor* reach = nullptr; // the tensor that ends furthest so far
        for (const auto& t : ts) {
            if (t.begin == t.end)
                continue;
            if (reach != nullptr && t.begin < reach->end)
                fail(fmt::format("tensors {} and {} overlap", printable(reach->name), printable(t.name)));
            if (reach == nullptr || t.end > reach->end)
                reach = &t;
        }
    }

    const io::File& file_;
    SafetensorsFile& out_;
};

} // namespace

const SafetensorsTensor* SafetensorsFile::find(std::string_view name) const
{
    for (const auto& t : tensors)
        if (t.name == name)
            return &t;
    return nullptr;
}

SafetensorsFile read_safetensors(const std::filesystem::path& path)
{
    io::File file(path);
    SafetensorsFile out;
    out.path = file.path();
    out.file_size = file.size();
    HeaderParser(file, out).run();
    return out;
}

std::optional<std::uint32_t> safetensors_dtype_size(std::string_view dtype)
{
    for (const auto& d : kDTypes)
        if (d.name == dtype)
            return d.bytes;
    return std::nullopt;
}

std::optional<std::uint32_t> safetensors_ggml_type(std::string_view dtype)
{
    if (dtype == "F32")
        return static_cast<std::uint32_t>(DType::F32);
    if (dtype == "F16")
        return static_cast<std::uint32_t>(DType::F16);
    if (dtype == "BF16")
        return static_cast<std::uint32_t>(DType::BF16);
    return std::nullopt;
}

} // namespace edge_rt::model
