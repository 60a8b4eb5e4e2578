#include "runtime/engine.hpp"

#include "model/arch/validate.hpp"

#include <chrono>

namespace edge_rt::runtime {

Engine::Engine(const std::filesystem::path& path, const kernels::KernelTable& kernels)
{
    const auto start = std::chrono::steady_clock::now();
    source_ = model::open_model(path);
    arch_ = model::make_architecture(source_.config, kernels);
    model::validate_tensors(*arch_, source_.tensors);
    weights_ = std::make_unique<WeightStore>(source_.tensors, *arch_);
    load_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

} // namespace edge_rt::runtime
