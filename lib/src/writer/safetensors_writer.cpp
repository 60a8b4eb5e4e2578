#include "writer/safetensors_writer.hpp"
#include "writer/close_file.hpp"

#include "edge_rt/error.hpp"
#include "model/safetensors.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace edge_rt::model {
namespace {

constexpr std::size_t kBufferBytes = 4u << 20;

} // namespace

SafetensorsWriter::SafetensorsWriter(const std::filesystem::path& path) : path_(path.string()), buffer_(kBufferBytes)
{
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ == nullptr)
        throw IoError(fmt::format("{}: cannot create: {}", path_, std::strerror(errno)));
    std::setvbuf(file_, buffer_.data(), _IOFBF, buffer_.size());
}

SafetensorsWriter::~SafetensorsWriter()
{
    if (file_ != nullptr)
        std::fclose(file_);
}

void SafetensorsWriter::fail(const std::string& what) const
{
    throw IoError(fmt::format("{}: {}", path_, what));
}

void SafetensorsWriter::add_metadata(const std::string& key, const std::string& value)
{
    metadata_[key] = value;
}

void SafetensorsWriter::add_tensor(std::string name, std::string dtype, std::vector<std::uint64_t> shape)
{
    if (header_written_)
        throw std::logic_error("SafetensorsWriter::add_tensor after write_header");
    const auto size = safetensors_dtype_size(dtype);
    if (!size)
        throw std::invalid_argument("SafetensorsWriter: unknown dtype " + dtype);
    std::uint64_t bytes = *size;
    for (const auto d : shape)
        bytes *= d;
    tensors_.push_back({std::move(name), std::move(dtype), std::move(shape), data_bytes_, data_bytes_ + bytes});
    data_bytes_ += bytes;
}

void SafetensorsWriter::put(const void* p, std::size_t n)
{
    if (n != 0 && std::fwrite(p, 1, n, file_) != n)
        fail(fmt::format("write failed: {}", std::strerror(errno)));
}

void SafetensorsWriter::write_header()
{
    if (header_written_)
        throw std::logic_error("SafetensorsWriter::write_header twice");
    header_written_ = true;
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata_.empty())
        header["__metadata__"] = metadata_;
    for (const auto& t : tensors_)
        header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {t.begin, t.end}}};
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' '); // data starts 8-byte aligned
    const std::uint64_t n = text.size();
    put(&n, sizeof n);
    put(text.data(), text.size());
}

void SafetensorsWriter::write(std::span<const std::byte> bytes)
{
    if (!header_written_)
        throw std::logic_error("SafetensorsWriter::write before write_header");
    if (bytes.size() > data_bytes_ - written_)
        throw std::logic_error("SafetensorsWriter::write past the last tensor");
    put(bytes.data(), bytes.size());
    written_ += bytes.size();
}

void SafetensorsWriter::finish()
{
    if (!header_written_ || written_ != data_bytes_)
        throw std::logic_error(fmt::format("SafetensorsWriter::finish with {} of {} data bytes written", written_,
                                           data_bytes_));
    std::FILE* f = file_;
    file_ = nullptr;
    if (const auto err = close_file(f))
        fail(fmt::format("write failed: {}", std::strerror(*err)));
}

} // namespace edge_rt::model
