// A model ready to run: opened, validated against its architecture, weights in memory.
#pragma once

#include "kernels/kernel_table.hpp"
#include "model/arch/architecture.hpp"
#include "model/model_source.hpp"
#include "runtime/weight_store.hpp"

#include <filesystem>
#include <memory>

namespace edge_rt::runtime {

class Engine {
public:
    /// Opens `path` (GGUF file or SafeTensors folder), validates every tensor the architecture
    /// needs, then reads the weights. Throws FormatError / IoError naming the file.
    explicit Engine(const std::filesystem::path& path,
                    const kernels::KernelTable& kernels = kernels::scalar_kernels());
    /// The same for a model whose headers are already read.
    explicit Engine(model::ModelSource source, const kernels::KernelTable& kernels = kernels::scalar_kernels());

    const model::ModelSource& source() const { return source_; }
    const model::ModelConfig& config() const { return source_.config; }
    const model::Architecture& arch() const { return *arch_; }
    const WeightStore& weights() const { return *weights_; }
    /// Wall time of the whole constructor: headers, validation, reads, transposes.
    double load_ms() const { return load_ms_; }

private:
    void load(const kernels::KernelTable& kernels);

    model::ModelSource source_;
    std::unique_ptr<model::Architecture> arch_;
    std::unique_ptr<WeightStore> weights_;
    double load_ms_ = 0.0;
};

} // namespace edge_rt::runtime
