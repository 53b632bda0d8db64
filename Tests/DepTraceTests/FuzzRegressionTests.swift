import DepTrace
import Testing
import _DepTraceTestSupport

/// Inputs the reader fuzz targets (Fuzz/, FuzzJSONL and FuzzBinary) reached
/// that no other test covered; findings in the readers would be kept here too,
/// with their input in FuzzRegressions/FuzzJSONL/ or FuzzRegressions/FuzzBinary/.
@Suite struct FuzzRegressionTests {
    /// The first input FuzzJSONL stopped on: the gzip signature followed by
    /// text. Compressed input is refused whole, with the command to decompress
    /// it, after reading only its signature; no trace and no other diagnostic.
    @Test func compressedInputIsRefusedWithAHint() {
        let input: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x26, 0x31, 0x26, 0x31, 0x0A]
        let result = analyzeBytes(input, name: "run.dtrace.jsonl", pieceSize: 3)
        #expect(result.outcomes.isEmpty)
        #expect(result.diagnostics.count == 1)
        #expect(result.errors.first?.message.contains("gzip-compressed input: decompress it first (gzip -dc FILE | deptrace ... -)") == true,
                "\(result.diagnostics)")
        for (signature, tool) in [([0x28, 0xB5, 0x2F, 0xFD], "zstd"), ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz"), ([0x42, 0x5A, 0x68], "bzip2")] as [([UInt8], String)] {
            let refused = analyzeBytes(signature + Array("{\"deptrace\":1}\n".utf8))
            #expect(refused.outcomes.isEmpty && refused.errors.first?.message.contains("\(tool) -dc FILE") == true, "\(tool): \(refused.diagnostics)")
        }
    }
}
