/// One input to read: a file, a named pipe or device, or standard input.
public struct TraceInput: Sendable, Hashable {
    public enum Location: Sendable, Hashable {
        /// A regular file, which may be opened more than once and read in pieces.
        case file(String)
        /// A path that is not a regular file (a pipe, a FIFO, `/dev/stdin`, a
        /// process substitution, a character device): opened once and read as a stream.
        case stream(String)
        case standardInput
    }

    public let location: Location

    public init(location: Location) {
        self.location = location
    }

    /// The name used in output and messages: the path, or `-`.
    public var displayName: String {
        switch location {
        case .file(let path), .stream(let path): path
        case .standardInput: "-"
        }
    }

    /// Whether the input can be read only once, front to back.
    public var isStream: Bool {
        switch location {
        case .file: false
        case .stream, .standardInput: true
        }
    }

    /// Opens the input for reading.
    public func open() throws(InputError) -> any ByteSource {
        switch location {
        case .file(let path): try FileByteSource(path: path)
        case .stream(let path): try FileByteSource(streamAt: path)
        case .standardInput: FileByteSource(standardInput: ())
        }
    }

    /// File name endings of trace files found when a folder is searched.
    public static let traceExtensions = [".dtrace.jsonl", ".dtrace"]

    /// File name endings of compressed traces and trace bundles also found when
    /// a folder is searched; they are read by the archive module.
    public static let bundleExtensions =
        traceExtensions.flatMap { trace in [".gz", ".zst", ".xz", ".bz2"].map { trace + $0 } }
        + [".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".zip"]

    /// What a search of command-line paths found.
    public struct Search: Sendable {
        /// The inputs, in the order of the paths; each folder's files sorted by path.
        public var inputs: [TraceInput] = []
        /// The folders searched.
        public var folders: [String] = []
        /// Files in searched folders that are neither traces nor bundles (by name
        /// or by their first bytes): left out, listed so a run that reads nothing can name them.
        public var skipped: [String] = []
        /// Paths that do not exist, folders that could not be read, and pipes or
        /// devices met inside folders: each an error naming its path.
        public var problems: [InputError] = []

        public init() {}
    }

    /// Expands command-line paths into inputs: regular files as given whatever
    /// their names, `-` as standard input, pipes and devices as streams (opened
    /// once), folders searched recursively for traces (sorted by path).
    ///
    /// In a folder, a file is a trace when its name ends in one of
    /// ``traceExtensions`` or ``bundleExtensions``, or when its first bytes are
    /// a DepTrace JSON Lines header or the binary magic (``TraceSniffer``).
    /// - Complexity: one `stat` per path and per folder entry that `readdir`
    ///   does not type; one read of up to 4 KiB per file whose name says nothing.
    public static func search(_ paths: [String]) -> Search {
        var search = Search()
        for path in paths {
            if path == "-" {
                search.inputs.append(TraceInput(location: .standardInput))
                continue
            }
            guard let status = FileStatus(path: path) else {
                search.problems.append(.notFound(path))
                continue
            }
            switch status.kind {
            case .regularFile, .symbolicLink:
                search.inputs.append(TraceInput(location: .file(path)))
                continue
            case .other:
                search.inputs.append(TraceInput(location: .stream(path)))
                continue
            case .directory:
                break
            }
            search.folders.append(path)
            let base = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
            let extensions = traceExtensions + bundleExtensions
            var unnamed: [String] = []
            let listing = FolderWalk.walk(path) { relative in
                if extensions.contains(where: { relative.hasSuffix($0) }) { return true }
                unnamed.append(relative)
                return false
            }
            let candidates = unnamed
            let sniffed = Set(ConcurrentMap.map(count: candidates.count, threads: ProcessorCount.active) { index in
                TraceSniffer.startsWithTrace(path: base + "/" + candidates[index]) ? candidates[index] : nil
            }.compactMap { $0 })
            let files = (listing.files + sniffed).sorted()
            search.inputs += files.map { TraceInput(location: .file(base + "/" + $0)) }
            search.skipped += unnamed.filter { !sniffed.contains($0) }.map { base + "/" + $0 }
            search.problems += listing.unreadable.map { InputError.cannotOpen($0.path, $0.reason) }
            search.problems += listing.special.map {
                InputError.unsupportedContent(base + "/" + $0, "not a regular file (a pipe, device or socket): not opened during a folder search; name it on the command line to read it")
            }
        }
        return search
    }

    /// Expands command-line paths like ``search(_:)``.
    ///
    /// - Throws: the first problem the search met (a path that does not exist,
    ///   a folder that cannot be read).
    public static func expand(_ paths: [String]) throws(InputError) -> [TraceInput] {
        let search = search(paths)
        if let problem = search.problems.first { throw problem }
        return search.inputs
    }
}
