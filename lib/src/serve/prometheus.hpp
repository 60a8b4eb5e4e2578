// Prometheus text exposition format (version 0.0.4), the format monitoring tools scrape:
// for each metric a `# HELP` and a `# TYPE` line, then `name{labels} value` samples.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace edge_rt::serve {

class PrometheusText {
public:
    using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

    /// Calls with the same name in a row add samples (other labels) to one family.
    /// A monotonically increasing count; by convention its name ends in `_total`.
    void counter(std::string_view name, std::string_view help, double value, Labels labels = {});
    /// A value that goes up and down.
    void gauge(std::string_view name, std::string_view help, double value, Labels labels = {});

    /// The document so far (Content-Type: text/plain; version=0.0.4).
    const std::string& text() const { return text_; }

private:
    void family(std::string_view name, std::string_view help, std::string_view type, double value, Labels labels);
    std::string text_;
    std::string last_family_;
};

} // namespace edge_rt::serve
