// The runtime's exception types. Every failure the runtime reports derives from
// edge_rt::Error and carries a one-line message naming the file (or setting) and the problem.
#pragma once

#include "edge_rt/export.hpp"

#include <stdexcept>
#include <string>

namespace edge_rt {

/// Base of every exception the runtime throws on purpose.
class EDGE_RT_API Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// A model, tokenizer or config file whose contents are malformed, truncated or unsupported.
class EDGE_RT_API FormatError : public Error {
public:
    using Error::Error;
};

/// An operating-system I/O failure (open, read, io_uring setup) with errno context.
class EDGE_RT_API IoError : public Error {
public:
    using Error::Error;
};

/// A request that cannot be satisfied as asked: an impossible memory budget, an unknown option.
class EDGE_RT_API ConfigError : public Error {
public:
    using Error::Error;
};

/// A memory request the budget cannot cover: the message says how much was asked, how much
/// is in use and what the budget is.
class EDGE_RT_API BudgetError : public Error {
public:
    using Error::Error;
};

} // namespace edge_rt
