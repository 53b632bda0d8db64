import CCRC32C
import DepTrace
import Testing

/// The SSE4.2 CRC-32C the CLI installs agrees with the core's tables.
@Suite struct CRC32CHardwareTests {
    @Test func hardwareAgreesWithTheTables() throws {
        guard deptrace_crc32c_hardware_available() == 1 else {
            // Visible in the test log: nothing to compare on this CPU.
            print("SKIPPED: this CPU has no SSE4.2 crc32 instruction")
            return
        }
        var bytes = [UInt8](repeating: 0, count: 5000)
        var state: UInt32 = 0x9E37_79B9
        for index in bytes.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            bytes[index] = UInt8(truncatingIfNeeded: state >> 24)
        }
        bytes.withUnsafeBytes { buffer in
            #expect(deptrace_crc32c_hardware(0, buffer.baseAddress, 0) == 0)
            for (start, end) in [(0, 0), (0, 1), (0, 9), (3, 11), (1, 4096), (7, 5000), (0, 5000)] {
                let piece = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
                for seed: UInt32 in [0, 0xFFFF_FFFF, 0x1234_5678] {
                    #expect(deptrace_crc32c_hardware(seed, piece.baseAddress, piece.count) == CRC32C.tableChecksum(piece, continuing: seed))
                }
            }
        }
        let check = Array("123456789".utf8)
        #expect(check.withUnsafeBytes { deptrace_crc32c_hardware(0, $0.baseAddress, $0.count) } == 0xE306_9283)
    }

    @Test func installRefusesAWrongImplementation() {
        let wrong: CRC32C.Implementation = { crc, _, count in crc &+ UInt32(truncatingIfNeeded: count) }
        #expect(CRC32C.install(wrong) == false)
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }
}
