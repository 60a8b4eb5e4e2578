// The FUSE protocol as the kernel speaks it (<linux/fuse.h>): each request is a fuse_in_header
// and an opcode's argument, each reply a fuse_out_header with an error or the opcode's result.
// Only what a read-only single-file file system needs is answered; the rest is ENOSYS.
#include "fuse_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace edge_rt::test {
namespace {

constexpr std::uint64_t kFileNode = 2;
constexpr std::uint32_t kMaxWrite = 128 * 1024;
// The kernel refuses to hand a request to a read smaller than this.
constexpr std::size_t kRequestBuffer = kMaxWrite + 64 * 1024;

fuse_attr attr_of(std::uint64_t node, std::uint64_t size)
{
    fuse_attr a{};
    a.ino = node;
    a.nlink = node == FUSE_ROOT_ID ? 2 : 1;
    a.mode = node == FUSE_ROOT_ID ? (S_IFDIR | 0755) : (S_IFREG | 0444);
    a.size = node == FUSE_ROOT_ID ? 0 : size;
    a.blocks = (a.size + 511) / 512;
    a.blksize = 4096;
    return a;
}

} // namespace

std::unique_ptr<FuseFile> FuseFile::mount(const std::filesystem::path& source, const std::filesystem::path& dir,
                                          std::string& why)
{
    if (geteuid() != 0) {
        why = "mounting a FUSE file system needs root";
        return nullptr;
    }
    const int fuse_fd = ::open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fuse_fd < 0) {
        why = std::string("/dev/fuse: ") + std::strerror(errno);
        return nullptr;
    }
    const int source_fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    if (source_fd < 0 || ::fstat(source_fd, &st) != 0) {
        why = source.string() + ": " + std::strerror(errno);
        ::close(fuse_fd);
        return nullptr;
    }
    const auto mountpoint = dir / "fuse-mount";
    std::filesystem::create_directories(mountpoint);
    const std::string options = "fd=" + std::to_string(fuse_fd) + ",rootmode=40000,user_id=0,group_id=0";
    if (::mount("edge-rt-test", mountpoint.c_str(), "fuse.edge-rt-test", MS_NOSUID | MS_NODEV | MS_RDONLY,
                options.c_str()) != 0) {
        why = "mount of a FUSE file system: " + std::string(std::strerror(errno));
        ::close(source_fd);
        ::close(fuse_fd);
        return nullptr;
    }
    return std::unique_ptr<FuseFile>(
        new FuseFile(fuse_fd, source_fd, static_cast<std::uint64_t>(st.st_size), mountpoint, source.filename()));
}

FuseFile::FuseFile(int fuse_fd, int source_fd, std::uint64_t size, std::filesystem::path mountpoint, std::string name)
    : fuse_fd_(fuse_fd), source_fd_(source_fd), size_(size), mountpoint_(std::move(mountpoint)),
      name_(std::move(name)), stop_fd_(::eventfd(0, EFD_CLOEXEC))
{
    server_ = std::thread([this] { serve(); });
}

FuseFile::~FuseFile()
{
    release();
    const std::uint64_t one = 1;
    (void)!::write(stop_fd_, &one, sizeof one);
    server_.join();
    ::umount2(mountpoint_.c_str(), MNT_DETACH);
    ::close(fuse_fd_); // aborts the connection: any request still open fails, nothing waits
    ::close(source_fd_);
    ::close(stop_fd_);
    std::error_code ignored;
    std::filesystem::remove(mountpoint_, ignored);
}

