/// Reads the JSON Lines encoding: every line of a source, in order, into a
/// ``TraceAssembler``.
public enum JSONLTraceReader {
    /// Reads all lines of `lines` into `assembler`, then closes the open trace.
    ///
    /// - Throws: ``InputError`` when the source cannot be read; every line
    ///   read before the failure has been delivered and the open trace closed.
    public static func read<Observer: TraceObserver>(
        _ lines: LineReader, into assembler: inout TraceAssembler<Observer>, progress: ((Int) -> Void)? = nil
    ) throws(InputError) {
        let limits = assembler.options.limits
        let parser = JSONLLineParser(maxRangesPerRecord: limits.maxRangesPerRecord)
        defer { assembler.finishInput() }
        var sinceProgress = 0
        var scratch: [Range<Int>] = []
        var held = lines.heldLines()
        while true {
            let line: LineReader.Line
            if let next = held.next() {
                line = next
            } else {
                lines.finish(held)
                // Reads more, and words a line too long or a last line without a newline.
                guard let next = try lines.next() else { break }
                line = next
                held = lines.heldLines()
            }
            let location = InputLocation.line(line.number)
            // Observers of records get every record from the parser, vocabulary ids included.
            if !Observer.observesRecords, let shape = JSONLFastScanner.scan(line.bytes, ranges: &scratch, maxRanges: limits.maxRangesPerRecord) {
                switch shape {
                case .step(let step): assembler.step(step, at: location)
                case .evict(let stream): scratch.withUnsafeBufferPointer { assembler.evict($0, stream: stream, at: location) }
                case .add(let stream): assembler.record(.add(scratch, stream: stream), at: location)
                case .hide(let stream): assembler.record(.hide(scratch, stream: stream), at: location)
                case .show(let stream): assembler.record(.show(scratch, stream: stream), at: location)
                // The observer does not see records, and the engine only counts marks: the text is not built.
                case .mark: assembler.record(.mark(""), at: location)
                }
            } else {
                parse(line, at: location, with: parser, limits: limits, scratch: &scratch, into: &assembler)
            }
            if let progress {
                sinceProgress &+= 1
                if sinceProgress >= 65_536 {
                    sinceProgress = 0
                    progress(lines.bytesRead)
                }
            }
        }
        progress?(lines.bytesRead)
    }

    /// Reads one line through the full parser.
    private static func parse<Observer: TraceObserver>(
        _ line: LineReader.Line, at location: InputLocation, with parser: JSONLLineParser, limits: ResourceLimits,
        scratch: inout [Range<Int>],
        into assembler: inout TraceAssembler<Observer>
    ) {
        do {
            switch try parser.parse(line.bytes, reusing: &scratch) {
            case .blank: break
            case .header(let header):
                if line.bytes.count > limits.maxHeaderBytes {
                    assembler.badHeader(.limitExceeded(
                        "header line of \(line.bytes.count) bytes, more than the limit of \(ResourceLimits.bytes(limits.maxHeaderBytes)) (raise it with --max-header-size)"),
                        at: location)
                } else {
                    assembler.header(header, at: location)
                }
            case .record(let record): assembler.record(record, at: location)
            case .unknown(let keys): assembler.unknownRecord(keys: keys, at: location)
            }
        } catch {
            switch error {
            case .syntax(let message):
                let what = line.terminated ? "damaged line" : "truncated last line (no newline at the end of the input)"
                assembler.damage("\(what): invalid JSON: \(message)", at: location)
            case .violation(let violation): assembler.violation(violation, at: location)
            case .badHeader(let violation): assembler.badHeader(violation, at: location)
            }
        }
    }
}
