/// Reads one input, whatever its encoding, and reports every trace in it to an observer.
public enum InputAnalyzer {
    /// What reading one input gave, in counts.
    public struct Summary: Sendable, Hashable {
        public var traces = 0
        public var errors = 0
        public var warnings = 0
        public var bytes = 0
    }

    /// Reads every trace of `input` and reports traces, records and diagnostics to `observer`.
    ///
    /// Failures to open or read the input are reported as error diagnostics;
    /// every trace read before a failure is still reported.
    // Callers in other modules cannot specialise this generic code, and unspecialised
    // it looks up generic metadata for every record; these copies are made here.
    @_specialize(exported: true, where Observer == CallbackObserver)
    @_specialize(exported: true, where Observer == TimelineBuilder)
    @_specialize(exported: true, where Observer == TraceConverter)
    public static func analyze<Observer: TraceObserver>(
        _ input: TraceInput, options: AnalysisOptions, observer: inout Observer,
        progress: ((Int) -> Void)? = nil
    ) -> Summary {
        let name = input.displayName
        var summary = Summary()
        let source: any ByteSource
        do {
            source = try input.open()
        } catch {
            observer.report(error.diagnostic)
            summary.errors = 1
            return summary
        }
        return analyze(source, name: name, options: options, observer: &observer, progress: progress)
    }

    /// Reads every trace of an open byte source named `name`.
    @_specialize(exported: true, where Observer == CallbackObserver)
    @_specialize(exported: true, where Observer == TimelineBuilder)
    @_specialize(exported: true, where Observer == TraceConverter)
    public static func analyze<Observer: TraceObserver>(
        _ source: any ByteSource, name: String, options: AnalysisOptions, observer: inout Observer,
        progress: ((Int) -> Void)? = nil
    ) -> Summary {
        let read = readTraces(source, name: name, options: options, observer: &observer, progress: progress)
        var summary = read.summary
        if !read.failed, summary.traces == 0 {
            observer.report(emptyInputWarning(name))
            summary.warnings += 1
        }
        return summary
    }

    /// What ``readTraces(_:name:options:observer:progress:)`` gave.
    struct ReadResult {
        var summary = Summary()
        /// JSON Lines read (0 for the binary encoding).
        var lines = 0
        /// Whether a failure (reported, and counted among the errors) stopped the reading.
        var failed = false
    }

    /// Reads every trace of `source` into `observer`, and the failure that
    /// stopped the reading, if any; an input without traces is not warned
    /// about (a piece of a file may hold none).
    static func readTraces<Observer: TraceObserver>(
        _ source: any ByteSource, name: String, options: AnalysisOptions, observer: inout Observer,
        progress: ((Int) -> Void)? = nil
    ) -> ReadResult {
        let peeked: (prefix: [UInt8], source: PrefixedByteSource)
        do {
            peeked = try PrefixedByteSource.peek(source, count: BinaryLayout.magic.count)
        } catch {
            return readTraces(failing: error, observer: &observer)
        }
        return readTraces(prefix: peeked.prefix, name: name, options: options, observer: &observer, progress: progress) { growthLimit in
            ByteWindow(source: peeked.source, growthLimit: growthLimit)
        }
    }

    /// ``readTraces(_:name:options:observer:progress:)`` for the first `count`
    /// bytes of `block`, read in place, then what `rest` holds (perhaps only
    /// the error that ended the input).
    static func readTraces<Observer: TraceObserver>(
        block: ByteBlock, count: Int, then rest: any ByteSource, name: String, options: AnalysisOptions, observer: inout Observer,
        progress: ((Int) -> Void)? = nil
    ) -> ReadResult {
        var prefix = Array(UnsafeRawBufferPointer(rebasing: block.bytes[0..<Swift.min(count, BinaryLayout.magic.count)]))
        var source: any ByteSource = rest
        if prefix.count < BinaryLayout.magic.count {
            // Too few bytes to tell the encoding: read as a stream is, peeking at the rest.
            do {
                let peeked = try PrefixedByteSource.peek(ChainedByteSource(BufferByteSource(bytes: prefix), then: rest), count: BinaryLayout.magic.count)
                prefix = peeked.prefix
                source = peeked.source
            } catch {
                return readTraces(failing: error, observer: &observer)
            }
            return readTraces(prefix: prefix, name: name, options: options, observer: &observer, progress: progress) { growthLimit in
                ByteWindow(source: source, growthLimit: growthLimit)
            }
        }
        return readTraces(prefix: prefix, name: name, options: options, observer: &observer, progress: progress) { growthLimit in
            ByteWindow(block: block, count: count, then: source, growthLimit: growthLimit)
        }
    }

