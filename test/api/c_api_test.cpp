// The C ABI (edge_rt/edge_rt.h) in process: errors as status codes plus a thread-local
// message, generation matching llama2.c's greedy reference, and both ways of cancelling.
#include "edge_rt/edge_rt.h"

#include "env.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <thread>
#include <vector>

namespace {

std::vector<std::int32_t> reference_ids(std::size_t n)
{
    const char* data = std::getenv("EDGE_RT_TEST_DATA");
    std::ifstream in(std::string(data ? data : "") + "/stories260K/reference/greedy_bos_200steps.ids");
    std::vector<std::int32_t> ids;
    for (std::int32_t id; ids.size() < n && in >> id;)
        ids.push_back(id);
    EXPECT_EQ(ids.size(), n) << "reference ids missing";
    return ids;
}

struct Handles {
    edge_rt_runtime* runtime = nullptr;
    edge_rt_model* model = nullptr;
    Handles()
    {
        EXPECT_EQ(edge_rt_runtime_create(nullptr, &runtime), EDGE_RT_OK);
        EXPECT_EQ(edge_rt_model_load(runtime, edge_rt::test::bundled_model().c_str(), &model), EDGE_RT_OK)
            << edge_rt_last_error();
    }
    ~Handles()
    {
        edge_rt_model_destroy(model);
        edge_rt_runtime_destroy(runtime);
    }
};

struct Collected {
    std::vector<std::int32_t> ids;
    std::size_t stop_after = SIZE_MAX;
    edge_rt_model* cancel_model = nullptr; // edge_rt_cancel() from the callback instead
};

int collect(void* user, std::int32_t id, const char*, std::size_t, double)
{
    auto& c = *static_cast<Collected*>(user);
    c.ids.push_back(id);
    if (c.cancel_model && c.ids.size() == c.stop_after)
        edge_rt_cancel(c.cancel_model);
    return !c.cancel_model && c.ids.size() == c.stop_after;
}

edge_rt_generate_params greedy(std::size_t n)
{
    edge_rt_generate_params p;
    edge_rt_generate_params_init(&p);
    p.max_tokens = n;
    p.temperature = 0.0f; // no prompt: from BOS, as the reference
    return p;
}

TEST(CAbi, ErrorsAreStatusCodesWithAThreadLocalMessage)
{
    edge_rt_runtime* rt = nullptr;
    ASSERT_EQ(edge_rt_runtime_create(nullptr, &rt), EDGE_RT_OK);
    edge_rt_model* m = nullptr;
    EXPECT_EQ(edge_rt_model_load(rt, "/nonexistent/x.gguf", &m), EDGE_RT_ERR_IO);
    EXPECT_NE(std::string(edge_rt_last_error()).find("/nonexistent/x.gguf"), std::string::npos) << edge_rt_last_error();
    std::thread([] { EXPECT_STREQ(edge_rt_last_error(), ""); }).join(); // per thread
    EXPECT_EQ(edge_rt_model_load(rt, nullptr, &m), EDGE_RT_ERR_INVALID_ARGUMENT);
    edge_rt_runtime_config bad;
    edge_rt_runtime_config_init(&bad);
    bad.prefetch_depth = 0;
    edge_rt_runtime* rt2 = nullptr;
    ASSERT_EQ(edge_rt_runtime_create(&bad, &rt2), EDGE_RT_OK); // checked at load
    EXPECT_EQ(edge_rt_model_load(rt2, edge_rt::test::bundled_model().c_str(), &m), EDGE_RT_ERR_CONFIG);
    edge_rt_runtime_destroy(rt2);
    edge_rt_runtime_destroy(rt);
    EXPECT_STRNE(edge_rt_version(), "");
}

TEST(CAbi, GeneratesTheReferenceAndCancelsFromTheCallback)
{
    Handles h;
    Collected all;
    auto p = greedy(30);
    std::size_t n = 0;
    ASSERT_EQ(edge_rt_generate(h.model, &p, collect, &all, &n), EDGE_RT_OK) << edge_rt_last_error();
    EXPECT_EQ(all.ids, reference_ids(30));
    EXPECT_EQ(n, 30u);

    Collected stopped{.ids = {}, .stop_after = 4};
    EXPECT_EQ(edge_rt_generate(h.model, &p, collect, &stopped, &n), EDGE_RT_ERR_CANCELLED);
    EXPECT_EQ(n, 4u);
    Collected cancelled{.ids = {}, .stop_after = 6, .cancel_model = h.model};
    EXPECT_EQ(edge_rt_generate(h.model, &p, collect, &cancelled, &n), EDGE_RT_ERR_CANCELLED);
    EXPECT_EQ(n, 6u);
    EXPECT_EQ(cancelled.ids, reference_ids(6));

    edge_rt_metrics m;
    ASSERT_EQ(edge_rt_model_metrics(h.model, &m), EDGE_RT_OK);
    EXPECT_EQ(m.passes, 30u + 4u + 6u);
    // Sessions are gone: only the model's own bytes remain charged.
    EXPECT_LT(m.budget_used_bytes, m.budget_peak_bytes);
}

TEST(CAbi, CancelFromAnotherThreadStopsARunningGeneration)
{
    Handles h;
    std::atomic<std::size_t> seen{0};
    auto p = greedy(100000); // runs until the context is full unless cancelled
    auto count = [](void* user, std::int32_t, const char*, std::size_t, double) {
        static_cast<std::atomic<std::size_t>*>(user)->fetch_add(1);
        return 0;
    };
    std::thread canceller([&] {
        while (seen.load() < 3)
            std::this_thread::yield();
        edge_rt_cancel(h.model);
    });
    std::size_t n = 0;
    const auto status = edge_rt_generate(h.model, &p, count, &seen, &n);
    canceller.join();
    EXPECT_EQ(status, EDGE_RT_ERR_CANCELLED);
    EXPECT_GE(n, 3u);
    EXPECT_LT(n, 2048u) << "ran to the end of the context";
}

} // namespace
