#!/usr/bin/env python3
"""Writes the small synthetic seed files of test/fuzz/corpus/ (run from the repository root).
The real-file seeds (configs, tok512.bin, Jinja templates of the unit tests, ...) are copied
here too, so the corpus does not depend on ../shared being present. Rerun to regenerate."""
import json, os, re, shutil, struct, sys

ROOT = os.getcwd()
OUT = os.path.join(ROOT, "test/fuzz/corpus")
SHARED = os.path.join(ROOT, "..", "shared")
SEP = b"\n--8<--\n"  # fuzz_support.hpp kFileSeparator


def put(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def copy(target, name, src):
    if os.path.exists(src):
        put(target, name, open(src, "rb").read())


# --- GGUF (format: magic, version, tensor count, kv count, kvs, tensor infos, aligned data) ---
def gstr(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gval(t, v):
    if t == 4: return struct.pack("<I", v)
    if t == 5: return struct.pack("<i", v)
    if t == 6: return struct.pack("<f", v)
    if t == 7: return struct.pack("<?", v)
    if t == 8: return gstr(v)
    if t == 10: return struct.pack("<Q", v)
    raise ValueError(t)


def gkv(key, t, v):
    if t == 9:
        et, items = v
        return gstr(key) + struct.pack("<IIQ", 9, et, len(items)) + b"".join(gval(et, i) for i in items)
    return gstr(key) + struct.pack("<I", t) + gval(t, v)


def gguf(kvs, tensors=()):
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs)) + b"".join(gkv(*kv) for kv in kvs)
    data = b""
    for name, shape, gtype, payload in tensors:
        head += gstr(name) + struct.pack("<I", len(shape)) + b"".join(struct.pack("<Q", d) for d in shape)
        head += struct.pack("<IQ", gtype, len(data))
        data += payload + b"\0" * (-len(payload) % 32)
    return head + b"\0" * (-len(head) % 32) + data


spm_tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{i:02X}>" for i in range(256)] + ["\u2581", "\u2581H", "e", "l", "o", "\u2581w", "ll", "\u2581Hello"]
spm = [("general.architecture", 8, "llama"), ("tokenizer.ggml.model", 8, "llama"),
       ("tokenizer.ggml.tokens", 9, (8, spm_tokens)),
       ("tokenizer.ggml.scores", 9, (6, [float(-i) for i in range(len(spm_tokens))])),
       ("tokenizer.ggml.token_type", 9, (5, [2, 3, 3] + [6] * 256 + [1] * 8)),
       ("tokenizer.ggml.bos_token_id", 4, 1), ("tokenizer.ggml.eos_token_id", 4, 2),
       ("tokenizer.ggml.add_bos_token", 7, True)]
bpe_tokens = [chr(c) for c in range(ord("!"), ord("~") + 1)] + ["\u0120", "\u0120t", "he", "\u0120the", "<|endoftext|>"]
bpe = [("general.architecture", 8, "gpt2"), ("tokenizer.ggml.model", 8, "gpt2"),
       ("tokenizer.ggml.pre", 8, "gpt-2"),
       ("tokenizer.ggml.tokens", 9, (8, bpe_tokens)),
       ("tokenizer.ggml.merges", 9, (8, ["\u0120 t", "h e", "\u0120t he"])),
       ("tokenizer.ggml.eos_token_id", 4, len(bpe_tokens) - 1)]
tensor = [("token_embd.weight", [4, 2], 0, struct.pack("<8f", *range(8))),
          ("output_norm.weight", [4], 1, struct.pack("<4e", 1, 1, 1, 1))]
model = [("general.architecture", 8, "llama"), ("general.alignment", 4, 32),
         ("llama.context_length", 4, 16), ("llama.embedding_length", 4, 4), ("llama.block_count", 4, 1),
         ("llama.feed_forward_length", 4, 8), ("llama.attention.head_count", 4, 2),
         ("llama.rope.freq_base", 6, 10000.0)]
for target in ("gguf", "gguf_vocab"):
    put(target, "spm_vocab.gguf", gguf(spm))
    put(target, "bpe_vocab.gguf", gguf(bpe))
    put(target, "tensors.gguf", gguf(model, tensor))