    /// The reading of an input whose first bytes could not be read.
    private static func readTraces<Observer: TraceObserver>(failing error: InputError, observer: inout Observer) -> ReadResult {
        observer.report(error.diagnostic)
        var result = ReadResult()
        result.summary.errors = 1
        result.failed = true
        return result
    }

    /// Reads the input that starts with `prefix` through the window
    /// `makeWindow` gives (passed the most it may grow to without being asked).
    private static func readTraces<Observer: TraceObserver>(
        prefix: [UInt8], name: String, options: AnalysisOptions, observer: inout Observer,
        progress: ((Int) -> Void)?, makeWindow: (_ growthLimit: Int) -> ByteWindow
    ) -> ReadResult {
        var result = ReadResult()
        var assembler = TraceAssembler(file: name, options: options, observer: observer)
        var inputError: InputError?
        do {
            if let problem = EncodingSniffer.unsupportedEncoding(prefix) {
                result.summary.bytes = prefix.count
                inputError = .unsupportedContent(name, problem)
            } else if !prefix.isEmpty, !EncodingSniffer.looksLikeJSONL(prefix) {
                // The magic, part of it, or bytes that are no JSON: the binary
                // reader reports damage with offsets and finds the next magic.
                let window = makeWindow(Int.max)
                defer { result.summary.bytes = window.bytesRead }
                try BinaryTraceReader.read(window, into: &assembler, progress: progress)
            } else {
                let maxLineLength = options.limits.maxLineLength
                // One byte beyond the longest line tells that a line is too long.
                let lines = LineReader(window: makeWindow(maxLineLength < Int.max ? maxLineLength + 1 : Int.max), name: name, maxLineLength: maxLineLength)
                defer {
                    result.summary.bytes = lines.bytesRead
                    result.lines = lines.linesRead
                }
                try JSONLTraceReader.read(lines, into: &assembler, progress: progress)
            }
        } catch {
            inputError = error
        }
        observer = assembler.observer
        result.summary.traces = assembler.traceCount
        result.summary.errors = assembler.errorCount
        result.summary.warnings = assembler.warningCount
        if let inputError {
            observer.report(inputError.diagnostic)
            result.summary.errors += 1
            result.failed = true
        }
        return result
    }

    /// The warning for an input that holds no trace.
    static func emptyInputWarning(_ name: String) -> Diagnostic {
        Diagnostic(.warning, file: name, message: "no trace in this input (a trace starts with a header line holding \"deptrace\")")
    }
}

/// Recognises encodings by their first bytes.
enum EncodingSniffer {
    /// Whether an input starting with `prefix` is read as JSON Lines: it is
    /// text (UTF-8 without control bytes other than tab, CR and LF) and neither
    /// the start of the binary magic nor the magic with one byte damaged, so
    /// the binary reader reports such damage with its offset and finds the next trace.
    static func looksLikeJSONL(_ prefix: [UInt8]) -> Bool {
        if prefix.isEmpty { return true }
        if BinaryLayout.magic.starts(with: prefix) { return false }
        // Seven of the magic's eight bytes in place: a magic with one damaged byte.
        if prefix.count == BinaryLayout.magic.count, zip(prefix, BinaryLayout.magic).filter({ $0 == $1 }).count >= 7 { return false }
        if prefix.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) { return false }
        return isUTF8AllowingCutEnd(prefix)
    }

    /// Whether `bytes` is valid UTF-8, except perhaps for a sequence cut at the end.
    static func isUTF8AllowingCutEnd(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length: Int
            switch lead {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return false
            }
            for next in (index + 1)..<(index + length) where next < bytes.count {
                if bytes[next] & 0xC0 != 0x80 { return false }
            }
            index += length
        }
        return true
    }

    /// Why the input cannot be read as a trace, or nil when it can.
    static func unsupportedEncoding(_ prefix: [UInt8]) -> String? {
        if prefix.starts(with: [0x1F, 0x8B]) { return "gzip-compressed input: decompress it first (gzip -dc FILE | deptrace ... -)" }
        if prefix.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return "zstd-compressed input: decompress it first (zstd -dc FILE | deptrace ... -)" }
        if prefix.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return "xz-compressed input: decompress it first (xz -dc FILE | deptrace ... -)" }
        if prefix.starts(with: [0x42, 0x5A, 0x68]) { return "bzip2-compressed input: decompress it first (bzip2 -dc FILE | deptrace ... -)" }
        if prefix.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "zip archive: unpack it first" }
        return nil
    }
}
