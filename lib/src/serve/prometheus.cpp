#include "serve/prometheus.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace edge_rt::serve {
namespace {

bool valid_name(std::string_view name)
{
    if (name.empty() || (name[0] >= '0' && name[0] <= '9'))
        return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':'))
            return false;
    return true;
}

// HELP text escapes backslash and newline; label values also the double quote.
void append_escaped(std::string& out, std::string_view s, bool quote)
{
    for (char c : s) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (quote && c == '"')
            out += "\\\"";
        else
            out += c;
    }
}

std::string format_value(double v)
{
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

} // namespace

void PrometheusText::counter(std::string_view name, std::string_view help, double value, Labels labels)
{
    family(name, help, "counter", value, labels);
}

void PrometheusText::gauge(std::string_view name, std::string_view help, double value, Labels labels)
{
    family(name, help, "gauge", value, labels);
}

void PrometheusText::family(std::string_view name, std::string_view help, std::string_view type, double value,
                            Labels labels)
{
    if (!valid_name(name))
        throw std::invalid_argument("invalid Prometheus metric name '" + std::string(name) + "'");
    // Samples of one family (the same name, other labels) share its HELP and TYPE lines.
    if (name != last_family_) {
        text_.append("# HELP ").append(name).append(" ");
        append_escaped(text_, help, false);
        text_.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
        last_family_ = std::string(name);
    }
    text_.append(name);
    if (labels.size() > 0) {
        text_ += '{';
        bool first = true;
        for (const auto& [k, v] : labels) {
            if (!valid_name(k))
                throw std::invalid_argument("invalid Prometheus label name '" + std::string(k) + "'");
            text_.append(first ? "" : ",").append(k).append("=\"");
            append_escaped(text_, v, true);
            text_ += '"';
            first = false;
        }
        text_ += '}';
    }
    text_.append(" ").append(format_value(value)).append("\n");
}

} // namespace edge_rt::serve
