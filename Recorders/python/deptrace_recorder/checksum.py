"""CRC-32C (Castagnoli), the checksum of the binary encoding's trace starts and chunks.

Reflected polynomial ``0x82F63B78``, initial value and final XOR
``0xFFFFFFFF`` (the CRC of iSCSI, ext4 and SSE4.2's ``crc32``): see FORMAT.md,
"CRC-32C". `crc32c` is the fastest implementation available: the ``crc32c``
or ``google_crc32c`` package when one is importable and computes the check
values right, else `crc32c_python`, a table-driven pure-Python version. No
package is required.
"""

from __future__ import annotations

from typing import Callable, List, Optional

__all__ = ["crc32c", "crc32c_python", "IMPLEMENTATION"]

_POLYNOMIAL = 0x82F63B78


def _make_table() -> List[int]:
    table = []
    for index in range(256):
        crc = index
        for _ in range(8):
            crc = (crc >> 1) ^ _POLYNOMIAL if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _make_table()


def crc32c_python(data: bytes, crc: int = 0) -> int:
    """CRC-32C of `data`, continuing from the CRC `crc` of the bytes before it (0 to start)."""
    table = _TABLE
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _checked(function: Callable[[bytes], int]) -> Optional[Callable[[bytes], int]]:
    """`function` when it gives the CRC-32C check values (FORMAT.md), else None."""
    try:
        if function(b"123456789") == 0xE3069283 and function(b"") == 0 and \
                function(bytes(range(256)) * 3) == crc32c_python(bytes(range(256)) * 3):
            return function
    except Exception:  # a broken or different package: the pure-Python version is used
        pass
    return None


def _fast() -> "tuple[Optional[Callable[[bytes], int]], str]":
    try:
        import crc32c as package  # type: ignore[import-not-found]  # ICRAR's crc32c
        function = getattr(package, "crc32c", None)
        if callable(function):
            checked = _checked(lambda data: int(function(data)))
            if checked is not None:
                return checked, "crc32c"
    except Exception:
        pass
    try:
        import google_crc32c as package  # type: ignore[import-not-found]
        function = getattr(package, "value", None)
        if callable(function):
            checked = _checked(lambda data: int(function(bytes(data))))
            if checked is not None:
                return checked, "google_crc32c"
    except Exception:
        pass
    return None, "python"


_FAST, IMPLEMENTATION = _fast()


def crc32c(data: bytes) -> int:
    """CRC-32C of `data` (bytes, bytearray or memoryview)."""
    if _FAST is not None:
        return _FAST(data)
    return crc32c_python(data)

