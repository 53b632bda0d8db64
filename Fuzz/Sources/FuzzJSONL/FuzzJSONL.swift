import DepTrace
import FuzzSupport

/// libFuzzer entry: the input is read as a trace file (seeded with JSON Lines
/// traces, so mostly read as JSON Lines), read again in small pieces, and
/// converted to the binary encoding and back through the reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONL(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    ReaderTarget.run(data, size, options: AnalysisOptions(), other: .binary)
    return 0
}
