#include "writer/quantize_source.hpp"

#include "core/dtype.hpp"
#include "edge_rt/error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

namespace edge_rt::quantize {
namespace {

namespace fs = std::filesystem;

ModelShape gguf_shape(const model::GgufFile& f)
{
    ModelShape s;
    const auto arch = f.get_string("general.architecture").value_or("llama");
    s.n_layer = static_cast<std::uint32_t>(f.get_uint(arch + ".block_count").value_or(0));
    const auto heads = f.get_uint(arch + ".attention.head_count"), kv = f.get_uint(arch + ".attention.head_count_kv");
    if (heads && kv && *kv > 0)
        s.n_gqa = static_cast<std::uint32_t>(*heads / *kv);
    s.has_output = f.find_tensor("output.weight") != nullptr;
    return s;
}

Source open_gguf_source(const fs::path& input)
{
    model::GgufFile f = model::read_gguf(input);
    Source s;
    s.files.push_back(f.path);
    for (const auto& t : f.tensors)
        s.tensors.push_back({t.name, t.shape, t.type, 0, t.offset, t.nbytes, Layout::Rows, 0, {}});
    s.shape = gguf_shape(f);
    s.input_bytes = f.file_size;
    s.metadata = std::move(f.metadata);
    return s;
}

} // namespace

std::uint64_t SourceTensor::elements() const
{
    std::uint64_t n = 1;
    for (const auto d : shape)
        n *= d;
    return n;
}

Source open_source(const fs::path& input)
{
    std::error_code ec;
    if (fs::is_directory(input, ec))
        return open_hf_source(input);
    // A folder's config.json or .safetensors file names the folder, as for `run -m`.
    if (input.extension() == ".safetensors" || input.filename() == "config.json")
        return open_hf_source(input.parent_path().empty() ? "." : input.parent_path());
    return open_gguf_source(input);
}

RowReader::~RowReader()
{
    for (const int fd : fds_)
        if (fd >= 0)
            ::close(fd);
}

void RowReader::read_at(std::uint32_t file, std::uint64_t offset, std::span<std::byte> into)
{
    const std::string& path = files_.at(file);
    int& fd = fds_[file];
    if (fd < 0 && (fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC)) < 0)
        throw IoError(fmt::format("{}: cannot open ({})", path, std::strerror(errno)));
    std::size_t done = 0;
    while (done < into.size()) {
        const ssize_t n = ::pread(fd, into.data() + done, into.size() - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw IoError(fmt::format("{}: read failed at byte {} ({})", path, offset + done,
                                      n == 0 ? "unexpected end of file" : std::strerror(errno)));
        done += static_cast<std::size_t>(n);
    }
}

void RowReader::read(const SourceTensor& t, std::uint64_t row, std::uint64_t n, std::span<std::byte> out)
{
    const std::uint64_t rows = t.shape.empty() || t.shape[0] == 0 ? 0 : t.elements() / t.shape[0];
    const std::uint64_t row_bytes = rows == 0 ? 0 : t.nbytes / rows;
    if (!t.data.empty()) {
        std::memcpy(out.data(), t.data.data() + row * row_bytes, n * row_bytes);
    } else if (t.layout == Layout::Rows) {
        read_at(t.file, t.offset + row * row_bytes, out.first(n * row_bytes));
    } else if (t.layout == Layout::HeadHalves) {
        const std::uint64_t hd = t.head_dim, half = hd / 2;
        for (std::uint64_t g = row; g < row + n; ++g) {
            const std::uint64_t w = g % hd, from = g - w + w / 2 + (w % 2) * half;
            read_at(t.file, t.offset + from * row_bytes, out.subspan((g - row) * row_bytes, row_bytes));
        }
    } else { // Transposed: file row i (of shape[0]) holds element i of every output row
        const std::uint64_t size = row_bytes / t.shape[0], in = t.shape[0];
        column_.resize(n * size);
        for (std::uint64_t i = 0; i < in; ++i) {
            read_at(t.file, t.offset + (i * rows + row) * size, column_);
            for (std::uint64_t j = 0; j < n; ++j)
                std::memcpy(out.data() + (j * in + i) * size, column_.data() + j * size, size);
        }
    }
}

} // namespace edge_rt::quantize