void FuseFile::serve()
{
    std::vector<std::uint8_t> buffer(kRequestBuffer);
    for (;;) {
        pollfd fds[2] = {{fuse_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (fds[1].revents != 0)
            return;
        const ssize_t n = ::read(fuse_fd_, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == ENOENT) // ENOENT: interrupted before read
                continue;
            return; // ENODEV: unmounted
        }
        if (static_cast<std::size_t>(n) >= sizeof(fuse_in_header))
            handle(buffer.data(), static_cast<std::size_t>(n));
    }
}

void FuseFile::handle(const std::uint8_t* request, std::size_t)
{
    fuse_in_header h;
    std::memcpy(&h, request, sizeof h);
    const std::uint8_t* arg = request + sizeof h;
    switch (h.opcode) {
    case FUSE_INIT: {
        fuse_init_in in;
        std::memcpy(&in, arg, sizeof in);
        fuse_init_out out{};
        out.major = FUSE_KERNEL_VERSION;
        out.minor = std::min<std::uint32_t>(in.minor, FUSE_KERNEL_MINOR_VERSION);
        out.max_readahead = in.max_readahead;
        out.max_background = 16;
        out.congestion_threshold = 12;
        out.max_write = kMaxWrite;
        out.time_gran = 1;
        return reply(h.unique, 0, &out, sizeof out);
    }
    case FUSE_LOOKUP: {
        const std::string name(reinterpret_cast<const char*>(arg));
        if (h.nodeid != FUSE_ROOT_ID || name != name_)
            return reply(h.unique, -ENOENT, nullptr, 0);
        fuse_entry_out out{};
        out.nodeid = kFileNode;
        out.generation = 1;
        out.entry_valid = out.attr_valid = 3600;
        out.attr = attr_of(kFileNode, size_);
        return reply(h.unique, 0, &out, sizeof out);
    }
    case FUSE_GETATTR: {
        fuse_attr_out out{};
        out.attr_valid = 3600;
        out.attr = attr_of(h.nodeid, size_);
        return reply(h.unique, 0, &out, sizeof out);
    }
    case FUSE_OPEN:
    case FUSE_OPENDIR: {
        fuse_open_out out{};
        out.fh = h.nodeid;
        out.open_flags = h.opcode == FUSE_OPEN ? FOPEN_DIRECT_IO : 0; // every read reaches the server
        return reply(h.unique, 0, &out, sizeof out);
    }
    case FUSE_READ: return handle_read(h.unique, arg);
    case FUSE_READDIR: return reply(h.unique, 0, nullptr, 0); // an empty listing
    case FUSE_STATFS: {
        fuse_statfs_out out{};
        out.st.bsize = out.st.frsize = 4096;
        out.st.namelen = 255;
        return reply(h.unique, 0, &out, sizeof out);
    }
    case FUSE_RELEASE:
    case FUSE_RELEASEDIR:
    case FUSE_FLUSH:
    case FUSE_ACCESS: return reply(h.unique, 0, nullptr, 0);
    case FUSE_FORGET:
    case FUSE_BATCH_FORGET: return; // no reply
    case FUSE_INTERRUPT: {
        fuse_interrupt_in in;
        std::memcpy(&in, arg, sizeof in);
        std::unique_lock lock(mutex_);
        if (held_unique_ == 0 || held_unique_ != in.unique)
            return; // already answered
        held_unique_ = 0;
        lock.unlock();
        ++interrupted_;
        return reply(in.unique, -EINTR, nullptr, 0);
    }
    default: return reply(h.unique, -ENOSYS, nullptr, 0);
    }
}

void FuseFile::handle_read(std::uint64_t unique, const void* arg)
{
    fuse_read_in in;
    std::memcpy(&in, arg, sizeof in);
    ++reads_;
    if (fail_countdown_.load() >= 0 && fail_countdown_.fetch_sub(1) == 0) {
        ++failed_;
        return reply(unique, -EIO, nullptr, 0);
    }
    if (hold_countdown_.load() >= 0 && hold_countdown_.fetch_sub(1) == 0) {
        ++held_;
        const std::lock_guard lock(mutex_);
        held_unique_ = unique;
        held_offset_ = in.offset;
        held_size_ = in.size;
        return; // answered by release() or an interrupt
    }
    std::uint32_t size = in.size;
    if (size > 1 && short_left_.load() > 0 && short_left_.fetch_sub(1) > 0) {
        ++shortened_;
        size /= 2;
    }
    reply_read(unique, in.offset, size);
}

void FuseFile::release()
{
    std::unique_lock lock(mutex_);
    const std::uint64_t unique = std::exchange(held_unique_, 0);
    if (unique == 0)
        return;
    const std::uint64_t offset = held_offset_;
    const std::uint32_t size = held_size_;
    lock.unlock();
    reply_read(unique, offset, size);
}

void FuseFile::reply_read(std::uint64_t unique, std::uint64_t offset, std::uint32_t size)
{
    const std::uint64_t n = offset >= size_ ? 0 : std::min<std::uint64_t>(size, size_ - offset);
    std::vector<std::uint8_t> data(n);
    const ssize_t got = ::pread(source_fd_, data.data(), n, static_cast<off_t>(offset));
    if (got < 0)
        return reply(unique, -errno, nullptr, 0);
    reply(unique, 0, data.data(), static_cast<std::size_t>(got));
}

void FuseFile::reply(std::uint64_t unique, int error, const void* data, std::size_t size)
{
    fuse_out_header h{};
    h.len = static_cast<std::uint32_t>(sizeof h + size);
    h.error = error;
    h.unique = unique;
    iovec iov[2] = {{&h, sizeof h}, {const_cast<void*>(data), size}};
    const std::lock_guard lock(write_mutex_);
    (void)!::writev(fuse_fd_, iov, size ? 2 : 1);
}

} // namespace edge_rt::test
