// The plan request for a model: what every byte outside the weights costs (KV cache for the
// context, activations for one prompt chunk, logits) and each weight group's slot size. One
// function, so the engine, `inspect` and the API's async_plan all plan the same model the same way.
#pragma once

#include "arch/architecture.hpp"
#include "model/model_source.hpp"
#include "plan/plan.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace edge_rt::runtime {

/// The architecture of `source` as the runtime runs it: checked against the file's tensors, and
/// with the output matrix split into parts no larger than the largest layer when it is bigger
/// (vocabulary x embedding often is), so it never sets the prefetch slot size on its own.
std::unique_ptr<model::Architecture> runtime_architecture(const model::ModelSource& source,
                                                          const kernels::KernelTable& kernels);

/// "embedding", "layer N", "output" or "output K/N": how plans and logs name a weight group.
std::string group_name(const model::WeightGroup& group);

/// The token embedding can be read a row at a time when it is the group's only tensor and is
/// stored as rows (not transposed): that tensor, or nullptr.
const model::TensorRef* row_readable(const model::WeightGroup& group, const model::TensorTable& tensors);

/// The request without budget, strategy or cost model (the caller sets those). `logit_rows`
/// rows of logits are planned (at least 1); `max_batch` is the prompt chunk, capped at n_ctx;
/// the KV cache, activations and logits once per session of `sessions`.
plan::PlanRequest base_plan_request(const model::ModelSource& source, const model::Architecture& arch,
                                    std::size_t n_ctx, std::size_t max_batch, std::size_t logit_rows,
                                    std::size_t sessions = 1);

} // namespace edge_rt::runtime
