#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Temporary files and folders that outputs are written into before they are
/// renamed into place. They are removed when their writer gives up, and also
/// when the process is stopped by SIGINT, SIGTERM or SIGHUP: a killed command
/// leaves neither a half-written output nor its temporary file.
///
/// The signal handler may run at any instruction, so it only reads a fixed
/// table of C strings and calls `unlink`, `rmdir` and `raise`, which are
/// async-signal-safe.
public enum TemporaryFiles {
    /// Most paths registered at once; beyond it paths are still removed by
    /// their writers, just not by the signal handler.
    static let capacity = 1024

    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let slots = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        slots.initialize(repeating: nil, count: capacity)
        return slots
    }()
    /// A stopping signal that arrived while signals were deferred (0: none).
    private static let deferredSignal = Atomic<Int32>(0)
    /// Whether stopping signals wait (``withSignalsDeferred(_:)``).
    private static let deferring = Atomic<Bool>(false)

    /// Runs `body` with SIGINT, SIGTERM and SIGHUP held back: one that arrives
    /// meanwhile takes effect (temporary files removed, process stopped) only
    /// when `body` returns. For a few renames that must happen all together.
    public static func withSignalsDeferred<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        handlersInstalled.withLock { installed in
            if !installed {
                installHandlers()
                installed = true
            }
        }
        deferring.store(true, ordering: .sequentiallyConsistent)
        defer {
            deferring.store(false, ordering: .sequentiallyConsistent)
            let pending = deferredSignal.exchange(0, ordering: .sequentiallyConsistent)
            if pending != 0 { removeAndReraise(pending) }
        }
        return try body()
    }

    /// Whether the handler should only note `signalNumber` for later.
    fileprivate static func deferred(_ signalNumber: Int32) -> Bool {
        guard deferring.load(ordering: .sequentiallyConsistent) else { return false }
        deferredSignal.store(signalNumber, ordering: .sequentiallyConsistent)
        return true
    }

    /// Guards the table's writers; holds whether the signal handlers are installed.
    private static let handlersInstalled = Mutex(false)

    /// Registers `path` for removal on a stopping signal; returns its slot
    /// (nil when the table is full).
    static func register(_ path: String) -> Int? {
        handlersInstalled.withLock { installed in
            if !installed {
                installHandlers()
                installed = true
            }
            for index in 0..<capacity where slots[index] == nil {
                slots[index] = strdup(path)
                return index
            }
            return nil
        }
    }

    /// Forgets the path in `slot` (renamed into place, or removed by its writer).
    static func unregister(_ slot: Int?) {
        guard let slot else { return }
        handlersInstalled.withLock { _ in
            let path = slots[slot]
            slots[slot] = nil
            free(path)
        }
    }

    private static func installHandlers() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            // A signal the parent set to be ignored (nohup) stays ignored.
            var previous = sigaction()
            guard sigaction(signalNumber, nil, &previous) == 0, !isIgnored(previous) else { continue }
            var action = sigaction()
            #if canImport(Darwin)
            action.__sigaction_u.__sa_handler = removeAndReraise
            #else
            action.__sigaction_handler.sa_handler = removeAndReraise
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signalNumber, &action, nil)
        }
    }

    private static func isIgnored(_ action: sigaction) -> Bool {
        #if canImport(Darwin)
        return unsafeBitCast(action.__sigaction_u.__sa_handler, to: Int.self) == 1
        #else
        return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == 1
        #endif
    }

    /// Removes every registered path, files before the folders holding them
    /// (folders are registered before their files), then dies of the signal.
    fileprivate static func removeAll() {
        var index = capacity - 1
        while index >= 0 {
            if let path = slots[index] {
                if unlink(path) != 0 { rmdir(path) }
            }
            index -= 1
        }
    }
}

private func removeAndReraise(_ signalNumber: Int32) {
    if TemporaryFiles.deferred(signalNumber) { return }
    TemporaryFiles.removeAll()
    signal(signalNumber, SIG_DFL)
    raise(signalNumber)
}
