#!/usr/bin/python3
"""The PyTorch peer of bench/gpt_bench.c: the same GPT-2-style model (tied embedding, pre-LN,
GELU tanh, causal attention), float32 on CPU, AdamW; training tokens/s and sampling tokens/s
with a token-by-token loop (the whole window through the model for every new token, as
nanoGPT's generate does).

  gpt_torch.py V D L H C B STEPS STREAMS TOKENS THREADS
prints: train_tokens_per_s sample_tokens_per_s train_tokens_per_cpu_s
"""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.h, d // self.h).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.h)
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(y)
        return x + self.out(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, V, D, L, H, C):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, D), nn.Embedding(C, D)
        self.blocks = nn.ModuleList(Block(D, H) for _ in range(L))
        self.lnf = nn.LayerNorm(D)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(t))
        for b in self.blocks:
            x = b(x)
        return self.lnf(x) @ self.wte.weight.t()


def main():
    V, D, L, H, C, B, steps, S, ntok, threads = map(int, sys.argv[1:11])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    m = GPT(V, D, L, H, C)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)
    data = torch.randint(11, V, (B * 64, C + 1))

    def step(i):
        rows = data[(i * B) % data.shape[0]:][:B]
        loss = F.cross_entropy(m(rows[:, :-1]).reshape(-1, V), rows[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()

    step(0)
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(steps):
        step(i)
    train = steps * B * C / (time.perf_counter() - t0)
    train_cpu = steps * B * C / (time.process_time() - c0)
    with torch.no_grad():
        idx = torch.full((S, 1), 10, dtype=torch.long)
        made = 0
        t0 = time.perf_counter()
        while made < ntok:
            logits = m(idx[:, -C:])[:, -1, :]
            nxt = torch.multinomial(logits.softmax(dim=-1), 1)
            idx = torch.cat([idx, nxt], dim=1)
            if idx.shape[1] > C:
                idx = idx[:, -C:]
            made += S
        sample = made / (time.perf_counter() - t0)
    print(f"{train:.1f} {sample:.1f} {train_cpu:.1f}")


if __name__ == "__main__":
    main()
