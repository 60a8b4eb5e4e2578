// `inspect`'s view of a GGUF file from its header alone: format, metadata hyper-parameters,
// tensors per block and type.
#include "inspect/report.hpp"

#include <fmt/format.h>
#include <type_traits>

namespace edge_rt::cli {
namespace {

std::string human_bytes(std::uint64_t b)
{
    constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(b);
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        ++u;
    }
    return u == 0 ? fmt::format("{} B", b) : fmt::format("{:.2f} {}", v, units[u]);
}

template <typename T>
std::string or_na(const std::optional<T>& v)
{
    if (!v)
        return "n/a";
    if constexpr (std::is_floating_point_v<T>)
        return fmt::format("{:g}", *v); // metadata floats are f32: print what they mean
    else
        return fmt::format("{}", *v);
}

std::string type_mix(const std::map<std::string, std::uint64_t>& by_type)
{
    std::string out;
    for (const auto& [type, bytes] : by_type)
        out += fmt::format("{}{} {}", out.empty() ? "" : ", ", type, human_bytes(bytes));
    return out.empty() ? "-" : out;
}

} // namespace

void print_gguf_summary(const GgufSummary& s)
{
    fmt::print("model        {}\n", s.path);
    fmt::print("format       GGUF v{}, {} ({} bytes), header {} bytes, alignment {}\n", s.version,
               human_bytes(s.file_size), s.file_size, s.header_bytes, s.alignment);
    fmt::print("architecture {}{}\n", s.architecture, s.name.empty() ? "" : " (" + s.name + ")");
    fmt::print("\nhyper-parameters\n");
    fmt::print("  context length     {}\n", or_na(s.context_length));
    fmt::print("  embedding length   {}\n", or_na(s.embedding_length));
    fmt::print("  layers             {}\n", or_na(s.block_count));
    fmt::print("  feed-forward       {}\n", or_na(s.feed_forward_length));
    fmt::print("  heads / kv heads   {} / {}\n", or_na(s.head_count), or_na(s.head_count_kv));
    fmt::print("  vocabulary         {}\n", or_na(s.vocab_size));
    fmt::print("  rope freq base     {}\n", or_na(s.rope_freq_base));
    fmt::print("  norm epsilon       {}\n", or_na(s.norm_eps));
    fmt::print("\nlayers\n  {:<12} {:>8} {:>12}  {}\n", "name", "tensors", "bytes", "types");
    for (const auto& l : s.layers)
        fmt::print("  {:<12} {:>8} {:>12}  {}\n", l.name, l.tensors, l.bytes, type_mix(l.bytes_by_type));
    fmt::print("\ntotals\n");
    fmt::print("  tensors            {}\n", s.tensor_count);
    fmt::print("  weight bytes       {} ({})\n", s.weight_bytes, human_bytes(s.weight_bytes));
    fmt::print("  by type            {}\n", type_mix(s.bytes_by_type));
    if (const auto kv = s.kv_bytes_per_token()) {
        fmt::print("  KV cache per token {} bytes (F32)", *kv);
        if (s.context_length)
            fmt::print(", {} at the full context of {}", human_bytes(*kv * *s.context_length),
                       *s.context_length);
        fmt::print("\n");
    }
}

} // namespace edge_rt::cli
