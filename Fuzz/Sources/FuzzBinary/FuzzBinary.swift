import DepTrace
import FuzzSupport

/// libFuzzer entry: the input is read as a trace file (seeded with binary
/// traces, so mostly read as binary), read again in small pieces, and
/// converted to JSON Lines and back through the reader. Every phase counts
/// here, so prefill and compress steps reach the Dep sums too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBinary(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    ReaderTarget.run(data, size, options: AnalysisOptions(countedPhases: .all), other: .jsonl)
    return 0
}
