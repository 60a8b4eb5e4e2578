#include "writer/gguf_writer.hpp"
#include "writer/close_file.hpp"

#include "core/dtype.hpp"
#include "edge_rt/error.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace edge_rt::model {
namespace {

constexpr std::uint32_t kMagic = 0x46554747; // "GGUF" as a little-endian u32
constexpr std::uint32_t kVersion = 3;
constexpr std::size_t kBufferBytes = 4u << 20;

std::uint64_t round_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

} // namespace

GgufWriter::GgufWriter(const std::filesystem::path& path, std::uint32_t alignment)
    : path_(path.string()), buffer_(kBufferBytes), alignment_(alignment)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        throw ConfigError(fmt::format("{}: GGUF alignment {} is not a power of two", path_, alignment));
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ == nullptr)
        throw IoError(fmt::format("{}: cannot create: {}", path_, std::strerror(errno)));
    std::setvbuf(file_, buffer_.data(), _IOFBF, buffer_.size());
    add("general.alignment", gguf_u32(alignment));
}

GgufWriter::~GgufWriter()
{
    if (file_ != nullptr)
        std::fclose(file_);
}

void GgufWriter::fail(const std::string& what) const
{
    throw IoError(fmt::format("{}: {}", path_, what));
}

void GgufWriter::add(std::string key, GgufValue value)
{
    if (header_written_)
        throw std::logic_error("GgufWriter::add after write_header");
    for (const auto& [k, v] : metadata_)
        if (k == key)
            throw std::logic_error("GgufWriter: metadata key " + key + " added twice");
    metadata_.emplace_back(std::move(key), std::move(value));
}

void GgufWriter::add_tensor(std::string name, std::vector<std::uint64_t> shape, std::uint32_t dtype)
{
    if (header_written_)
        throw std::logic_error("GgufWriter::add_tensor after write_header");
    const auto info = dtype_info(dtype);
    std::uint64_t elems = 1;
    for (const auto d : shape)
        elems *= d;
    const auto bytes = info ? dtype_bytes(*info, elems) : std::nullopt;
    if (!bytes || shape.empty() || shape[0] % info->block_elems != 0)
        throw std::invalid_argument(fmt::format("GgufWriter: tensor {} cannot be stored as {}", name,
                                                dtype_name(dtype)));
    const std::uint64_t offset = round_up(data_bytes_, alignment_);
    tensors_.push_back({std::move(name), std::move(shape), dtype, offset, *bytes});
    data_bytes_ = offset + *bytes;
}

void GgufWriter::put(const void* p, std::size_t n)
{
    if (n != 0 && std::fwrite(p, 1, n, file_) != n)
        fail(fmt::format("write failed: {}", std::strerror(errno)));
    pos_ += n;
}

void GgufWriter::put_string(const std::string& s)
{
    const std::uint64_t n = s.size();
    put(&n, sizeof n);
    put(s.data(), s.size());
}

// Values are kept widened (integers to 64 bits, floats to double): narrow to the declared type.
void GgufWriter::put_value(const GgufValue& v, GgufType type)
{
    const auto narrow = [&](auto typed) { put(&typed, sizeof typed); };
    switch (type) {
    case GgufType::U8: narrow(static_cast<std::uint8_t>(*v.as_uint())); break;
    case GgufType::I8: narrow(static_cast<std::int8_t>(*v.as_int())); break;
    case GgufType::U16: narrow(static_cast<std::uint16_t>(*v.as_uint())); break;
    case GgufType::I16: narrow(static_cast<std::int16_t>(*v.as_int())); break;
    case GgufType::U32: narrow(static_cast<std::uint32_t>(*v.as_uint())); break;
    case GgufType::I32: narrow(static_cast<std::int32_t>(*v.as_int())); break;
    case GgufType::U64: narrow(*v.as_uint()); break;
    case GgufType::I64: narrow(*v.as_int()); break;
    case GgufType::F32: narrow(static_cast<float>(*v.as_float())); break;
    case GgufType::F64: narrow(*v.as_float()); break;
    case GgufType::Bool: narrow(static_cast<std::uint8_t>(std::get<bool>(v.data) ? 1 : 0)); break;
    case GgufType::String: put_string(*v.as_string()); break;
    case GgufType::Array: {
        const auto& items = *v.as_array();
        narrow(static_cast<std::uint32_t>(v.elem_type));
        narrow(static_cast<std::uint64_t>(items.size()));
        for (const auto& item : items)
            put_value(item, v.elem_type);
        break;
    }
    }
}

