// The public C++ API in one include: configuration, models (async_load), sessions
// (async_generate), metrics, errors and the version.
#pragma once

#include "edge_rt/chat.hpp"
#include "edge_rt/config.hpp"
#include "edge_rt/error.hpp"
#include "edge_rt/metrics.hpp"
#include "edge_rt/model.hpp"
#include "edge_rt/session.hpp"
#include "edge_rt/version.hpp"
