/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of
/// binary trace chunks; the same function as iSCSI's and SSE4.2's `crc32`.
///
/// Computed eight bytes at a time from eight tables ("slicing by 8", about
/// 2 GB/s), or by a faster implementation an executable installs: the core
/// has no C, so the SSE4.2 instruction lives in a C target the CLI links.
public enum CRC32C {
    /// A function computing the same checksum: `(crc, bytes, count) -> crc`.
    public typealias Implementation = @convention(c) (UInt32, UnsafeRawPointer?, Int) -> UInt32

    /// Set once, at start-up, before any thread reads traces (see ``install(_:)``).
    nonisolated(unsafe) private static var installed: Implementation?

    /// Uses `implementation` from now on, if it agrees with the tables on a
    /// test vector at every length and alignment up to 64 bytes.
    ///
    /// Call once, at the start of the program, before any trace is read or written.
    /// - Returns: whether it was installed.
    @discardableResult
    public static func install(_ implementation: Implementation) -> Bool {
        var bytes = [UInt8](repeating: 0, count: 80)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 151 &+ 7) }
        let agrees = bytes.withUnsafeBytes { buffer -> Bool in
            for start in 0..<8 {
                for end in start...(start + 64) {
                    let piece = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
                    if implementation(0x1234_5678, piece.baseAddress, piece.count) != tableChecksum(piece, continuing: 0x1234_5678) {
                        return false
                    }
                }
            }
            return true
        }
        if agrees { installed = implementation }
        return agrees
    }

    /// Whether an installed implementation computes checksums (for messages and tests).
    public static var isAccelerated: Bool { installed != nil }

    private static let polynomial: UInt32 = 0x82F6_3B78

    /// 8 tables of 256 entries, flattened: `tables[k * 256 + b]`.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ polynomial : crc >> 1 }
            tables[byte] = crc
        }
        for byte in 0..<256 {
            for slice in 1..<8 {
                let previous = tables[(slice - 1) * 256 + byte]
                tables[slice * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// The CRC-32C of `bytes`, continuing from `crc` (0 to start).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        if let installed { return installed(crc, bytes.baseAddress, bytes.count) }
        return tableChecksum(bytes, continuing: crc)
    }

    /// ``checksum(_:continuing:)`` from the tables, whatever is installed.
    public static func tableChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        tables.withUnsafeBufferPointer { table in
            var crc = ~crc
            var index = 0
            let count = bytes.count
            while index + 8 <= count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let low = UInt32(truncatingIfNeeded: word) ^ crc
                let high = UInt32(truncatingIfNeeded: word >> 32)
                crc = table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                    ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ table[1 * 256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
                index &+= 8
            }
            while index < count {
                crc = table[Int((crc ^ UInt32(bytes[index])) & 0xFF)] ^ (crc >> 8)
                index &+= 1
            }
            return ~crc
        }
    }

    /// The CRC-32C of a byte array.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
