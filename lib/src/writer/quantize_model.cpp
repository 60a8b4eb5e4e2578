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
#include "writer/quantize_source.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <thread>

namespace edge_rt {
namespace {

namespace fs = std::filesystem;
using quantize::Source;
using quantize::SourceTensor;

struct PlannedTensor {
    const SourceTensor* source;
    DType type;
    std::uint64_t row_len, rows, out_bytes;
};

struct Plan {
    Source source;
    quantize::Recipe recipe;
    std::vector<PlannedTensor> tensors;
};

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
    Plan plan{quantize::open_source(input), *recipe, {}};
    for (const auto& t : plan.source.tensors) {
        PlannedTensor p{&t, static_cast<DType>(t.type), t.shape.empty() ? 1 : t.shape[0], 0, t.nbytes};
        p.rows = p.row_len == 0 ? 0 : t.elements() / p.row_len;
        if (quantize::is_quantized(t.name, t.shape.size())) {
            if (!is_float_type(t.type))
                throw FormatError(fmt::format("{}: tensor {} is {}; quantize reads F32, F16 or BF16 weights",
                                              input.string(), t.name, dtype_name(t.type)));
            p.type = quantize::tensor_type(*recipe, t.name, p.row_len, plan.source.shape);
            p.out_bytes = *dtype_bytes(*dtype_info(static_cast<std::uint32_t>(p.type)), t.elements());
        }
        plan.tensors.push_back(p);
    }
    return plan;
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

// Streams the tensors of a plan into a writer through buffers of about chunk_bytes.
class TensorStreamer {
public:
    TensorStreamer(const Plan& plan, const QuantizeOptions& o, model::GgufWriter& writer)
        : plan_(plan), o_(o), writer_(writer), reader_(plan.source.files),
          threads_(o.threads != 0 ? o.threads : default_threads())
    {
        for (const auto& t : plan.tensors)
            total_ += t.source->nbytes;
    }

    /// Writes tensor `i`; the sums of squared error and source over its elements.
    ErrorSums write(std::size_t i, std::size_t& peak)
    {
        const PlannedTensor& t = plan_.tensors[i];
        const auto src_type = static_cast<DType>(t.source->type);
        const std::uint64_t row_src = t.rows == 0 ? 0 : t.source->nbytes / t.rows;
        const std::uint64_t chunk_rows = std::max<std::uint64_t>(1, o_.chunk_bytes / std::max<std::uint64_t>(1, row_src));
        ErrorSums sums;
        for (std::uint64_t r = 0; r < t.rows; r += chunk_rows) {
            const std::uint64_t n = std::min(chunk_rows, t.rows - r);
            src_.resize(n * row_src);
            reader_.read(*t.source, r, n, src_);
            if (src_type == t.type)
                writer_.write(src_);
            else
                quantize_chunk(t, n, sums);
            peak = std::max(peak, src_.capacity() + dst_.capacity() + sizeof(float) * (x_.capacity() + y_.capacity()));
            done_ += n * row_src;
            if (o_.progress && !o_.progress({i, plan_.tensors.size(), t.source->name, done_, total_}))
                throw IoError(fmt::format("{}: cancelled; nothing written", o_.output.string()));
        }
        return sums;
    }

private:
    // src_ (n rows) -> floats -> the planned type, written; the decoded result's error summed.
    void quantize_chunk(const PlannedTensor& t, std::uint64_t n, ErrorSums& sums)
    {
        const std::uint64_t values = n * t.row_len;
        x_.resize(values);
        dequantize_any(static_cast<DType>(t.source->type), src_, x_);
        dst_.resize(n * (t.out_bytes / t.rows));
        quantize_rows(t.type, x_, dst_, t.row_len, n, threads_);
        writer_.write(dst_);
        y_.resize(values);
        dequantize_any(t.type, dst_, y_);
        for (std::size_t k = 0; k < values; ++k) {
            const double d = static_cast<double>(y_[k]) - x_[k];
            sums.err2 += d * d;
            sums.src2 += static_cast<double>(x_[k]) * x_[k];
        }
    }

    const Plan& plan_;
    const QuantizeOptions& o_;
    model::GgufWriter& writer_;
    quantize::RowReader reader_;
    unsigned threads_;
    std::uint64_t total_ = 0, done_ = 0;
    std::vector<std::byte> src_, dst_;
    std::vector<float> x_, y_;
};

void summarise(const std::map<std::string, std::pair<QuantizeTypeSummary, ErrorSums>>& per_type, QuantizeResult& result)
{
    for (const auto& [name, entry] : per_type) {
        auto summary = entry.first;
        const auto& acc = entry.second;
        summary.rmse = std::sqrt(acc.err2 / static_cast<double>(std::max<std::uint64_t>(1, summary.elements)));
        summary.relative = acc.src2 > 0 ? std::sqrt(acc.err2 / acc.src2) : 0.0;
        result.per_type.push_back(summary);
    }
}

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
    QuantizeResult result;
    TemporaryOutput out(o.output);
    model::GgufWriter writer(out.path());
    quantize::write_metadata(plan.source.metadata, plan.recipe.file_type, writer);
    for (const auto& t : plan.tensors)
        writer.add_tensor(t.source->name, t.source->shape, static_cast<std::uint32_t>(t.type));
    writer.write_header();

    TensorStreamer streamer(plan, o, writer);
    std::map<std::string, std::pair<QuantizeTypeSummary, ErrorSums>> per_type;
    for (std::size_t i = 0; i < plan.tensors.size(); ++i) {
        const PlannedTensor& t = plan.tensors[i];
        const ErrorSums sums = streamer.write(i, result.peak_buffer_bytes);
        const bool copy = static_cast<DType>(t.source->type) == t.type;
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
    summarise(per_type, result);
    result.input_bytes = plan.source.input_bytes;
    result.output_bytes = fs::file_size(o.output);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace edge_rt
