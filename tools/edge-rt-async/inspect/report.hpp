// `inspect`'s renderings of an edge_rt::InspectReport (edge_rt/inspect.hpp): text for people
// and one JSON document (keys in --help).
#pragma once

#include "edge_rt/inspect.hpp"

#include <string>

namespace edge_rt::cli {

/// The report as text (stdout). A GGUF model's part is the file's own summary
/// (print_gguf_summary); a SafeTensors folder's comes from its config and tensor table.
void print_report(const InspectReport& report);
void print_gguf_summary(const GgufSummary& summary);
/// The report as one JSON document.
std::string report_json(const InspectReport& report);

} // namespace edge_rt::cli
