
/// One input to read: a file or standard input.
public struct TraceInput: Sendable, Hashable {
    public enum Location: Sendable, Hashable {
        case file(String)
        case standardInput
    }

    public let location: Location

    public init(location: Location) {
        self.location = location
    }

    /// The name used in output and messages: the path, or `-`.
    public var displayName: String {
        switch location {
        case .file(let path): path
        case .standardInput: "-"
        }
    }

    /// Opens the input for reading.
    public func open() throws(InputError) -> any ByteSource {
        switch location {
        case .file(let path): try FileByteSource(path: path)
        case .standardInput: FileByteSource(standardInput: ())
        }
    }

    /// File name endings of trace files found when a folder is searched.
    public static let traceExtensions = [".dtrace.jsonl", ".dtrace"]

    /// File name endings of compressed traces and trace bundles also found when
    /// a folder is searched; they are read by the archive module (the CLI routes them there).
    public static let bundleExtensions =
        traceExtensions.flatMap { trace in [".gz", ".zst", ".xz", ".bz2"].map { trace + $0 } }
        + [".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".zip"]

    /// Expands command-line paths into inputs: files as given, `-` as standard
    /// input, folders searched recursively for trace files (sorted by path).
    ///
    /// - Throws: ``InputError/notFound(_:)`` for a path that does not exist.
    public static func expand(_ paths: [String]) throws(InputError) -> [TraceInput] {
        var missing: InputError?
        let inputs = expand(paths) { error in missing = missing ?? error }
        if let missing { throw missing }
        return inputs
    }

    /// Expands paths like ``expand(_:)``, handing each path that does not exist
    /// to `onMissing` and going on with the others.
    public static func expand(_ paths: [String], onMissing: (InputError) -> Void) -> [TraceInput] {
        var inputs: [TraceInput] = []
        for path in paths {
            if path == "-" {
                inputs.append(TraceInput(location: .standardInput))
                continue
            }
            guard let status = FileStatus(path: path) else {
                onMissing(.notFound(path))
                continue
            }
            guard status.isDirectory else {
                inputs.append(TraceInput(location: .file(path)))
                continue
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            let extensions = traceExtensions + bundleExtensions
            let found = FolderWalk.files(under: path) { relative in extensions.contains { relative.hasSuffix($0) } }
            inputs.append(contentsOf: found.map { TraceInput(location: .file(base + "/" + $0)) })
        }
        return inputs
    }
}
