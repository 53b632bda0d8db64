#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import DepTrace

/// Writes an export's files into a folder, so that the folder always holds one
/// export: every file is written beside its target first, then all are renamed
/// into place together, with stopping signals held back for those renames.
/// A second export into the same folder at the same time is refused (the
/// folder itself is locked with `flock`, so no lock file is left in it).
public enum ExportFolder {
    /// Creates `path` when needed, writes `files` into it, and removes the
    /// files of `owned` that this export did not write, so a folder
    /// exported again never keeps a stale chart beside fresh ones. Other
    /// files (a README, Jupyter's checkpoints) are left alone.
    /// - Throws: ``ExportError`` naming the path that could not be written or
    ///   removed, or the folder another export is writing; the folder is then
    ///   left as it was.
    public static func write(_ files: [ExportFile], to path: String, owned: [String]) throws(ExportError) {
        let folder = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        do {
            try FileSystem.createFolders(path)
            let lock = try FileDescriptor(opening: folder, flags: O_RDONLY | O_DIRECTORY)
            guard flock(lock.rawDescriptor, LOCK_EX | LOCK_NB) == 0 else {
                throw ExportError(description: "\(path): another export is writing into this folder; wait for it to end")
            }
            // Released when `lock` closes, after the last rename.
            var pending: [AtomicFile] = []
            for file in files {
                let target = try AtomicFile(path: folder + "/" + file.name)
                try target.write(file.bytes)
                pending.append(target)
            }
            let written = Set(files.map(\.name))
            try TemporaryFiles.withSignalsDeferred { () throws(InputError) in
                for target in pending { try target.commit() }
                for name in owned where !written.contains(name) {
                    try FileSystem.removeFile(folder + "/" + name)
                }
            }
            withExtendedLifetime(lock) {}
        } catch let error as ExportError {
            throw error
        } catch let error as InputError {
            throw ExportError(description: error.description)
        } catch {
            throw ExportError(description: "\(path): \(error)")
        }
    }
}
