import DepTrace

/// One trace file to store in a bundle, and the name it gets there.
public struct BundleEntry: Sendable, Hashable {
    /// The entry's name inside the bundle.
    public var name: String
    /// The file whose bytes it holds.
    public var file: String

    public init(name: String, file: String) {
        self.name = name
        self.file = file
    }

    /// The trace files that `paths` name, in a stable order, with their entry names.
    ///
    /// Names are the paths as given, without a leading `./` or `/`, as tar names
    /// them (a path with `..` parts, which would escape the folder a bundle is
    /// unpacked into, is stored under its last component); a folder's trace
    /// files come sorted. Missing paths, files that are not trace files, and
    /// two files given the same name are reported.
    ///
    /// - Parameter excluding: the bundle being written, never bundled into itself.
    public static func collect(_ paths: [String], excluding output: String, report: (Diagnostic) -> Void) -> [BundleEntry] {
        var entries: [BundleEntry] = []
        var seen: [String: String] = [:]
        let outputStatus = FileStatus(path: output)
        func add(name: String, file: String) {
            if let outputStatus, let status = FileStatus(path: file), status.isSameFile(as: outputStatus) { return }
            if let earlier = seen[name] {
                report(Diagnostic(.error, file: file, message: "would be stored as \(name), the name \(earlier) already has; bundle the two from different folders"))
                return
            }
            seen[name] = file
            entries.append(BundleEntry(name: name, file: file))
        }
        for path in paths {
            guard let status = FileStatus(path: path) else {
                report(Diagnostic(.error, file: path, message: "no such file or directory"))
                continue
            }
            if !status.isDirectory {
                guard ArchiveInput.isTraceEntry(path) else {
                    report(Diagnostic(.error, file: path, message: "not a trace file: a bundle holds *.dtrace.jsonl and *.dtrace files, stored as they are"))
                    continue
                }
                add(name: entryName(path), file: path)
                continue
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            let prefix = entryName(base)
            let listing = FolderWalk.walk(path, where: ArchiveInput.isTraceEntry)
            for problem in listing.unreadable { report(Diagnostic(.error, file: problem.path, message: problem.reason)) }
            for special in listing.special {
                report(Diagnostic(.error, file: base + "/" + special, message: "not a regular file (a pipe, device or socket): a bundle entry needs a size"))
            }
            for relative in listing.files {
                add(name: prefix.isEmpty ? relative : prefix + "/" + relative, file: base + "/" + relative)
            }
        }
        return entries
    }

    /// `path` made relative and free of `.` and `..` parts.
    static func entryName(_ path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        if parts.contains("..") { return parts.last.map(String.init) ?? "" }
        return parts.joined(separator: "/")
    }
}
