// Keys and values of every processed position, per layer, in F32: [layer][pos][kv_dim].
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace edge_rt::model {

class KvCache {
public:
    KvCache(std::size_t n_layer, std::size_t n_ctx, std::size_t kv_dim);

    std::size_t n_ctx() const { return n_ctx_; }
    std::size_t kv_dim() const { return kv_dim_; }
    /// Row of position `pos` in layer `layer`; throws std::out_of_range past the context.
    float* k(std::size_t layer, std::size_t pos);
    float* v(std::size_t layer, std::size_t pos);
    std::size_t bytes() const { return (k_.size() + v_.size()) * sizeof(float); }

private:
    std::size_t index(std::size_t layer, std::size_t pos) const;

    std::size_t n_layer_, n_ctx_, kv_dim_;
    std::vector<float> k_, v_;
};

} // namespace edge_rt::model
