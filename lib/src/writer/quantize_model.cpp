// quantize_model: plan the output's tensor types, then stream every tensor through a bounded
// chunk buffer (read rows, decode to floats, quantise, write), measuring the error as it goes.
#include "edge_rt/quantize.hpp"

#include "core/block_dequant.hpp"
#include "core/block_encode.hpp"
#include "core/threads.hpp"
#include "edge_rt/error.hpp"
#include "writer/gguf_writer.hpp"
#include "writer/quantize_mix.hpp"
#include "writer/quantize_output.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <thread>
#include <unistd.h>

namespace edge_rt {
namespace {

namespace fs = std::filesystem;
using model::GgufFile;
using model::GgufTensorInfo;

struct PlannedTensor {
    const GgufTensorInfo* source;
    DType type;
    std::uint64_t row_len, rows, out_bytes;
};

struct Plan {
    GgufFile file;
    quantize::Recipe recipe;
    std::vector<PlannedTensor> tensors;
};

quantize::ModelShape model_shape(const GgufFile& f)
{
    quantize::ModelShape s;
    const auto arch = f.get_string("general.architecture").value_or("llama");
    s.n_layer = static_cast<std::uint32_t>(f.get_uint(arch + ".block_count").value_or(0));
    const auto heads = f.get_uint(arch + ".attention.head_count"), kv = f.get_uint(arch + ".attention.head_count_kv");
    if (heads && kv && *kv > 0)
        s.n_gqa = static_cast<std::uint32_t>(*heads / *kv);
    s.has_output = f.find_tensor("output.weight") != nullptr;
    return s;
}

bool is_float_type(std::uint32_t t)
{
    return t == static_cast<std::uint32_t>(DType::F32) || t == static_cast<std::uint32_t>(DType::F16) ||
           t == static_cast<std::uint32_t>(DType::BF16);
}

Plan make_plan(const fs::path& input, const std::string& type)
{
    const auto recipe = quantize::find_recipe(type);
    if (!recipe)
        throw ConfigError(fmt::format("unknown --type '{}' (expected {})", type, fmt::join(quantize::recipe_names(), ", ")));
    if (fs::is_directory(input))
        throw FormatError(fmt::format("{}: is a folder; quantize reads a GGUF file (SafeTensors folders are not supported yet)",
                                      input.string()));
    Plan plan{model::read_gguf(input), *recipe, {}};
    const auto shape = model_shape(plan.file);
    for (const auto& t : plan.file.tensors) {
        PlannedTensor p{&t, static_cast<DType>(t.type), t.shape.empty() ? 1 : t.shape[0], 0, t.nbytes};
        p.rows = p.row_len == 0 ? 0 : t.elements() / p.row_len;
        if (quantize::is_quantized(t.name, t.shape.size())) {
            if (!is_float_type(t.type))
                throw FormatError(fmt::format("{}: tensor {} is {}; quantize reads F32, F16 or BF16 weights",
                                              input.string(), t.name, dtype_name(t.type)));
            p.type = quantize::tensor_type(*recipe, t.name, p.row_len, shape);
            p.out_bytes = *dtype_bytes(*dtype_info(static_cast<std::uint32_t>(p.type)), t.elements());
        }
        plan.tensors.push_back(p);
    }
    return plan;
}

void read_at(int fd, const std::string& path, std::uint64_t offset, std::span<std::byte> into)
{
    std::size_t done = 0;
    while (done < into.size()) {
        const ssize_t n = ::pread(fd, into.data() + done, into.size() - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw IoError(fmt::format("{}: read failed at byte {} ({})", path, offset + done,
                                      n == 0 ? "unexpected end of file" : std::strerror(errno)));
        done += static_cast<std::size_t>(n);
    }
}

// Quantises `rows` rows of `x` into `out`, the rows split over `threads` threads.
void quantize_rows(DType type, std::span<const float> x, std::span<std::byte> out, std::uint64_t row_len,
                   std::uint64_t rows, unsigned threads)
{
    const std::size_t row_out = out.size() / rows;
    auto work = [&](std::uint64_t r0, std::uint64_t r1) {
        quantize_row(type, x.subspan(r0 * row_len, (r1 - r0) * row_len), out.subspan(r0 * row_out, (r1 - r0) * row_out));
    };
    const auto n = static_cast<std::uint64_t>(std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(rows))));
    if (n == 1 || type == DType::F32 || type == DType::F16 || type == DType::BF16)
        return work(0, rows);
    std::vector<std::jthread> pool;
    for (std::uint64_t k = 1; k < n; ++k)
        pool.emplace_back(work, rows * k / n, rows * (k + 1) / n);
    work(0, rows / n);
}

struct ErrorSums {
    double err2 = 0, src2 = 0;
};

} // namespace

