// Reads a Snapshot from /proc and /sys. The root folder is a parameter so tests can point it at
// a fake tree (and so can a container that mounts the host's /proc elsewhere).
#pragma once

#include "monitor/snapshot.hpp"

#include <filesystem>

namespace edge_rt::monitor {

class Sampler {
public:
    explicit Sampler(std::filesystem::path root = "/") : root_(std::move(root)) {}

    /// A reading; per-core busy fractions are relative to `previous` when given. Never throws:
    /// unreadable or malformed files leave their fields empty.
    Snapshot sample(const Snapshot* previous = nullptr) const;

private:
    std::filesystem::path root_;
};

} // namespace edge_rt::monitor
