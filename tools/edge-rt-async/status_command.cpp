#include "commands.hpp"
namespace edge_rt::cli { int status_command(const std::vector<std::string>&) { return 1; } }