std::vector<std::string> quantize_types() { return quantize::recipe_names(); }

std::vector<std::pair<std::string, std::string>> quantize_plan(const fs::path& input, const std::string& type)
{
    const Plan plan = make_plan(input, type);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& t : plan.tensors)
        out.emplace_back(t.source->name, dtype_name(static_cast<std::uint32_t>(t.type)));
    return out;
}

QuantizeResult quantize_model(const QuantizeOptions& o)
{
    const auto start = std::chrono::steady_clock::now();
    const Plan plan = make_plan(o.input, o.type);
    const std::string in_path = o.input.string();
    const int fd = ::open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw IoError(fmt::format("{}: cannot open ({})", in_path, std::strerror(errno)));
    struct Closer { int fd; ~Closer() { ::close(fd); } } closer{fd};

    QuantizeResult result;
    TemporaryOutput out(o.output);
    model::GgufWriter writer(out.path());
    quantize::copy_metadata(plan.file, plan.recipe.file_type, writer);
    for (const auto& t : plan.tensors)
        writer.add_tensor(t.source->name, t.source->shape, static_cast<std::uint32_t>(t.type));
    writer.write_header();

    std::uint64_t total = 0, done = 0;
    for (const auto& t : plan.tensors)
        total += t.source->nbytes;
    const unsigned threads = o.threads != 0 ? o.threads : default_threads();
    std::vector<std::byte> src, dst;
    std::vector<float> x, y;
    std::map<std::string, std::pair<QuantizeTypeSummary, ErrorSums>> per_type;
    for (std::size_t i = 0; i < plan.tensors.size(); ++i) {
        const PlannedTensor& t = plan.tensors[i];
        const auto src_type = static_cast<DType>(t.source->type);
        const bool copy = src_type == t.type;
        const std::uint64_t row_src = t.rows == 0 ? 0 : t.source->nbytes / t.rows;
        const std::uint64_t chunk_rows = std::max<std::uint64_t>(1, o.chunk_bytes / std::max<std::uint64_t>(1, row_src));
        ErrorSums sums;
        for (std::uint64_t r = 0; r < t.rows; r += chunk_rows) {
            const std::uint64_t n = std::min(chunk_rows, t.rows - r), values = n * t.row_len;
            src.resize(n * row_src);
            read_at(fd, in_path, t.source->offset + r * row_src, src);
            if (copy) {
                writer.write(src);
            } else {
                x.resize(values);
                dequantize_any(src_type, src, x);
                dst.resize(n * (t.out_bytes / t.rows));
                quantize_rows(t.type, x, dst, t.row_len, n, threads);
                writer.write(dst);
                y.resize(values);
                dequantize_any(t.type, dst, y);
                for (std::size_t k = 0; k < values; ++k) {
                    const double d = static_cast<double>(y[k]) - x[k];
                    sums.err2 += d * d;
                    sums.src2 += static_cast<double>(x[k]) * x[k];
                }
            }
            result.peak_buffer_bytes = std::max(result.peak_buffer_bytes, src.capacity() + dst.capacity() +
                                                                              sizeof(float) * (x.capacity() + y.capacity()));
            done += n * row_src;
            if (o.progress && !o.progress({i, plan.tensors.size(), t.source->name, done, total}))
                throw IoError(fmt::format("{}: cancelled; nothing written", o.output.string()));
        }
        const auto elements = t.source->elements();
        const double rmse = copy || elements == 0 ? 0.0 : std::sqrt(sums.err2 / static_cast<double>(elements));
        const std::string tname = dtype_name(static_cast<std::uint32_t>(t.type));
        result.tensors.push_back({t.source->name, dtype_name(t.source->type), tname, elements, rmse});
        if (!copy) {
            auto& [summary, acc] = per_type[tname];
            summary.type = tname;
            ++summary.tensors;
            summary.elements += elements;
            acc.err2 += sums.err2;
            acc.src2 += sums.src2;
        }
    }
    writer.finish();
    out.commit();
    for (auto& [name, entry] : per_type) {
        auto& [summary, acc] = entry;
        summary.rmse = std::sqrt(acc.err2 / static_cast<double>(std::max<std::uint64_t>(1, summary.elements)));
        summary.relative = acc.src2 > 0 ? std::sqrt(acc.err2 / acc.src2) : 0.0;
        result.per_type.push_back(summary);
    }
    result.input_bytes = plan.file.file_size;
    result.output_bytes = fs::file_size(o.output);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace edge_rt
