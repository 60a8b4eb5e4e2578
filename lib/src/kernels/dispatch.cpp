#include "kernels/dispatch.hpp"

#include "edge_rt/error.hpp"
#include "kernels/cpu_features.hpp"
#include "kernels/variants.hpp"

#include <cstdlib>
#include <fmt/format.h>
#include <string>

namespace edge_rt::kernels {

std::vector<const KernelTable*> available_kernels()
{
    std::vector<const KernelTable*> tables{&scalar_kernels()};
    [[maybe_unused]] const auto& cpu = cpu_features();
#if defined(__x86_64__)
    if (cpu.avx2_fma_f16c)
        tables.push_back(&avx2_kernels());
    if (cpu.avx512)
        tables.push_back(&avx512_kernels());
#elif defined(__aarch64__)
    if (cpu.neon)
        tables.push_back(&neon_kernels());
    if (cpu.dotprod)
        tables.push_back(&neon_dotprod_kernels());
#endif
    return tables;
}

const KernelTable& kernels_by_name(std::string_view name)
{
    std::string names;
    for (const auto* t : available_kernels()) {
        if (name == t->name)
            return *t;
        names += names.empty() ? t->name : fmt::format(", {}", t->name);
    }
    throw ConfigError(fmt::format("kernels '{}' are not available on this CPU (available: {})", name, names));
}

const KernelTable& best_kernels()
{
    const char* forced = std::getenv("EDGE_RT_KERNELS");
    if (forced != nullptr && *forced != '\0')
        return kernels_by_name(forced);
    return *available_kernels().back();
}

} // namespace edge_rt::kernels