put("gguf", "empty_v3.gguf", gguf([]))

# --- K-quant blocks: the first byte picks the type (fuzz_block_dequant.cpp's table) ---
block_bytes = [20, 22, 24, 18, 84, 110, 144, 176, 210, 136]
for i, n in enumerate(block_bytes):
    put("block_dequant", f"type{i}", bytes([i]) + bytes((j * 37 + 11) % 256 for j in range(2 * n)))

# --- SafeTensors: u64 header length, JSON header, data ---
def st(header, data):
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data
put("safetensors", "two.safetensors", st({"__metadata__": {"format": "pt"},
    "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
    "b": {"dtype": "F16", "shape": [4], "data_offsets": [16, 24]}}, bytes(24)))
put("safetensors", "bf16.safetensors", st({"w": {"dtype": "BF16", "shape": [1, 3], "data_offsets": [0, 6]}}, bytes(6)))
put("safetensors_index", "index.json", json.dumps({"metadata": {"total_size": 48},
    "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}))

# --- HF config.json ---
copy("hf_config", "gpt2.json", "test/data/gpt2-tiny-random-f16/config.json")
copy("hf_config", "qwen2.json", os.path.join(SHARED, "tokenizers/qwen2/config.json"))
put("hf_config", "llama3.json", json.dumps({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
    "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
    "num_key_value_heads": 2, "vocab_size": 256, "max_position_embeddings": 128, "rms_norm_eps": 1e-5,
    "rope_theta": 500000.0, "tie_word_embeddings": True, "torch_dtype": "bfloat16",
    "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                     "high_freq_factor": 4.0, "original_max_position_embeddings": 64}}))

# --- tokenizer.json, both kinds ---
vocab = {t: i for i, t in enumerate(bpe_tokens)}
put("tokenizer_json", "byte_level.json", json.dumps({"version": "1.0",
    "added_tokens": [{"id": len(bpe_tokens) - 1, "content": "<|endoftext|>", "special": True}],
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False},
    "decoder": {"type": "ByteLevel"},
    "model": {"type": "BPE", "vocab": vocab, "merges": ["\u0120 t", "h e", "\u0120t he"]}}))
spm_vocab = {t: i for i, t in enumerate(spm_tokens)}
put("tokenizer_json", "spm.json", json.dumps({"version": "1.0",
    "added_tokens": [{"id": 0, "content": "<unk>", "special": True}, {"id": 1, "content": "<s>", "special": True},
                     {"id": 2, "content": "</s>", "special": True}],
    "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                                                       {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
    "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
                                                  {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
    "model": {"type": "BPE", "byte_fallback": True, "unk_token": "<unk>", "vocab": spm_vocab,
              "merges": ["\u2581 H", "l l", "\u2581 w"]}}))
put("vocab_merges", "pair", json.dumps(vocab).encode() + SEP + "#version: 0.2\n\u0120 t\nh e\n\u0120t he\n".encode())

# --- tiktoken: the first lines of Llama 3's tokenizer.model ---
tk = os.path.join(SHARED, "tokenizers/llama3/tokenizer.model")
if os.path.exists(tk):
    put("tiktoken", "head300.model", b"".join(open(tk, "rb").readlines()[:300]))

# --- llama2.c tokenizer.bin ---
copy("llama2c_tokenizer", "tok512.bin", os.path.join(SHARED, "models/stories260K/tok512.bin"))
put("llama2c_tokenizer", "tiny.bin", struct.pack("<i", 8) + b"".join(
    struct.pack("<fi", -float(i), len(t)) + t for i, t in enumerate([b"<unk>", b"<s>", b"</s>", b" ", b"a", b" a", b"\n", b"<0x0A>"])))

# --- encode/decode text: first byte picks the tokenizer and special parsing ---
inp = os.path.join(SHARED, "tokenizers/llama.cpp-vocab-tests/ggml-vocab-llama-spm.gguf.inp")
texts = [b"Hello world", "caf\u00e9 \u4f60\u597d \U0001F600\n\t  x".encode(), b"<s>[INST] hi [/INST]</s><|endoftext|>", b"\xff\xfe\xc3"]
if os.path.exists(inp):
    texts += [t.strip(b"\n") for t in open(inp, "rb").read().split(b"__ggml_vocab_test__")][1:8]
for i, t in enumerate(texts):
    put("tokenizer_encode", f"text{i}", bytes([i]) + t)

# --- TOML configs ---
for f in sorted(os.listdir("configs")):
    if f.endswith(".toml"):
        copy("settings_toml", f, os.path.join("configs", f))

# --- chat templates: the Jinja texts quoted in the unit test, then messages' content ---
src = open("test/unit/chat/chat_template_test.cpp").read()
for name, body in re.findall(r"constexpr std::string_view (k\w+Jinja) =\s*(.*?);\n", src, re.S):
    text = "".join(bytes(s, "latin1").decode("unicode_escape") for s in re.findall(r'"((?:[^"\\]|\\.)*)"', body))
    put("chat_template", name, text.encode() + SEP + b"Hi there")

# --- API bodies: first byte odd = chat completions ---
put("completion_request", "chat", b"\x01" + json.dumps({"model": "m", "messages": [
    {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
    "max_tokens": 8, "temperature": 0.7, "top_p": 0.9, "stop": ["\n"], "stream": True,
    "stream_options": {"include_usage": True}, "seed": 1}).encode())
put("completion_request", "text", b"\x00" + json.dumps({"prompt": "Once upon", "max_tokens": 4, "top_k": 40,
    "repeat_penalty": 1.1, "user": "u", "presence_penalty": 0, "logprobs": False}).encode())

# --- HTTP requests: first byte is the control byte of fuzz_http_request.cpp (bits 0-3 seed the
# piece sizes, bit 4 picks the small limits: head 128, body 32 bytes), then the byte stream ---
body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4}).encode()
http = {
    "get": b"GET /health HTTP/1.1\r\nHost: localhost:8080\r\n\r\n",
    "get_http10": b"GET /v1/models HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "post": b"POST /v1/chat/completions HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer k\r\nContent-Length: %d\r\n\r\n" % len(body) + body,
    "post_expect": b"POST /v1/completions HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello",
    "pipelined": b"GET /health HTTP/1.1\r\nHost: h\r\n\r\nGET /metrics HTTP/1.1\r\nHost: h\r\n\r\n"
                 b"POST /v1/completions HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    "partial_body": b"POST /v1/completions HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
    "chunked": b"POST /v1/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "no_length_post": b"POST /v1/completions HTTP/1.1\r\nHost: h\r\n\r\n",
    "dup_length": b"POST / HTTP/1.1\r\nContent-Length: 3\r\ncontent-length: 3 \r\n\r\nabc",
    "bad_length": b"POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\nabc",
    "http2": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "bad_line": b"GET  /x HTTP/1.1\r\n\r\n",
    "bare_lf": b"GET / HTTP/1.1\nHost: h\n\n",
    "spaces": b"GET / HTTP/1.1\r\nX-Empty:\r\nX-Pad: \t v \t\r\n\r\n",
    # one header padded so the head is exactly the 8 KiB limit, and one byte over it (the body
    # limit is reached with the small limits below, so no seed makes libFuzzer's -max_len 64 KiB)
    "head_at_limit": b"GET / HTTP/1.1\r\nX-Pad: " + b"a" * (8192 - 16 - 7 - 4) + b"\r\n\r\n",
    "head_over_limit": b"GET / HTTP/1.1\r\nX-Pad: " + b"a" * (8192 - 16 - 7 - 3) + b"\r\n\r\n",
    "body_over_limit": b"POST / HTTP/1.1\r\nContent-Length: 65537\r\n\r\n",
}
for i, (name, data) in enumerate(http.items()):
    put("http_request", name, bytes([i % 16]) + data)
put("http_request", "small_limits", bytes([0x13]) + b"POST /v HTTP/1.1\r\nContent-Length: 32\r\n\r\n" + b"y" * 32 + b"GET / HTTP/1.1\r\n\r\n")
