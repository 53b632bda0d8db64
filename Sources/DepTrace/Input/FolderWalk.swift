#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Lists the files below a folder, as `find` would: recursively, without
/// following links to folders.
public enum FolderWalk {
    /// What a walk found: the regular files it was asked for, and what it could
    /// not look into or would not open.
    public struct Listing: Sendable, Hashable {
        /// Paths relative to the folder, sorted, of the regular files (or links
        /// to regular files) that the walk's filter accepted.
        public var files: [String] = []
        /// Folders that could not be listed or entered, each with the system's
        /// reason: files may be missing from ``files``.
        public var unreadable: [Problem] = []
        /// Pipes, devices and sockets the filter accepted by name: never opened
        /// during a search (opening a pipe blocks; a device may never end).
        public var special: [String] = []
    }

    /// A path the walk could not read, and why.
    public struct Problem: Sendable, Hashable {
        public var path: String
        public var reason: String
    }

    /// The regular files below `folder` whose relative path `include` accepts
    /// (see ``Listing``). Links to files count as files; broken links and links
    /// to folders are left out.
    ///
    /// The entry types `readdir` reports spare a `stat` per file: a folder of a
    /// thousand traces costs a thousand fewer system calls. Links, and entries
    /// of file systems that do not report types, are examined one by one.
    public static func walk(_ folder: String, where include: (String) -> Bool) -> Listing {
        let base = folder.hasSuffix("/") && folder.count > 1 ? String(folder.dropLast()) : folder
        var listing = Listing()
        var pending = [""]
        while let relativeFolder = pending.popLast() {
            let absoluteFolder = relativeFolder.isEmpty ? base : base + "/" + relativeFolder
            // A folder that can be listed but not entered: its files cannot be opened.
            guard access(absoluteFolder, X_OK) == 0 else {
                listing.unreadable.append(Problem(path: absoluteFolder, reason: "cannot enter the folder: \(systemMessage(errno))"))
                continue
            }
            let entries: [Entry]
            switch self.entries(of: absoluteFolder) {
            case .success(let found): entries = found
            case .failure(let problem):
                listing.unreadable.append(problem)
                continue
            }
            for entry in entries {
                let relative = relativeFolder.isEmpty ? entry.name : relativeFolder + "/" + entry.name
                switch entry.kind {
                case .directory:
                    pending.append(relative)
                case .regularFile:
                    if include(relative) { listing.files.append(relative) }
                case .symbolicLink, .other:
                    // A link, or a type readdir did not tell: what it is, then what it leads to.
                    let full = base + "/" + relative
                    guard let own = FileStatus(path: full, followingLinks: false) else { continue }
                    if own.isDirectory {
                        pending.append(relative)
                    } else if include(relative), let target = FileStatus(path: full) {
                        switch target.kind {
                        case .regularFile: listing.files.append(relative)
                        case .directory, .symbolicLink: break
                        case .other: listing.special.append(relative)
                        }
                    }
                }
            }
        }
        listing.files.sort()
        listing.unreadable.sort { $0.path < $1.path }
        listing.special.sort()
        return listing
    }

    /// The regular files of ``walk(_:where:)``, without its problems.
    public static func files(under folder: String, where include: (String) -> Bool) -> [String] {
        walk(folder, where: include).files
    }

    private struct Entry {
        var name: String
        /// What readdir says; `.other` when it does not say.
        var kind: FileStatus.Kind
    }

    /// The entries of `folder` but `.`, `..` and names that are not UTF-8.
    private static func entries(of folder: String) -> Result<[Entry], Problem> {
        guard let directory = opendir(folder) else {
            return .failure(Problem(path: folder, reason: "cannot list the folder: \(systemMessage(errno))"))
        }
        defer { closedir(directory) }
        var result: [Entry] = []
        while true {
            errno = 0
            guard let pointer = readdir(directory) else {
                if errno != 0 { return .failure(Problem(path: folder, reason: "cannot list the folder: \(systemMessage(errno))")) }
                break
            }
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
        return .success(result)
    }
}

extension FolderWalk.Problem: Error {}