void GgufWriter::pad_to(std::uint64_t multiple)
{
    static constexpr char zeros[64] = {};
    std::uint64_t n = round_up(pos_, multiple) - pos_;
    while (n > 0) {
        const auto k = std::min<std::uint64_t>(n, sizeof zeros);
        put(zeros, k);
        n -= k;
    }
}

void GgufWriter::write_header()
{
    if (header_written_)
        throw std::logic_error("GgufWriter::write_header twice");
    header_written_ = true;
    const std::uint32_t magic = kMagic, version = kVersion;
    const std::uint64_t n_tensors = tensors_.size(), n_kv = metadata_.size();
    put(&magic, 4);
    put(&version, 4);
    put(&n_tensors, 8);
    put(&n_kv, 8);
    for (const auto& [key, value] : metadata_) {
        put_string(key);
        const auto type = static_cast<std::uint32_t>(value.type);
        put(&type, 4);
        put_value(value, value.type);
    }
    for (const auto& t : tensors_) {
        put_string(t.name);
        const auto n_dims = static_cast<std::uint32_t>(t.shape.size());
        put(&n_dims, 4);
        for (const auto d : t.shape)
            put(&d, 8);
        put(&t.dtype, 4);
        put(&t.offset, 8);
    }
    pad_to(alignment_);
    data_offset_ = pos_;
    while (current_ < tensors_.size() && tensors_[current_].nbytes == 0)
        ++current_;
}

void GgufWriter::write(std::span<const std::byte> bytes)
{
    if (!header_written_)
        throw std::logic_error("GgufWriter::write before write_header");
    while (!bytes.empty()) {
        if (current_ >= tensors_.size())
            throw std::logic_error("GgufWriter::write past the last tensor");
        const Tensor& t = tensors_[current_];
        if (current_done_ == 0)
            pad_to(alignment_); // the previous tensor's padding: data starts aligned
        const auto n = std::min<std::uint64_t>(bytes.size(), t.nbytes - current_done_);
        put(bytes.data(), static_cast<std::size_t>(n));
        bytes = bytes.subspan(static_cast<std::size_t>(n));
        current_done_ += n;
        if (current_done_ == t.nbytes) {
            ++current_;
            current_done_ = 0;
        }
    }
}

void GgufWriter::finish()
{
    if (!header_written_ || current_ != tensors_.size())
        throw std::logic_error(fmt::format("GgufWriter::finish with tensor {} of {} incomplete", current_,
                                           tensors_.size()));
    pad_to(alignment_); // as ggml does: the last tensor is padded too
    std::FILE* f = file_;
    file_ = nullptr;
    if (const auto err = close_file(f))
        fail(fmt::format("write failed: {}", std::strerror(*err)));
}

GgufValue gguf_u32(std::uint32_t v) { return {GgufType::U32, GgufType::U8, std::uint64_t{v}}; }
GgufValue gguf_u64(std::uint64_t v) { return {GgufType::U64, GgufType::U8, v}; }
GgufValue gguf_i32(std::int32_t v) { return {GgufType::I32, GgufType::U8, std::int64_t{v}}; }
GgufValue gguf_f32(float v) { return {GgufType::F32, GgufType::U8, double{v}}; }
GgufValue gguf_bool(bool v) { return {GgufType::Bool, GgufType::U8, v}; }
GgufValue gguf_string(std::string v) { return {GgufType::String, GgufType::U8, std::move(v)}; }

GgufValue gguf_strings(const std::vector<std::string>& v)
{
    std::vector<GgufValue> items;
    items.reserve(v.size());
    for (const auto& s : v)
        items.push_back(gguf_string(s));
    return {GgufType::Array, GgufType::String, std::move(items)};
}

GgufValue gguf_f32s(const std::vector<float>& v)
{
    std::vector<GgufValue> items;
    items.reserve(v.size());
    for (const float f : v)
        items.push_back(gguf_f32(f));
    return {GgufType::Array, GgufType::F32, std::move(items)};
}

GgufValue gguf_i32s(const std::vector<std::int32_t>& v)
{
    std::vector<GgufValue> items;
    items.reserve(v.size());
    for (const auto i : v)
        items.push_back(gguf_i32(i));
    return {GgufType::Array, GgufType::I32, std::move(items)};
}

} // namespace edge_rt::model
