"""The CPU's name and its vector and int8 features (py-cpuinfo), and the CPU family whose
integer kernels the int8 graph is built for (int8_target).

Reading them takes about a second (py-cpuinfo asks the CPU through a helper process),
so the answer is cached for the process.
"""
from __future__ import annotations

import functools
import os
import platform
from dataclasses import dataclass

#: Features that decide float and int8 convolution speed, in the order they are shown.
RELEVANT = ("sse4_2", "avx", "fma", "avx2", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni",
            "avx512_bf16", "amx_tile", "amx_int8", "asimd", "asimddp", "i8mm", "sve")
#: int8 dot-product features: x86 (VNNI, AMX) and ARM (dot product, i8mm)
X86_DOT = ("avx512_vnni", "avx_vnni", "amx_int8")
ARM_DOT = ("asimddp", "i8mm")


def _norm(flag: str) -> str:
    return flag.lower().replace("_", "").replace(".", "")


@functools.lru_cache(maxsize=1)
def _info() -> dict:
    try:
        import cpuinfo

        return dict(cpuinfo.get_cpu_info())
    except Exception:  # an exotic platform py-cpuinfo cannot read
        return {}


@functools.lru_cache(maxsize=1)
def _flags() -> frozenset[str]:
    return frozenset(_norm(f) for f in _info().get("flags", ()))


def cpu_features(flags: frozenset[str] | None = None) -> tuple[str, ...]:
    """The RELEVANT features this CPU has (names as `lscpu` prints them)."""
    have = _flags() if flags is None else frozenset(_norm(f) for f in flags)
    return tuple(f for f in RELEVANT if _norm(f) in have)


@dataclass(frozen=True)
class CpuFeatures:
    """The CPU as the roofline reports it: name, architecture, cores and features."""

    brand: str  # e.g. "AMD EPYC" (empty when unknown)
    arch: str  # e.g. "X86_64", "ARM_8"
    logical_cores: int
    flags: frozenset[str]  # every flag py-cpuinfo reported, lower case

    @property
    def notable(self) -> tuple[str, ...]:
        """The RELEVANT features this CPU has, in display order."""
        return cpu_features(self.flags)

    def has(self, feature: str) -> bool:
        return _norm(feature) in {_norm(f) for f in self.flags}

    @property
    def vnni(self) -> bool:
        """int8 dot-product instructions (x86 VNNI/AMX or ARM dot product / i8mm)."""
        return any(f in X86_DOT + ARM_DOT for f in self.notable)


def from_info(info: dict) -> CpuFeatures:
    """CpuFeatures of a py-cpuinfo `get_cpu_info()` dictionary."""
    return CpuFeatures(brand=str(info.get("brand_raw", "") or platform.processor()),
                       arch=str(info.get("arch", "") or platform.machine().upper()),
                       logical_cores=int(info.get("count") or os.cpu_count() or 1),
                       flags=frozenset(str(f).lower() for f in info.get("flags", ())))


def detect() -> CpuFeatures:
    """This machine's CPU (read once per process)."""
    return from_info(_info())


def int8_target(cpu: CpuFeatures | None = None) -> str:
    """The CPU family whose integer kernels the int8 graph is built for
    (graph/int8_kernels.py): "x86-vnni" when an x86 CPU has VNNI (AVX512-VNNI, AVX-VNNI
    or AMX: onnxruntime's uint8×int8 kernels are exact dot products there), "x86"
    without (its uint8×int8 kernels use vpmaddubsw, which saturates: onnxruntime
    documents it), "arm64" (exact on dot products or NEON), else "other" (the
    checkpoint's own formats, nothing assumed)."""
    cpu = detect() if cpu is None else cpu
    arch = (cpu.arch or platform.machine()).upper().replace("-", "_")
    if arch in ("X86_64", "AMD64", "X86_32", "I686", "I386"):
        return "x86-vnni" if any(cpu.has(f) for f in X86_DOT) else "x86"
    if arch in ("ARM_8", "AARCH64", "ARM64"):
        return "arm64"
    return "other"
