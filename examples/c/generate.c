/* Generates text with edge-rt-async through its C ABI and prints it as it streams.
 *
 *   cc generate.c $(pkg-config --cflags --libs edge-rt-async) -o generate
 *   ./generate MODEL PROMPT [MAX_TOKENS [SEED [TEMPERATURE]]]
 *
 * Only the generated text goes to stdout (no prompt, no newline added); metrics go to stderr. */
#include <edge_rt/edge_rt.h>

#include <stdio.h>
#include <stdlib.h>

static int print_token(void* user, int32_t id, const char* text, size_t text_len, double ms)
{
    size_t* count = (size_t*)user;
    (void)id;
    (void)ms;
    fwrite(text, 1, text_len, stdout);
    fflush(stdout);
    ++*count;
    return 0; /* nonzero would stop the generation */
}

int main(int argc, char** argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODEL PROMPT [MAX_TOKENS [SEED [TEMPERATURE]]]\n", argv[0]);
        return 2;
    }
    edge_rt_runtime* runtime = NULL;
    edge_rt_model* model = NULL;
    if (edge_rt_runtime_create(NULL, &runtime) != EDGE_RT_OK ||
        edge_rt_model_load(runtime, argv[1], &model) != EDGE_RT_OK) {
        fprintf(stderr, "generate: %s\n", edge_rt_last_error());
        edge_rt_runtime_destroy(runtime);
        return 1;
    }
    edge_rt_generate_params params;
    edge_rt_generate_params_init(&params);
    params.prompt = argv[2];
    if (argc > 3)
        params.max_tokens = strtoul(argv[3], NULL, 10);
    if (argc > 4)
        params.seed = strtoull(argv[4], NULL, 10);
    if (argc > 5)
        params.temperature = strtof(argv[5], NULL);

    size_t streamed = 0, generated = 0;
    const edge_rt_status status = edge_rt_generate(model, &params, print_token, &streamed, &generated);
    edge_rt_metrics metrics;
    if (status == EDGE_RT_OK && edge_rt_model_metrics(model, &metrics) == EDGE_RT_OK)
        fprintf(stderr, "edge-rt-async %s: %zu tokens in %llu passes, %.1f ms compute\n", edge_rt_version(),
                generated, (unsigned long long)metrics.passes, metrics.compute_ms);
    else
        fprintf(stderr, "generate: %s\n", edge_rt_last_error());
    edge_rt_model_destroy(model);
    edge_rt_runtime_destroy(runtime);
    return status == EDGE_RT_OK && streamed == generated ? 0 : 1;
}
