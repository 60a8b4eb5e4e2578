// Files the project writes itself: quantising the bundled F32 model with our Q8_0/Q4_0 code
// reproduces, byte for byte, the tensors ggml wrote into the variant files, and a GGUF written
// from those bytes (metadata copied, tokenizer included) loads through the same path and
// generates llama.cpp's greedy ids.
#include "core/quant.hpp"
#include "env.hpp"
#include "gguf_builder.hpp"
#include "io/file.hpp"
#include "model/gguf.hpp"
#include "model_data.hpp"
#include "runtime/generate.hpp"
#include "temp_dir.hpp"

#include <cstring>
#include <gtest/gtest.h>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

template <typename T>
void put(std::vector<std::uint8_t>& out, T v)
{
    std::uint8_t b[sizeof v];
    std::memcpy(b, &v, sizeof v);
    out.insert(out.end(), b, b + sizeof v);
}

// The payload of a metadata value in GGUF encoding (the type id is written by kv_raw).
void encode(const model::GgufValue& v, model::GgufType type, std::vector<std::uint8_t>& out)
{
    using T = model::GgufType;
    switch (type) {
    case T::U8: put(out, static_cast<std::uint8_t>(*v.as_uint())); break;
    case T::I8: put(out, static_cast<std::int8_t>(*v.as_int())); break;
    case T::U16: put(out, static_cast<std::uint16_t>(*v.as_uint())); break;
    case T::I16: put(out, static_cast<std::int16_t>(*v.as_int())); break;
    case T::U32: put(out, static_cast<std::uint32_t>(*v.as_uint())); break;
    case T::I32: put(out, static_cast<std::int32_t>(*v.as_int())); break;
    case T::U64: put(out, *v.as_uint()); break;
    case T::I64: put(out, *v.as_int()); break;
    case T::F32: put(out, static_cast<float>(*v.as_float())); break;
    case T::F64: put(out, *v.as_float()); break;
    case T::Bool: put(out, static_cast<std::uint8_t>(std::get<bool>(v.data))); break;
    case T::String: put_string(out, *v.as_string()); break;
    case T::Array:
        put_u32(out, static_cast<std::uint32_t>(v.elem_type));
        put_u64(out, v.as_array()->size());
        for (const auto& item : *v.as_array())
            encode(item, v.elem_type, out);
        break;
    }
}

std::vector<std::uint8_t> tensor_bytes(const io::File& f, const model::GgufTensorInfo& t)
{
    std::vector<std::uint8_t> b(t.nbytes);
    f.read_exact(t.offset, std::as_writable_bytes(std::span(b)));
    return b;
}

struct Case {
    std::uint32_t type;
    const char* variant;
    const char* reference;
};

class WrittenModel : public ::testing::TestWithParam<Case> {};

} // namespace

TEST_P(WrittenModel, OwnQuantisationMatchesGgmlAndGenerates)
{
    const Case c = GetParam();
    const auto f32_path = bundled_model();
    const auto var_path = test_data(std::string("stories260K/variants/") + c.variant);
    const auto f32 = model::read_gguf(f32_path);
    const auto var = model::read_gguf(var_path);
    const io::File f32_file(f32_path), var_file(var_path);

    GgufBuilder b;
    for (const auto& [key, value] : f32.metadata) {
        std::vector<std::uint8_t> payload;
        encode(value, value.type, payload);
        b.kv_raw(key, static_cast<std::uint32_t>(value.type), payload);
    }
    int quantised = 0;
    for (const auto& t : f32.tensors) {
        const auto* vt = var.find_tensor(t.name);
        ASSERT_NE(vt, nullptr) << t.name;
        auto data = tensor_bytes(f32_file, t);
        if (vt->type != c.type) { // norms and ffn_down (rows of 172) stay F32 in the variants too
            EXPECT_EQ(vt->type, 0u) << t.name;
            b.tensor(t.name, t.shape, 0, std::move(data));
            continue;
        }
        std::vector<float> x(t.elements());
        std::memcpy(x.data(), data.data(), data.size());
        std::vector<std::uint8_t> q(vt->nbytes);
        const auto out = std::as_writable_bytes(std::span(q));
        const std::size_t row = t.shape[0], row_bytes = vt->nbytes / (t.elements() / row);
        for (std::size_t r = 0; r < t.elements() / row; ++r) {
            const auto in = std::span(x).subspan(r * row, row);
            if (c.type == 8)
                quantize_row_q8_0(in, out.subspan(r * row_bytes, row_bytes));
            else
                quantize_row_q4_0(in, out.subspan(r * row_bytes, row_bytes));
        }
        EXPECT_EQ(q, tensor_bytes(var_file, *vt)) << t.name << ": our quantiser disagrees with ggml's";
        b.tensor(t.name, t.shape, c.type, std::move(q));
        ++quantised;
    }
    EXPECT_GE(quantised, 30);

    TempDir dir;
    const auto ours = dir.write("ours.gguf", b.build());
    const auto ref = read_json(test_data(std::string("stories260K/variants/") + c.reference));
    runtime::Engine engine(ours);
    runtime::Conversation session(engine);
    runtime::GenerateOptions greedy;
    greedy.max_tokens = ref.at("greedy_ids").size();
    greedy.sampler.temperature = 0.0f;
    const auto prompt = ref.at("prompt_ids").get<std::vector<std::int32_t>>();
    const auto result = runtime::generate(session, prompt, greedy);
    EXPECT_EQ(result.generated, ref.at("greedy_ids").get<std::vector<std::int32_t>>());
}

INSTANTIATE_TEST_SUITE_P(Q8AndQ4, WrittenModel,
                         ::testing::Values(Case{8, "stories260K-Q8_0.gguf", "stories260K-Q8_0.llamacpp.json"},
                                           Case{2, "stories260K-Q4_0.gguf", "stories260K-Q4_0.llamacpp.json"}));
