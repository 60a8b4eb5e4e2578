/* The C ABI of edge-rt-async: opaque handles, status codes and a thread-local last-error
 * message; no exception ever crosses it. Calls block: the runtime runs its own io_context
 * on the calling thread while a call lasts. A runtime and its models are used by one thread at
 * a time, except edge_rt_cancel(), which any thread (or the token callback) may call. */
#ifndef EDGE_RT_EDGE_RT_H
#define EDGE_RT_EDGE_RT_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
/** Exported from the shared library. */
#define EDGE_RT_C_API __attribute__((visibility("default")))
#else
/** Other compilers: no visibility control. */
#define EDGE_RT_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Result of every call that can fail. */
typedef enum edge_rt_status {
    EDGE_RT_OK = 0,               /**< success */
    EDGE_RT_ERR_INVALID_ARGUMENT, /**< a null handle or pointer, a bad setting or request */
    EDGE_RT_ERR_FORMAT,           /**< a malformed or unsupported model file */
    EDGE_RT_ERR_IO,               /**< an operating-system I/O failure */
    EDGE_RT_ERR_CONFIG,           /**< a request that cannot be satisfied (context, options) */
    EDGE_RT_ERR_BUDGET,           /**< the memory budget cannot cover the request */
    EDGE_RT_ERR_CANCELLED,        /**< edge_rt_cancel() stopped the generation */
    EDGE_RT_ERR_INTERNAL          /**< anything else */
} edge_rt_status;

/** A runtime: settings and an io_context. */
typedef struct edge_rt_runtime edge_rt_runtime;
/** A loaded model over a runtime. */
typedef struct edge_rt_model edge_rt_model;

/** Settings of edge_rt_runtime_create; fill with edge_rt_runtime_config_init first. */
typedef struct edge_rt_runtime_config {
    uint64_t budget_bytes;   /**< bytes for everything; 0 = enough for the whole model */
    int strategy;            /**< 0 sequential, 1 greedy-grouping, 2 speculative-prefetch, 3 auto */
    unsigned prefetch_depth; /**< prefetch slots (>= 1) */
    unsigned threads;        /**< compute threads; 0 = the CPUs this process may use */
    int io_backend;          /**< 0 auto, 1 io_uring, 2 pread */
    int direct_io;           /**< nonzero: O_DIRECT where possible */
    size_t ctx_size;         /**< context length; 0 = min(model context, 2048) */
} edge_rt_runtime_config;

/** One generation; fill with edge_rt_generate_params_init first. */
typedef struct edge_rt_generate_params {
    const char* prompt;   /**< UTF-8 prompt text (NULL or "" = start from BOS) */
    size_t max_tokens;    /**< tokens to generate at most */
    float temperature;    /**< 0 = greedy */
    int top_k;            /**< 0 = all */
    float top_p;          /**< 1 = all */
    float repeat_penalty; /**< 1 = off */
    int repeat_last_n;    /**< -1 = all */
    uint64_t seed;        /**< random seed */
} edge_rt_generate_params;

/** Counters of a model (see edge_rt::ModelMetrics). */
typedef struct edge_rt_metrics {
    double load_ms;             /**< load wall time */
    uint64_t budget_bytes;      /**< the budget */
    uint64_t budget_used_bytes; /**< charged now */
    uint64_t budget_peak_bytes; /**< most ever charged */
    uint64_t passes;            /**< forward passes so far */
    double wall_ms;             /**< summed pass wall time */
    double compute_ms;          /**< summed compute time */
    double io_ms;               /**< summed time with reads in flight */
    double stall_ms;            /**< summed compute wait for reads */
    uint64_t bytes_read;        /**< weight bytes read by the passes */
} edge_rt_metrics;

/** Called for each generated token with its id, its UTF-8 text (not NUL-terminated, may be
 *  empty; valid during the call) and the milliseconds since the previous token. Return 0 to
 *  continue, nonzero to stop (the generation then ends as cancelled). */
typedef int (*edge_rt_token_fn)(void* user, int32_t id, const char* text, size_t text_len, double ms);

/** The library version, "MAJOR.MINOR.PATCH" (static storage). */
EDGE_RT_C_API const char* edge_rt_version(void);
/** The message of this thread's last failed call ("" if none; valid until the next call). */
EDGE_RT_C_API const char* edge_rt_last_error(void);

/** Default settings (those of `edge-rt-async run`). */
EDGE_RT_C_API void edge_rt_runtime_config_init(edge_rt_runtime_config* config);
/** Default generation parameters (those of `edge-rt-async run`), prompt NULL. */
EDGE_RT_C_API void edge_rt_generate_params_init(edge_rt_generate_params* params);

/** Creates a runtime; `config` NULL = defaults. */
EDGE_RT_C_API edge_rt_status edge_rt_runtime_create(const edge_rt_runtime_config* config, edge_rt_runtime** out);
/** Destroys a runtime (destroy its models first). NULL is ignored. */
EDGE_RT_C_API void edge_rt_runtime_destroy(edge_rt_runtime* runtime);

/** Loads a GGUF file or SafeTensors folder. */
EDGE_RT_C_API edge_rt_status edge_rt_model_load(edge_rt_runtime* runtime, const char* path, edge_rt_model** out);
/** Frees a model. NULL is ignored. */
EDGE_RT_C_API void edge_rt_model_destroy(edge_rt_model* model);

/** Generates from `params` in a fresh context, calling `on_token` (may be NULL) per token.
 *  `n_generated` (may be NULL) receives the number of tokens produced, also when cancelled. */
EDGE_RT_C_API edge_rt_status edge_rt_generate(edge_rt_model* model, const edge_rt_generate_params* params,
                                              edge_rt_token_fn on_token, void* user, size_t* n_generated);
/** Stops the model's running generation at the next group boundary; any thread. */
EDGE_RT_C_API void edge_rt_cancel(edge_rt_model* model);
/** Reads the model's counters. */
EDGE_RT_C_API edge_rt_status edge_rt_model_metrics(const edge_rt_model* model, edge_rt_metrics* out);

#ifdef __cplusplus
}
#endif

#endif
