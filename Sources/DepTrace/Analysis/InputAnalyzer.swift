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
    public static func analyze<Observer: TraceObserver>(
        _ input: TraceInput, options: AnalysisOptions, observer: inout Observer,
        maxLineLength: Int = LineReader.defaultMaxLineLength, progress: ((Int) -> Void)? = nil
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
        return analyze(source, name: name, options: options, observer: &observer, maxLineLength: maxLineLength, progress: progress)
    }

    /// Reads every trace of an open byte source named `name`.
    public static func analyze<Observer: TraceObserver>(
        _ source: any ByteSource, name: String, options: AnalysisOptions, observer: inout Observer,
        maxLineLength: Int = LineReader.defaultMaxLineLength, progress: ((Int) -> Void)? = nil
    ) -> Summary {
        var summary = Summary()
        let lines = LineReader(source: source, name: name, maxLineLength: maxLineLength)
        var assembler = TraceAssembler(file: name, options: options, observer: observer)
        var inputError: InputError?
        do {
            if let problem = try EncodingSniffer.unsupportedEncoding(lines.peek(8)) {
                inputError = .unsupportedContent(name, problem)
            } else {
                try JSONLTraceReader.read(lines, into: &assembler, progress: progress)
            }
        } catch {
            inputError = error
        }
        observer = assembler.observer
        summary.traces = assembler.traceCount
        summary.errors = assembler.errorCount
        summary.warnings = assembler.warningCount
        summary.bytes = lines.bytesRead
        if let inputError {
            observer.report(inputError.diagnostic)
            summary.errors += 1
        } else if summary.traces == 0 {
            observer.report(Diagnostic(.warning, file: name, message: "no trace in this input (a trace starts with a header line holding \"deptrace\")"))
            summary.warnings += 1
        }
        return summary
    }
}

/// Recognises encodings by their first bytes.
enum EncodingSniffer {
    static let binaryMagic: [UInt8] = [0x44, 0x54, 0x52, 0x43, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Why the input cannot be read as JSONL, or nil when it can.
    static func unsupportedEncoding(_ prefix: [UInt8]) -> String? {
        if prefix.starts(with: binaryMagic) {
            return "binary trace encoding (DTRC magic): this build reads the JSON Lines encoding only"
        }
        if prefix.starts(with: [0x1F, 0x8B]) { return "gzip-compressed input: decompress it first (gzip -dc FILE | deptrace ... -)" }
        if prefix.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return "zstd-compressed input: decompress it first (zstd -dc FILE | deptrace ... -)" }
        if prefix.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return "xz-compressed input: decompress it first (xz -dc FILE | deptrace ... -)" }
        if prefix.starts(with: [0x42, 0x5A, 0x68]) { return "bzip2-compressed input: decompress it first (bzip2 -dc FILE | deptrace ... -)" }
        if prefix.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "zip archive: unpack it first" }
        return nil
    }
}
