#include "arch/kv_cache.hpp"

#include <stdexcept>
#include <string>

namespace edge_rt::model {

KvCache::KvCache(std::size_t n_layer, std::size_t n_ctx, std::size_t kv_dim)
    : n_layer_(n_layer), n_ctx_(n_ctx), kv_dim_(kv_dim), k_(n_layer * n_ctx * kv_dim), v_(k_.size())
{
}

std::size_t KvCache::index(std::size_t layer, std::size_t pos) const
{
    if (layer >= n_layer_ || pos >= n_ctx_)
        throw std::out_of_range("KV cache position " + std::to_string(pos) + " of layer " + std::to_string(layer) +
                                " is outside the context of " + std::to_string(n_ctx_));
    return (layer * n_ctx_ + pos) * kv_dim_;
}

float* KvCache::k(std::size_t layer, std::size_t pos) { return k_.data() + index(layer, pos); }
float* KvCache::v(std::size_t layer, std::size_t pos) { return v_.data() + index(layer, pos); }

} // namespace edge_rt::model
