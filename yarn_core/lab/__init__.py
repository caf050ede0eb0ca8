"""The lab: a tiny RoPE transformer trained on CPU to watch context extension fail and recover.

Importing this package imports torch and caps torch at ``LIVE_THREADS`` intra-op threads, so one
reader's training cannot starve the server (each concurrent run then uses one core).
"""

import torch

LIVE_THREADS = 1
torch.set_num_threads(LIVE_THREADS)
