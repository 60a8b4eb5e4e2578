// One reading of the machine's state. The types are public (edge_rt/system.hpp: `status` and
// embedders read them too); the monitor uses them under its own names.
#pragma once

#include "edge_rt/system.hpp"

namespace edge_rt::monitor {

using edge_rt::CpuCore;
using edge_rt::ThermalZone;
using edge_rt::ThrottleFlags;
using Snapshot = edge_rt::SystemSnapshot;

} // namespace edge_rt::monitor
