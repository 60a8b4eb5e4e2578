#!/usr/bin/env python3
"""Float64 reference logits for the stories260K GGUF files (F32, F16, Q8_0, Q4_0).

An independent, deliberately plain implementation (pure Python, no dependencies) of the
Llama forward pass as llama2.c defines it: RMSNorm (eps 1e-5), RoPE on adjacent pairs with
theta 10000, grouped-query attention, SwiGLU, tied or separate output. Weights are decoded
from the GGUF by the format definitions (F16 half floats; Q8_0 x = d*q; Q4_0 x = d*(q-8),
low nibbles first) and every operation runs in float64.

Prompt [1, 403, 407, 261, 378] ("Once upon a time" with BOS), then greedy (argmax) steps.
Writes <out>.ids (the 64 greedy ids, one per line) and <out>.logits.f32 (little-endian float32
logits of steps 0, 4, 8, ..., 60: 16 rows of n_vocab values).

usage: make_reference.py MODEL.gguf OUT_PREFIX
"""
import math
import struct
import sys

PROMPT = [1, 403, 407, 261, 378]
STEPS = 64
KEEP_EVERY = 4


class Gguf:
    SCALARS = {0: 'B', 1: 'b', 2: 'H', 3: 'h', 4: 'I', 5: 'i', 6: 'f', 7: '?', 10: 'Q', 11: 'q', 12: 'd'}

    def __init__(self, path):
        self.b = open(path, 'rb').read()
        self.o = 0
        magic, _version, n_tensors, n_kv = self.read('4sIQQ')
        assert magic == b'GGUF'
        self.meta = {}
        for _ in range(n_kv):
            key = self.string()
            (vtype,) = self.read('I')
            self.meta[key] = self.value(vtype)
        self.tensors = {}
        for _ in range(n_tensors):
            name = self.string()
            (n_dims,) = self.read('I')
            dims = self.read('%dQ' % n_dims)
            ttype, offset = self.read('IQ')
            self.tensors[name] = (dims, ttype, offset)
        align = self.meta.get('general.alignment', 32)
        self.data = (self.o + align - 1) // align * align

    def read(self, fmt):
        v = struct.unpack_from('<' + fmt, self.b, self.o)
        self.o += struct.calcsize('<' + fmt)
        return v

    def string(self):
        (n,) = self.read('Q')
        s = self.b[self.o:self.o + n].decode()
        self.o += n
        return s

    def value(self, vtype):
        if vtype == 8:
            return self.string()
        if vtype == 9:
            etype, n = self.read('IQ')
            return [self.value(etype) for _ in range(n)]
        return self.read(self.SCALARS[vtype])[0]

    def tensor(self, name):
        dims, ttype, offset = self.tensors[name]
        p = self.data + offset
        n = math.prod(dims)
        half = lambda h: struct.unpack('<e', struct.pack('<H', h))[0]
        if ttype == 0:
            vals = list(struct.unpack_from('<%df' % n, self.b, p))
        elif ttype == 1:
            vals = [half(h) for h in struct.unpack_from('<%dH' % n, self.b, p)]
        elif ttype == 8:  # Q8_0: f16 d, 32 x int8
            vals = []
            for q in range(p, p + n // 32 * 34, 34):
                d = half(struct.unpack_from('<H', self.b, q)[0])
                vals += [d * x for x in struct.unpack_from('<32b', self.b, q + 2)]
        elif ttype == 2:  # Q4_0: f16 d, 16 bytes; low nibbles = elements 0-15, high = 16-31
            vals = []
            for q in range(p, p + n // 32 * 18, 18):
                d = half(struct.unpack_from('<H', self.b, q)[0])
                qs = self.b[q + 2:q + 18]
                vals += [d * ((x & 15) - 8) for x in qs] + [d * ((x >> 4) - 8) for x in qs]
        else:
            raise SystemExit('%s: tensor type %d not handled' % (name, ttype))
        cols = dims[0]
        return vals if len(dims) == 1 else [vals[r * cols:(r + 1) * cols] for r in range(n // cols)]


def matvec(w, x):
    return [sum(a * b for a, b in zip(row, x)) for row in w]


def rmsnorm(x, w):
    s = 1.0 / math.sqrt(sum(v * v for v in x) / len(x) + 1e-5)
    return [v * s * g for v, g in zip(x, w)]


class Llama:
    NAMES = ['attn_norm', 'attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_norm', 'ffn_gate', 'ffn_up', 'ffn_down']

    def __init__(self, g):
        m = g.meta
        self.n_layer = m['llama.block_count']
        self.n_head = m['llama.attention.head_count']
        self.n_head_kv = m['llama.attention.head_count_kv']
        self.head_dim = m['llama.embedding_length'] // self.n_head
        self.embd = g.tensor('token_embd.weight')
        self.out = g.tensor('output.weight') if 'output.weight' in g.tensors else self.embd
        self.out_norm = g.tensor('output_norm.weight')
        self.layers = [{k: g.tensor('blk.%d.%s.weight' % (i, k)) for k in self.NAMES} for i in range(self.n_layer)]
        self.k_cache = [[] for _ in range(self.n_layer)]
        self.v_cache = [[] for _ in range(self.n_layer)]

    def rope(self, vec, pos):
        hd = self.head_dim
        for i in range(0, len(vec), 2):
            angle = pos / 10000.0 ** ((i % hd) / hd)
            c, s = math.cos(angle), math.sin(angle)
            vec[i], vec[i + 1] = vec[i] * c - vec[i + 1] * s, vec[i] * s + vec[i + 1] * c

    def attention(self, layer, q):
        hd, out = self.head_dim, []
        for h in range(self.n_head):
            kvh = h // (self.n_head // self.n_head_kv)
            qh = q[h * hd:(h + 1) * hd]
            scores = [sum(a * b for a, b in zip(qh, k[kvh * hd:(kvh + 1) * hd])) / math.sqrt(hd)
                      for k in self.k_cache[layer]]
            top = max(scores)
            e = [math.exp(s - top) for s in scores]
            total = sum(e)
            out += [sum(e[j] / total * v[kvh * hd + d] for j, v in enumerate(self.v_cache[layer])) for d in range(hd)]
        return out

    def forward(self, token, pos):
        x = list(self.embd[token])
        for i, w in enumerate(self.layers):
            xb = rmsnorm(x, w['attn_norm'])
            q, k, v = matvec(w['attn_q'], xb), matvec(w['attn_k'], xb), matvec(w['attn_v'], xb)
            self.rope(q, pos)
            self.rope(k, pos)
            self.k_cache[i].append(k)
            self.v_cache[i].append(v)
            x = [a + b for a, b in zip(x, matvec(w['attn_output'], self.attention(i, q)))]
            xb = rmsnorm(x, w['ffn_norm'])
            gate, up = matvec(w['ffn_gate'], xb), matvec(w['ffn_up'], xb)
            hidden = [g / (1 + math.exp(-g)) * u for g, u in zip(gate, up)]
            x = [a + b for a, b in zip(x, matvec(w['ffn_down'], hidden))]
        return matvec(self.out, rmsnorm(x, self.out_norm))


def main():
    model = Llama(Gguf(sys.argv[1]))
    for pos, token in enumerate(PROMPT):
        logits = model.forward(token, pos)
    ids, rows = [], []
    for step in range(STEPS):
        if step % KEEP_EVERY == 0:
            rows.append(logits)
        ids.append(max(range(len(logits)), key=lambda i: logits[i]))
        logits = model.forward(ids[-1], len(PROMPT) + step)
    with open(sys.argv[2] + '.ids', 'w') as f:
        f.write(''.join('%d\n' % i for i in ids))
    with open(sys.argv[2] + '.logits.f32', 'wb') as f:
        for row in rows:
            f.write(struct.pack('<%df' % len(row), *row))


if __name__ == '__main__':
    main()
