// Accessors of GGUF metadata values and look-ups in a parsed file.
#include "model/gguf.hpp"

#include "edge_rt/error.hpp"

#include <fmt/format.h>
#include <limits>

namespace edge_rt::model {

std::string_view gguf_type_name(GgufType t)
{
    switch (t) {
    case GgufType::U8: return "u8";
    case GgufType::I8: return "i8";
    case GgufType::U16: return "u16";
    case GgufType::I16: return "i16";
    case GgufType::U32: return "u32";
    case GgufType::I32: return "i32";
    case GgufType::F32: return "f32";
    case GgufType::Bool: return "bool";
    case GgufType::String: return "string";
    case GgufType::Array: return "array";
    case GgufType::U64: return "u64";
    case GgufType::I64: return "i64";
    case GgufType::F64: return "f64";
    }
    return "unknown";
}

std::optional<std::uint64_t> GgufValue::as_uint() const
{
    if (const auto* u = std::get_if<std::uint64_t>(&data))
        return *u;
    if (const auto* i = std::get_if<std::int64_t>(&data); i && *i >= 0)
        return static_cast<std::uint64_t>(*i);
    return std::nullopt;
}

std::optional<std::int64_t> GgufValue::as_int() const
{
    if (const auto* i = std::get_if<std::int64_t>(&data))
        return *i;
    if (const auto* u = std::get_if<std::uint64_t>(&data);
        u && *u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return static_cast<std::int64_t>(*u);
    return std::nullopt;
}

std::optional<double> GgufValue::as_float() const
{
    if (const auto* d = std::get_if<double>(&data))
        return *d;
    if (const auto* i = std::get_if<std::int64_t>(&data))
        return static_cast<double>(*i);
    if (const auto* u = std::get_if<std::uint64_t>(&data))
        return static_cast<double>(*u);
    return std::nullopt;
}

const std::string* GgufValue::as_string() const { return std::get_if<std::string>(&data); }

const std::vector<GgufValue>* GgufValue::as_array() const
{
    return std::get_if<std::vector<GgufValue>>(&data);
}

std::uint64_t GgufTensorInfo::elements() const
{
    std::uint64_t n = 1;
    for (auto d : shape)
        n *= d; // overflow was ruled out when the file was read
    return n;
}

const GgufValue* GgufFile::find(std::string_view key) const
{
    const auto it = index_.find(key);
    return it == index_.end() ? nullptr : &metadata[it->second].second;
}

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const
{
    const auto it = tensor_index_.find(name);
    return it == tensor_index_.end() ? nullptr : &tensors[it->second];
}

bool GgufFile::add_metadata(std::string key, GgufValue value)
{
    if (!index_.emplace(key, metadata.size()).second)
        return false;
    metadata.emplace_back(std::move(key), std::move(value));
    return true;
}

bool GgufFile::add_tensor(GgufTensorInfo tensor)
{
    if (!tensor_index_.emplace(tensor.name, tensors.size()).second)
        return false;
    tensors.push_back(std::move(tensor));
    return true;
}

namespace {
[[noreturn]] void wrong_type(const GgufFile& f, std::string_view key, const GgufValue& v,
                             std::string_view want)
{
    throw FormatError(fmt::format("{}: metadata key {} is {}, expected {}", f.path, key,
                                  gguf_type_name(v.type), want));
}
} // namespace

std::optional<std::uint64_t> GgufFile::get_uint(std::string_view key) const
{
    const GgufValue* v = find(key);
    if (v == nullptr)
        return std::nullopt;
    if (auto u = v->as_uint())
        return u;
    wrong_type(*this, key, *v, "a non-negative integer");
}

std::optional<double> GgufFile::get_float(std::string_view key) const
{
    const GgufValue* v = find(key);
    if (v == nullptr)
        return std::nullopt;
    if (auto d = v->as_float())
        return d;
    wrong_type(*this, key, *v, "a number");
}

std::optional<std::string> GgufFile::get_string(std::string_view key) const
{
    const GgufValue* v = find(key);
    if (v == nullptr)
        return std::nullopt;
    if (const auto* s = v->as_string())
        return *s;
    wrong_type(*this, key, *v, "a string");
}

} // namespace edge_rt::model
