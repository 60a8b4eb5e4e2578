// Parsing and validation of a GGUF file's header and tensor table.
#include "core/dtype.hpp"
#include "edge_rt/error.hpp"
#include "io/file.hpp"
#include "model/byte_cursor.hpp"
#include "model/gguf.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>

namespace edge_rt::model {
namespace {

constexpr std::uint32_t kMagic = 0x46554747; // "GGUF" read as a little-endian u32
// Limits on what a file may make the reader allocate (docs/robustness.md says why each is safe):
// each is far above any real model's and refused before anything is allocated for it.
constexpr std::uint64_t kMaxKeyLen = 1u << 16;
constexpr std::uint64_t kMaxStringLen = 1u << 24;     // chat templates are tens of KiB
constexpr std::uint64_t kMaxArrayLen = 1u << 22;      // vocabularies are at most ~262k tokens
constexpr std::uint64_t kMaxMetadataValues = 1u << 23; // every array element of the file together
constexpr std::uint64_t kMaxTensors = 1u << 20;
constexpr std::uint32_t kMaxDims = 4;
constexpr int kMaxArrayDepth = 4;

// The fewest bytes one value of `t` takes in the file (a string: its u64 length; an array: its
// element type and u32-or-more length), so a count can be checked against the bytes left.
std::uint64_t min_encoded_size(GgufType t)
{
    switch (t) {
    case GgufType::U8: case GgufType::I8: case GgufType::Bool: return 1;
    case GgufType::U16: case GgufType::I16: return 2;
    case GgufType::U32: case GgufType::I32: case GgufType::F32: return 4;
    case GgufType::Array: return 12;
    default: return 8; // U64, I64, F64, String
    }
}

class Parser {
public:
    Parser(const io::File& file, GgufFile& out) : file_(file), cur_(file), out_(out) {}

    void run()
    {
        read_preamble();
        const auto n_tensors = cur_.read<std::uint64_t>("tensor count");
        const auto n_kv = cur_.read<std::uint64_t>("metadata count");
        // Each entry takes at least 13 (kv) or 24 (tensor) bytes: reject counts the file cannot hold.
        if (n_kv > cur_.remaining() / 13)
            fail(fmt::format("metadata count {} cannot fit in the file", n_kv));
        out_.metadata.reserve(static_cast<std::size_t>(n_kv));
        for (std::uint64_t i = 0; i < n_kv; ++i)
            read_kv();
        if (n_tensors > cur_.remaining() / 24)
            fail(fmt::format("tensor count {} cannot fit in the file", n_tensors));
        if (n_tensors > kMaxTensors)
            fail(fmt::format("tensor count {} is over the limit of {}", n_tensors, kMaxTensors));
        read_alignment();
        out_.tensors.reserve(static_cast<std::size_t>(n_tensors));
        for (std::uint64_t i = 0; i < n_tensors; ++i)
            read_tensor_info();
        out_.header_bytes = cur_.pos();
        const std::uint64_t a = out_.alignment;
        out_.data_offset = (cur_.pos() + a - 1) / a * a;
        place_tensors();
    }

private:
    [[noreturn]] void fail(const std::string& what) const
    {
        throw FormatError(fmt::format("{}: {}", file_.path(), what));
    }

    void read_preamble()
    {
        if (file_.size() < 8)
            fail(fmt::format("not a GGUF file: only {} bytes", file_.size()));
        const auto magic = cur_.read<std::uint32_t>("magic");
        if (magic != kMagic)
            fail("not a GGUF file: bad magic");
        out_.version = cur_.read<std::uint32_t>("version");
        if (out_.version == 1)
            fail("GGUF version 1 is not supported (re-convert the model: v2 and v3 are)");
        if (out_.version > 0xffff)
            fail("big-endian GGUF files are not supported");
        if (out_.version > 3)
            fail(fmt::format("GGUF version {} is newer than this runtime supports (2, 3)", out_.version));
    }

    GgufValue read_value(GgufType type, const std::string& key, int depth)
    {
        GgufValue v;
        v.type = type;
        const char* what = "metadata value";
        switch (type) {
        case GgufType::U8: v.data = std::uint64_t{cur_.read<std::uint8_t>(what)}; break;
        case GgufType::I8: v.data = std::int64_t{cur_.read<std::int8_t>(what)}; break;
        case GgufType::U16: v.data = std::uint64_t{cur_.read<std::uint16_t>(what)}; break;
        case GgufType::I16: v.data = std::int64_t{cur_.read<std::int16_t>(what)}; break;
        case GgufType::U32: v.data = std::uint64_t{cur_.read<std::uint32_t>(what)}; break;
        case GgufType::I32: v.data = std::int64_t{cur_.read<std::int32_t>(what)}; break;
        case GgufType::U64: v.data = cur_.read<std::uint64_t>(what); break;
        case GgufType::I64: v.data = cur_.read<std::int64_t>(what); break;
        case GgufType::F32: v.data = double{cur_.read<float>(what)}; break;
        case GgufType::F64: v.data = cur_.read<double>(what); break;
        case GgufType::Bool: {
            const auto b = cur_.read<std::uint8_t>(what);
            if (b > 1)
                fail(fmt::format("metadata key {} has bool value {}", key, b));
            v.data = b == 1;
            break;
        }
        case GgufType::String: v.data = cur_.read_string("metadata string", kMaxStringLen); break;
        case GgufType::Array: v.data = read_array(v, key, depth); break;
        default: fail(fmt::format("metadata key {} has unknown value type {}", key,
                                  static_cast<std::uint32_t>(type)));
        }
        return v;
    }

