#include "writer/quantize_output.hpp"

#include "edge_rt/error.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <fmt/format.h>
#include <unistd.h>

namespace edge_rt {

namespace fs = std::filesystem;

namespace {

void fsync_path(const fs::path& p, int flags, const std::string& what)
{
    const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int e = errno;
        if (fd >= 0)
            ::close(fd);
        throw IoError(fmt::format("{}: fsync failed ({})", what, std::strerror(e)));
    }
    ::close(fd);
}

} // namespace

TemporaryOutput::TemporaryOutput(fs::path output) : output_(std::move(output))
{
    if (fs::is_directory(output_))
        throw IoError(fmt::format("{}: is a folder; give the output file's name", output_.string()));
    std::string pattern = output_.string() + ".tmp-XXXXXX";
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0)
        throw IoError(fmt::format("{}: cannot create the output ({})", output_.string(), std::strerror(errno)));
    // mkstemp makes the file 0600; the output gets the mode any new file would (0666 & ~umask).
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    ::close(fd);
    tmp_ = pattern;
}

TemporaryOutput::~TemporaryOutput()
{
    if (!committed_) {
        std::error_code ec;
        fs::remove(tmp_, ec);
    }
}

void TemporaryOutput::commit()
{
    fsync_path(tmp_, O_RDONLY, output_.string());
    std::error_code ec;
    fs::rename(tmp_, output_, ec);
    if (ec)
        throw IoError(fmt::format("{}: cannot rename the finished file into place ({})", output_.string(), ec.message()));
    committed_ = true;
    const fs::path dir = output_.has_parent_path() ? output_.parent_path() : fs::path(".");
    fsync_path(dir, O_RDONLY | O_DIRECTORY, output_.string());
}

namespace quantize {

void write_metadata(const std::vector<std::pair<std::string, model::GgufValue>>& metadata, std::uint32_t file_type,
                    model::GgufWriter& writer)
{
    bool have_type = false, have_version = false;
    for (const auto& [key, value] : metadata) {
        if (key == "general.alignment")
            continue;
        if (key == "general.file_type") {
            writer.add(key, model::gguf_u32(file_type));
            have_type = true;
        } else if (key == "general.quantization_version") {
            writer.add(key, model::gguf_u32(2));
            have_version = true;
        } else {
            writer.add(key, value);
        }
    }
    if (!have_type)
        writer.add("general.file_type", model::gguf_u32(file_type));
    if (!have_version)
        writer.add("general.quantization_version", model::gguf_u32(2));
}

} // namespace quantize
} // namespace edge_rt
