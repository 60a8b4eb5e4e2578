#include "gguf_builder.hpp"

#include <cstring>

namespace edge_rt::test {

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put_string(std::vector<std::uint8_t>& out, const std::string& s)
{
    put_u64(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}

GgufBuilder& GgufBuilder::version(std::uint32_t v)
{
    version_ = v;
    return *this;
}

GgufBuilder& GgufBuilder::alignment(std::uint32_t a)
{
    alignment_ = a;
    return kv_u32("general.alignment", a);
}

GgufBuilder& GgufBuilder::kv_raw(const std::string& key, std::uint32_t type,
                                 const std::vector<std::uint8_t>& payload)
{
    put_string(kv_bytes_, key);
    put_u32(kv_bytes_, type);
    kv_bytes_.insert(kv_bytes_.end(), payload.begin(), payload.end());
    ++n_kv_;
    return *this;
}

GgufBuilder& GgufBuilder::kv_u32(const std::string& key, std::uint32_t v)
{
    std::vector<std::uint8_t> p;
    put_u32(p, v);
    return kv_raw(key, 4, p);
}

GgufBuilder& GgufBuilder::kv_f32(const std::string& key, float v)
{
    std::uint32_t bits;
    std::memcpy(&bits, &v, 4);
    std::vector<std::uint8_t> p;
    put_u32(p, bits);
    return kv_raw(key, 6, p);
}

GgufBuilder& GgufBuilder::kv_string(const std::string& key, const std::string& v)
{
    std::vector<std::uint8_t> p;
    put_string(p, v);
    return kv_raw(key, 8, p);
}

GgufBuilder& GgufBuilder::kv_strings(const std::string& key, const std::vector<std::string>& v)
{
    std::vector<std::uint8_t> p;
    put_u32(p, 8);
    put_u64(p, v.size());
    for (const auto& s : v)
        put_string(p, s);
    return kv_raw(key, 9, p);
}

GgufBuilder& GgufBuilder::kv_i32s(const std::string& key, const std::vector<std::int32_t>& v)
{
    std::vector<std::uint8_t> p;
    put_u32(p, 5);
    put_u64(p, v.size());
    for (auto x : v)
        put_u32(p, static_cast<std::uint32_t>(x));
    return kv_raw(key, 9, p);
}

GgufBuilder& GgufBuilder::tensor(const std::string& name, const std::vector<std::uint64_t>& shape,
                                 std::uint32_t type, std::vector<std::uint8_t> data,
                                 std::optional<std::uint64_t> offset)
{
    tensors_.push_back({name, shape, type, std::move(data), offset});
    return *this;
}

std::vector<std::uint8_t> GgufBuilder::build() const
{
    std::vector<std::uint8_t> out;
    put_u32(out, 0x46554747);
    put_u32(out, version_);
    put_u64(out, tensors_.size());
    put_u64(out, n_kv_);
    out.insert(out.end(), kv_bytes_.begin(), kv_bytes_.end());

    std::vector<std::uint64_t> offsets;
    std::uint64_t next = 0;
    for (const auto& t : tensors_) {
        const std::uint64_t off = t.offset.value_or(next);
        offsets.push_back(off);
        next = (off + t.data.size() + alignment_ - 1) / alignment_ * alignment_;
        put_string(out, t.name);
        put_u32(out, static_cast<std::uint32_t>(t.shape.size()));
        for (auto d : t.shape)
            put_u64(out, d);
        put_u32(out, t.type);
        put_u64(out, off);
    }
    const std::size_t data_start = (out.size() + alignment_ - 1) / alignment_ * alignment_;
    out.resize(data_start, 0);
    for (std::size_t i = 0; i < tensors_.size(); ++i) {
        const auto& t = tensors_[i];
        const std::size_t at = data_start + offsets[i];
        if (out.size() < at + t.data.size())
            out.resize(at + t.data.size(), 0);
        if (!t.data.empty())
            std::memcpy(out.data() + at, t.data.data(), t.data.size());
    }
    return out;
}

} // namespace edge_rt::test
