#include "runtime/engine.hpp"

#include "model/arch/validate.hpp"

#include <chrono>

namespace edge_rt::runtime {

namespace {

double ms_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

Engine::Engine(const std::filesystem::path& path, const kernels::KernelTable& kernels)
{
    const auto start = std::chrono::steady_clock::now();
    source_ = model::open_model(path);
    load(kernels);
    load_ms_ = ms_since(start);
}

Engine::Engine(model::ModelSource source, const kernels::KernelTable& kernels) : source_(std::move(source))
{
    const auto start = std::chrono::steady_clock::now();
    load(kernels);
    load_ms_ = ms_since(start);
}

void Engine::load(const kernels::KernelTable& kernels)
{
    arch_ = model::make_architecture(source_.config, kernels);
    model::validate_tensors(*arch_, source_.tensors);
    weights_ = std::make_unique<WeightStore>(source_.tensors, *arch_);
}

} // namespace edge_rt::runtime
