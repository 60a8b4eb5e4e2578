#include "arch_models.hpp"

#include "env.hpp"
#include "golden_options.hpp"
#include "runtime/conversation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edge_rt::test {

std::filesystem::path arch_models_dir()
{
    const auto dir = shared_models() / "arch";
    std::error_code ec;
    return std::filesystem::is_regular_file(dir / "qwen2-w256.gguf", ec) ? dir : std::filesystem::path{};
}

const std::vector<std::int32_t>& arch_reference_ids()
{
    static const std::vector<std::int32_t> ids{1,   403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315,
                                               421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408, 419};
    return ids;
}

std::vector<float> teacher_forced_logits(runtime::Engine& engine)
{
    runtime::Conversation session(engine);
    const auto logits = session.forward(arch_reference_ids(), true);
    return {logits.begin(), logits.end()};
}

std::vector<float> teacher_forced_logits(const std::filesystem::path& model)
{
    auto options = golden_options();
    options.n_ctx = 64;
    options.logit_rows = arch_reference_ids().size();
    runtime::Engine engine(model, options);
    return teacher_forced_logits(engine);
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b)
{
    if (a.size() != b.size())
        return std::numeric_limits<double>::infinity();
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double d = std::fabs(static_cast<double>(a[i]) - b[i]);
        if (!std::isfinite(d))
            return std::numeric_limits<double>::infinity();
        worst = std::max(worst, d);
    }
    return worst;
}

std::vector<std::size_t> row_argmax(const std::vector<float>& logits, std::size_t n_vocab)
{
    std::vector<std::size_t> out;
    for (std::size_t r = 0; r + n_vocab <= logits.size(); r += n_vocab)
        out.push_back(static_cast<std::size_t>(
            std::max_element(logits.begin() + static_cast<std::ptrdiff_t>(r),
                             logits.begin() + static_cast<std::ptrdiff_t>(r + n_vocab)) -
            logits.begin() - static_cast<std::ptrdiff_t>(r)));
    return out;
}

} // namespace edge_rt::test
