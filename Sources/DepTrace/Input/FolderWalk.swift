#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Lists the files below a folder, as `find` would: recursively, without
/// following links to folders, unreadable folders skipped.
public enum FolderWalk {
    /// The paths, relative to `folder` and sorted, of the files below it whose
    /// relative path `include` accepts. Links to files count as files; broken
    /// links and links to folders are left out.
    ///
    /// The entry types `readdir` reports spare a `stat` per file: a folder of a
    /// thousand traces costs a thousand fewer system calls. Links, and entries
    /// of file systems that do not report types, are examined as before.
    public static func files(under folder: String, where include: (String) -> Bool) -> [String] {
        let base = folder.hasSuffix("/") && folder.count > 1 ? String(folder.dropLast()) : folder
        var found: [String] = []
        var pending = [""]
        while let relativeFolder = pending.popLast() {
            let absoluteFolder = relativeFolder.isEmpty ? base : base + "/" + relativeFolder
            // A folder that can be listed but not entered: its files cannot be opened (as before, when
            // each was examined with lstat, they are left out).
            guard access(absoluteFolder, X_OK) == 0 else { continue }
            for entry in entries(of: absoluteFolder) {
                let relative = relativeFolder.isEmpty ? entry.name : relativeFolder + "/" + entry.name
                switch entry.kind {
                case .directory:
                    pending.append(relative)
                case .regularFile:
                    if include(relative) { found.append(relative) }
                case .symbolicLink, .other:
                    // A link, or a type readdir did not tell: what it is, then what it leads to.
                    let full = base + "/" + relative
                    guard let own = FileStatus(path: full, followingLinks: false) else { continue }
                    if own.isDirectory {
                        pending.append(relative)
                    } else if include(relative), let target = FileStatus(path: full), !target.isDirectory {
                        found.append(relative)
                    }
                }
            }
        }
        return found.sorted()
    }

    private struct Entry {
        var name: String
        /// What readdir says; `.other` when it does not say.
        var kind: FileStatus.Kind
    }

    /// The entries of `folder` but `.`, `..` and names that are not UTF-8; none when it cannot be read.
    private static func entries(of folder: String) -> [Entry] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var result: [Entry] = []
        while let pointer = readdir(directory) {
            // A name that is not UTF-8 has no String that opens it again: left out.
            guard let name = withUnsafeBytes(of: pointer.pointee.d_name, { raw in
                String(validating: raw.prefix { $0 != 0 }, as: UTF8.self)
            }) else { continue }
            if name == "." || name == ".." { continue }
            let kind: FileStatus.Kind
            switch Int32(pointer.pointee.d_type) {
            case Int32(DT_REG): kind = .regularFile
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_LNK): kind = .symbolicLink
            default: kind = .other
            }
            result.append(Entry(name: name, kind: kind))
        }
        return result
    }
}
