// The one place the public configuration vocabulary (edge_rt/config.hpp, and the C ABI's
// edge_rt_runtime_config) becomes the internal one, validated: enums map by name in switches,
// never by casting through int.
#pragma once

#include "edge_rt/config.hpp"
#include "edge_rt/edge_rt.h"
#include "io/reader.hpp"
#include "monitor/policy.hpp"
#include "plan/plan.hpp"
#include "runtime/engine.hpp"
#include "runtime/token_sampler.hpp"

namespace edge_rt::api {

plan::Strategy to_internal(Strategy s);
io::IoBackend to_internal(IoBackend b);

/// Throws ConfigError naming the field for a value the runtime cannot use.
void validate(const RuntimeConfig& c);
/// Draft tokens a verify pass carries at most: RuntimeConfig::draft_max, or 8.
std::size_t draft_max(const RuntimeConfig& c);
/// The engine's options for `c` (validated), running on the caller's `io`.
runtime::EngineOptions engine_options(const RuntimeConfig& c, asio::io_context& io);
monitor::PolicyConfig policy_config(const MonitorConfig& m);
runtime::SamplerConfig sampler_config(const SamplingConfig& s);

/// The C ABI's settings; throws ConfigError for an unknown strategy or backend number.
RuntimeConfig from_c(const edge_rt_runtime_config& c);

} // namespace edge_rt::api
