import DepTrace

/// Checks a zip file's central directory against its local entry headers,
/// which libarchive reads without comparing: a zeroed or cut directory reads
/// as an archive of no entries, and an entry whose local name differs from
/// its directory name is read under one of the two. Either is damage to
/// report, not an empty or silently renamed archive.
///
/// Only the fixed-size records are read (end of central directory, directory
/// entries, local headers), never entry data.
enum ZipDirectoryCheck {
    /// Why the zip file at `path` is inconsistent, or nil when its directory
    /// and local headers agree (or it is too damaged for this check, in which
    /// case libarchive's own reading reports it).
    ///
    /// - Complexity: O(entries) small reads, at most 64 KiB + 22 bytes from the end.
    static func problem(path: String) -> String? {
        guard let file = try? FileDescriptor(opening: path, flags: FileDescriptor.readOnly), let size = file.regularFileSize else { return nil }
        func read(_ count: Int, at offset: Int) -> [UInt8]? {
            guard offset >= 0, count >= 0, offset + count <= size else { return nil }
            var bytes = [UInt8](repeating: 0, count: count)
            var filled = 0
            while filled < count {
                let got = (try? bytes.withUnsafeMutableBytes { buffer throws(InputError) in
                    try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]), at: offset + filled)
                }) ?? 0
                guard got > 0 else { return nil }
                filled += got
            }
            return bytes
        }
        // Only files that start as a zip does: the end-record signature may occur inside other compressed data.
        guard let magic = read(4, at: 0), magic.elementsEqual([0x50, 0x4B, 0x03, 0x04]) else { return nil }
        // The end record: 22 bytes plus a comment of up to 65,535 bytes, found from the end.
        let tailLength = min(size, 22 + 65_535)
        guard let tail = read(tailLength, at: size - tailLength), tail.count >= 22 else { return nil }
        var end: Int?
        var index = tail.count - 22
        while index >= 0 {
            if tail[index] == 0x50, tail[index + 1] == 0x4B, tail[index + 2] == 0x05, tail[index + 3] == 0x06 { end = index; break }
            index -= 1
        }
        guard let end else { return nil }
        let entries = Int(u16(tail, end + 10))
        let directorySize = Int(u32(tail, end + 12))
        let directoryOffset = Int(u32(tail, end + 16))
        // ZIP64 archives keep the true values elsewhere: libarchive reads those.
        if entries == 0xFFFF || directoryOffset == 0xFFFF_FFFF || directorySize == 0xFFFF_FFFF { return nil }
        guard let directory = read(directorySize, at: directoryOffset) else {
            return "damaged zip: its central directory (\(entries) entries, \(directorySize) bytes at offset \(directoryOffset)) lies outside the file"
        }
        var position = 0
        for number in 0..<entries {
            guard position + 46 <= directory.count, directory[position..<position + 4].elementsEqual([0x50, 0x4B, 0x01, 0x02]) else {
                return "damaged zip: central directory entry \(number + 1) of \(entries) is not readable (offset \(directoryOffset + position))"
            }
            let nameLength = Int(u16(directory, position + 28))
            let extraLength = Int(u16(directory, position + 30))
            let commentLength = Int(u16(directory, position + 32))
            let localOffset = Int(u32(directory, position + 42))
            guard position + 46 + nameLength <= directory.count else {
                return "damaged zip: central directory entry \(number + 1) of \(entries) is cut short"
            }
            let name = Array(directory[position + 46..<position + 46 + nameLength])
            let shownName = String(decoding: name, as: UTF8.self)
            if localOffset != 0xFFFF_FFFF {
                guard let local = read(30, at: localOffset), local[0..<4].elementsEqual([0x50, 0x4B, 0x03, 0x04]) else {
                    return "damaged zip: entry \(shownName): no local header at offset \(localOffset), where the central directory puts it"
                }
                let localNameLength = Int(u16(local, 26))
                guard let localName = read(localNameLength, at: localOffset + 30), localName == name else {
                    return "damaged zip: entry \(shownName): its local header names it otherwise; the archive disagrees with itself"
                }
            }
            position += 46 + nameLength + extraLength + commentLength
        }
        return nil
    }

    private static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    private static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 { UInt32(u16(bytes, at)) | UInt32(u16(bytes, at + 2)) << 16 }
}
