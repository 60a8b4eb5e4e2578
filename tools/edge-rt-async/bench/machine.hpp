// Facts about the machine and the model that every result row carries, so CSVs from several
// machines collate into one file (the benchmark-workflow seed's metadata columns).
#pragma once

#include "edge_rt/inspect.hpp"

#include <cstdint>
#include <string>

namespace edge_rt::cli {

struct MachineFacts {
    std::string platform; // uname -s, "Linux"
    std::string release;  // uname -r
    std::string device;   // the board (/proc/device-tree/model), else CPU model and architecture
    std::string username;
    std::string hostname;
    std::string uuid;     // one random UUID per bench invocation: its rows belong together
};

MachineFacts machine_facts();

struct ModelFacts {
    std::string name;
    std::uint64_t parameters = 0;
    std::uint64_t weight_bytes = 0;
    std::string size;     // parameters as "1.1B", "260K" (the seed's `size`)
    std::string quantize; // the dtype holding most weight bytes, "q8_0", "f32"
};

ModelFacts model_facts(const ModelHeader& header);

} // namespace edge_rt::cli
