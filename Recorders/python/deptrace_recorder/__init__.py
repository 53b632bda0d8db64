"""deptrace_recorder: write DepTrace traces (format version 1) from Python decoders.

Standard library only. `TraceWriter` writes the JSON Lines encoding (plain,
or gzip when the name ends in ``.gz``) or, for names ending in ``.dtrace``
(or ``encoding="binary"``), the checksummed binary encoding byte for byte as
the Swift writer does, and refuses, with `TraceRuleError`,
every record a DepTrace reader would refuse. The optional module
`deptrace_recorder.hf` records Hugging Face ``transformers`` generation; it
never imports torch or transformers itself.
"""

__version__ = "0.1.0"

from .intervals import IntervalSet  # noqa: E402
from .writer import FORMAT_VERSION, KINDS, PHASES, TraceRuleError, TraceWriter  # noqa: E402

__all__ = ["TraceWriter", "TraceRuleError", "IntervalSet", "FORMAT_VERSION", "PHASES", "KINDS", "__version__"]
