"""The binary's diagnostics, read back from its standard error, and the exceptions they raise."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence

__all__ = ["Diagnostic", "DepTraceError", "DepTraceUsageError", "DepTraceWarning", "parse_diagnostics"]

# `file[:line][: byte N]: [trace N (sample "s"): ][record K: ][warning: ]message`, as
# Diagnostic.description in Sources/DepTrace/Analysis/Diagnostic.swift writes it. The file is
# matched lazily, so `archive.tar:entry.jsonl` stays whole: its colon is not followed by a space.
_DIAGNOSTIC = re.compile(
    r"^(?P<file>.+?)"
    r"(?::(?P<line>\d+))?"
    r"(?:: byte (?P<offset>\d+))?"
    r": (?:trace (?P<trace>\d+)(?: \(sample \"(?P<sample>.*?)\"\))?: )?"
    r"(?:record (?P<record>\d+): )?"
    r"(?P<warning>warning: )?"
    r"(?P<message>.*)$"
)
# swift-argument-parser's usage errors (`Error: message`, then usage lines), and the
# `error: message` / `warning: message` lines of failures that concern no one input.
_UNLOCATED = re.compile(r"^(?P<severity>Error|error|warning): (?P<message>.*)$")


@dataclass(frozen=True)
class Diagnostic:
    """One error or warning the binary reported about an input.

    Attributes:
        severity: ``"error"`` or ``"warning"``.
        message: what is wrong, as the binary says it.
        file: the input's path as given (``archive:entry`` inside bundles), or None.
        line: 1-based line of a JSON Lines input, or None.
        offset: byte offset in a binary input, or None.
        trace: 0-based index of the trace in its file, or None.
        sample: the trace header's sample, or None.
        record: 0-based index of the record in its trace (header excluded), or None.
        text: the line exactly as printed.
    """

    severity: str
    message: str
    file: Optional[str] = None
    line: Optional[int] = None
    offset: Optional[int] = None
    trace: Optional[int] = None
    sample: Optional[str] = None
    record: Optional[int] = None
    text: str = ""

    def __str__(self) -> str:
        return self.text or self.message


def _integer(text: Optional[str]) -> Optional[int]:
    return int(text) if text is not None else None


def parse_diagnostics(stderr: str) -> List[Diagnostic]:
    """Read the binary's standard error into diagnostics, one per line.

    Lines shaped ``FILE[:LINE]: message`` keep their location; ``Error: message``
    (a usage error), ``error: message`` and ``warning: message`` have no file;
    usage text is dropped.

    Args:
        stderr: the text the binary wrote to standard error.

    Returns:
        The diagnostics in the order printed.
    """
    found: List[Diagnostic] = []
    for raw in stderr.splitlines():
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        unlocated = _UNLOCATED.match(line)
        if unlocated:
            severity = "warning" if unlocated.group("severity") == "warning" else "error"
            found.append(Diagnostic(severity, unlocated.group("message"), text=line))
            continue
        if line.startswith(("Usage:", "  ", "Help:", "See ")):
            continue
        match = _DIAGNOSTIC.match(line)
        if not match:
            continue
        found.append(
            Diagnostic(
                severity="warning" if match.group("warning") else "error",
                message=match.group("message"),
                file=match.group("file"),
                line=_integer(match.group("line")),
                offset=_integer(match.group("offset")),
                trace=_integer(match.group("trace")),
                sample=match.group("sample"),
                record=_integer(match.group("record")),
                text=line,
            )
        )
    return found


class DepTraceError(Exception):
    """The binary refused its input or its arguments, or could not be run.

    ``str(error)`` is the first error as the binary printed it
    (``FILE:LINE: message``). For inputs that were only partly bad, the
    traces that could be analysed are in ``result``.

    Attributes:
        message: the first error's message, without its location.
        file: the file of the first error, or None.
        line: its 1-based line (JSON Lines inputs), or None.
        offset: its byte offset (binary inputs), or None.
        diagnostics: every error and warning the binary printed.
        returncode: the binary's exit code (1: invalid or failing data, 2: usage), or None.
        command: the command line run, or None.
        stderr: the binary's whole standard error.
        result: what the call would have returned from the part that was read, or None.
    """

    def __init__(
        self,
        message: str,
        *,
        diagnostics: Sequence[Diagnostic] = (),
        returncode: Optional[int] = None,
        command: Optional[Sequence[str]] = None,
        stderr: str = "",
        result: Any = None,
    ) -> None:
        self.diagnostics: List[Diagnostic] = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        first = errors[0] if errors else None
        self.message: str = first.message if first else message
        self.file: Optional[str] = first.file if first else None
        self.line: Optional[int] = first.line if first else None
        self.offset: Optional[int] = first.offset if first else None
        self.returncode = returncode
        self.command = list(command) if command is not None else None
        self.stderr = stderr
        self.result = result
        text = first.text if first else message
        if len(errors) > 1:
            text += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''}: see .diagnostics)"
        super().__init__(text)

    @property
    def errors(self) -> List[Diagnostic]:
        """The diagnostics that are errors."""
        return [d for d in self.diagnostics if d.severity == "error"]


class DepTraceUsageError(DepTraceError, ValueError):
    """The binary rejected the arguments the API passed it (exit code 2), such as an unknown column."""


class DepTraceWarning(UserWarning):
    """A warning the binary printed (an incomplete trace, for instance) while the call succeeded."""