    std::vector<GgufValue> read_array(GgufValue& v, const std::string& key, int depth)
    {
        if (depth >= kMaxArrayDepth)
            fail(fmt::format("metadata key {} nests arrays deeper than {}", key, kMaxArrayDepth));
        v.elem_type = read_type(key);
        const auto n = cur_.read<std::uint64_t>("array length");
        if (n > cur_.remaining() / min_encoded_size(v.elem_type))
            fail(fmt::format("metadata key {} claims {} elements, more than the file holds", key, n));
        if (n > kMaxArrayLen)
            fail(fmt::format("metadata key {} has {} elements, over the limit of {}", key, n, kMaxArrayLen));
        values_ += n;
        if (values_ > kMaxMetadataValues)
            fail(fmt::format("metadata key {} brings the file's array elements to {}, over the limit of {}", key,
                             values_, kMaxMetadataValues));
        std::vector<GgufValue> items;
        items.reserve(static_cast<std::size_t>(n));
        for (std::uint64_t i = 0; i < n; ++i)
            items.push_back(read_value(v.elem_type, key, depth + 1));
        return items;
    }

    GgufType read_type(const std::string& key)
    {
        const auto t = cur_.read<std::uint32_t>("value type");
        if (t > static_cast<std::uint32_t>(GgufType::F64))
            fail(fmt::format("metadata key {} has unknown value type {}", key, t));
        return static_cast<GgufType>(t);
    }

    void read_kv()
    {
        std::string key = cur_.read_string("metadata key", kMaxKeyLen);
        const GgufType type = read_type(key);
        GgufValue value = read_value(type, key, 0);
        if (!out_.add_metadata(key, std::move(value)))
            fail(fmt::format("metadata key {} appears twice", key));
    }

    void read_alignment()
    {
        const GgufValue* v = out_.find("general.alignment");
        if (v == nullptr)
            return;
        const auto a = v->as_uint();
        if (!a || v->type != GgufType::U32 || *a == 0 || (*a & (*a - 1)) != 0)
            fail("general.alignment must be a u32 power of two");
        out_.alignment = *a;
    }

    void read_tensor_info()
    {
        GgufTensorInfo t;
        t.name = cur_.read_string("tensor name", kMaxKeyLen);
        const auto n_dims = cur_.read<std::uint32_t>("tensor rank");
        if (n_dims == 0 || n_dims > kMaxDims)
            fail(fmt::format("tensor {} has {} dimensions (1 to {} allowed)", t.name, n_dims, kMaxDims));
        std::uint64_t elems = 1;
        for (std::uint32_t d = 0; d < n_dims; ++d) {
            const auto ne = cur_.read<std::uint64_t>("tensor dimension");
            if (ne == 0 || ne > (1ull << 40) || elems > UINT64_MAX / ne)
                fail(fmt::format("tensor {} has an invalid dimension {}", t.name, ne));
            elems *= ne;
            t.shape.push_back(ne);
        }
        t.type = cur_.read<std::uint32_t>("tensor type");
        t.offset = cur_.read<std::uint64_t>("tensor offset");
        const auto info = dtype_info(t.type);
        if (!info)
            fail(fmt::format("tensor {} has unknown type id {}", t.name, t.type));
        if (t.shape[0] % info->block_elems != 0)
            fail(fmt::format("tensor {} of type {} has row length {}, not a multiple of its block size {}",
                             t.name, info->name, t.shape[0], info->block_elems));
        const auto bytes = dtype_bytes(*info, elems);
        if (!bytes)
            fail(fmt::format("tensor {} is too large", t.name));
        t.nbytes = *bytes;
        const std::string name = t.name;
        if (!out_.add_tensor(std::move(t)))
            fail(fmt::format("tensor {} appears twice", name));
    }

    // Turns relative offsets into absolute ones and checks alignment, bounds and overlaps.
    void place_tensors()
    {
        const std::uint64_t data_size =
            out_.data_offset <= file_.size() ? file_.size() - out_.data_offset : 0;
        for (auto& t : out_.tensors) {
            if (t.offset % out_.alignment != 0)
                fail(fmt::format("tensor {} offset {} is not aligned to {}", t.name, t.offset,
                                 out_.alignment));
            if (t.offset > data_size || t.nbytes > data_size - t.offset)
                fail(fmt::format("truncated: tensor {} needs bytes {}..{} of the data section, "
                                 "which holds {} bytes", t.name, t.offset, t.offset + t.nbytes,
                                 data_size));
            t.offset += out_.data_offset;
        }
        std::vector<const GgufTensorInfo*> order;
        for (const auto& t : out_.tensors)
            order.push_back(&t);
        std::sort(order.begin(), order.end(),
                  [](const auto* a, const auto* b) { return a->offset < b->offset; });
        for (std::size_t i = 1; i < order.size(); ++i)
            if (order[i - 1]->offset + order[i - 1]->nbytes > order[i]->offset)
                fail(fmt::format("tensors {} and {} overlap", order[i - 1]->name, order[i]->name));
    }

    const io::File& file_;
    ByteCursor cur_;
    GgufFile& out_;
    std::uint64_t values_ = 0; // array elements read so far (kMaxMetadataValues)
};

} // namespace

GgufFile read_gguf(const std::filesystem::path& path)
{
    io::File file(path);
    GgufFile out;
    out.path = file.path();
    out.file_size = file.size();
    Parser(file, out).run();
    return out;
}

bool looks_like_gguf(const std::filesystem::path& path)
{
    try {
        io::File file(path);
        if (file.size() < 4)
            return false;
        std::array<std::byte, 4> magic{};
        file.read_exact(0, magic);
        std::uint32_t m = 0;
        std::memcpy(&m, magic.data(), 4);
        return m == kMagic;
    } catch (const Error&) {
        return false;
    }
}

} // namespace edge_rt::model
