#include "serve/stop_matcher.hpp"

#include <algorithm>
#include <utility>

namespace edge_rt::serve {

StopMatcher::StopMatcher(std::vector<std::string> stops)
{
    for (auto& s : stops)
        if (!s.empty())
            stops_.push_back(std::move(s));
}

StopMatcher::Step StopMatcher::feed(std::string_view text)
{
    Step step;
    if (stopped_)
        return step;
    pending_.append(text);
    // The earliest complete stop string wins.
    std::size_t first = std::string::npos;
    for (const auto& s : stops_)
        first = std::min(first, pending_.find(s));
    if (first != std::string::npos) {
        step.emit = pending_.substr(0, first);
        step.stopped = stopped_ = true;
        pending_.clear();
        return step;
    }
    // Hold back the longest tail of pending_ that begins some stop string.
    std::size_t hold = 0;
    for (const auto& s : stops_) {
        const std::size_t longest = std::min(s.size() - 1, pending_.size());
        for (std::size_t n = longest; n > hold; --n)
            if (std::string_view(pending_).substr(pending_.size() - n) == std::string_view(s).substr(0, n)) {
                hold = n;
                break;
            }
    }
    step.emit = pending_.substr(0, pending_.size() - hold);
    pending_.erase(0, pending_.size() - hold);
    return step;
}

std::string StopMatcher::finish()
{
    return std::exchange(pending_, {});
}

} // namespace edge_rt::serve
