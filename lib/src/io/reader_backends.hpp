// Constructors of the two WeightReader backends (open_reader chooses between them).
#pragma once

#include "io/reader.hpp"

namespace edge_rt::io {

std::unique_ptr<WeightReader> make_uring_reader(asio::io_context& io, const std::vector<std::string>& paths,
                                                const ReaderOptions& options);
std::unique_ptr<WeightReader> make_pread_reader(asio::io_context& io, const std::vector<std::string>& paths,
                                                const ReaderOptions& options);

} // namespace edge_rt::io
