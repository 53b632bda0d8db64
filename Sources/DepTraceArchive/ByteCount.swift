/// Byte counts for messages: `64 GiB`, `16 MiB`, `1234 bytes`.
enum ByteCount {
    static func text(_ count: Int64) -> String {
        for (unit, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] where count >= Int64(1) << shift {
            let value = Double(count) / Double(Int64(1) << shift)
            return value == value.rounded() ? "\(Int64(value)) \(unit)" : "\((value * 10).rounded() / 10) \(unit)"
        }
        return "\(count) bytes"
    }
}
