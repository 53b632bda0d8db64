import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Golden files

/// Whether this run records golden files instead of comparing with them.
public var isRecordingSnapshots: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" }

/// Compares `actual` with the golden file `Snapshots/<name>` beside the calling test file.
///
/// With `RECORD_SNAPSHOTS=1` a missing or different golden file is written anew and the
/// test records an issue saying so, so a recording run never passes unnoticed; rerun
/// without the variable to check. Without it, a missing golden file fails the test.
/// - Parameters:
///   - actual: the text the test produced.
///   - name: the golden file's name, such as `stats-table.txt`.
///   - filePath: the calling test file; its folder holds `Snapshots/`.
///   - sourceLocation: where to report a failure.
public func assertGolden(
    _ actual: String, named name: String,
    filePath: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation
) {
    let folder = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = folder.appendingPathComponent(name)
    let expected = try? String(contentsOf: file, encoding: .utf8)
    if expected == actual { return }
    if isRecordingSnapshots {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("Recorded \(expected == nil ? "new" : "changed") golden file \(file.path); run the tests again without RECORD_SNAPSHOTS=1 to check it.", sourceLocation: sourceLocation)
        } catch {
            Issue.record("Could not record golden file \(file.path): \(error)", sourceLocation: sourceLocation)
        }
        return
    }
    guard let expected else {
        Issue.record("No golden file \(file.path); record it with RECORD_SNAPSHOTS=1 swift test, then read it before committing.", sourceLocation: sourceLocation)
        return
    }
    Issue.record("Output differs from golden file Snapshots/\(name): \(firstDifference(expected, actual)). If the change is intended, record it again with RECORD_SNAPSHOTS=1.", sourceLocation: sourceLocation)
}

/// The first line where two texts differ, both versions quoted so whitespace shows.
func firstDifference(_ expected: String, _ actual: String) -> String {
    let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let line = (0..<min(old.count, new.count)).first { old[$0] != new[$0] } ?? min(old.count, new.count)
    func quoted(_ lines: [Substring]) -> String { line < lines.count ? String(reflecting: String(lines[line])) : "<end of text>" }
    return "line \(line + 1): expected \(quoted(old)), got \(quoted(new)) (\(old.count) lines expected, \(new.count) got)"
}

// MARK: - Running the built tool

/// The folder that holds the built products (`.build/<config>/`, or the --scratch-path's).
///
/// On Linux the test runner is itself an executable in that folder; on macOS the test
/// bundle (`.xctest`) sits in it. Falls back to `.build/debug` of this package.
public var productsDirectory: URL {
    var candidates = Bundle.allBundles.map(\.bundleURL).filter { $0.pathExtension == "xctest" }.map { $0.deletingLastPathComponent() }
    candidates.append(Bundle.main.bundleURL.pathExtension == "xctest" ? Bundle.main.bundleURL.deletingLastPathComponent() : Bundle.main.bundleURL)
    if let executable = Bundle.main.executableURL { candidates.append(executable.resolvingSymlinksInPath().deletingLastPathComponent()) }
    if let first = CommandLine.arguments.first { candidates.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent()) }
    if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("deptrace").path) }) {
        return found
    }
    // Sources/_DepTraceTestSupport/Golden.swift → the package root.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug")
}

/// What one run of a process gave.
public struct ProcessResult: Sendable {
    public let stdout: String
    public let stderr: String
    public let status: Int32
}

/// An error that stops a test before the tool even runs.
public struct ProcessLaunchError: Error, CustomStringConvertible {
    public let description: String
}

/// Runs the built `deptrace` with `arguments`.
/// - Parameters:
///   - stdin: text for its standard input; nil gives it an empty one (never the test runner's).
///   - currentDirectory: its working directory; nil keeps the test's.
///   - environment: variables to set on top of the test's; `COLUMNS` is 80 unless given, so
///     help texts wrap the same on every terminal. A nil value removes a variable.
/// - Throws: ``ProcessLaunchError`` when the executable is not built or cannot start.
public func runDepTrace(
    _ arguments: [String], stdin: String? = nil, currentDirectory: URL? = nil, environment: [String: String?] = [:]
) throws -> ProcessResult {
    let executable = productsDirectory.appendingPathComponent("deptrace")
    guard FileManager.default.isExecutableFile(atPath: executable.path) else {
        throw ProcessLaunchError(description: "No deptrace executable at \(executable.path); build it with 'swift build --build-tests' first.")
    }
    return try runProcess(executable, arguments, stdin: stdin, currentDirectory: currentDirectory, environment: environment)
}

/// Runs `executable` with pipes for its three standard streams, reading both outputs
/// concurrently so that neither pipe can fill up and block the child.
public func runProcess(
    _ executable: URL, _ arguments: [String], stdin: String? = nil, currentDirectory: URL? = nil, environment: [String: String?] = [:]
) throws -> ProcessResult {
    // A child that exits before reading all of its input must not kill the test runner.
    signal(SIGPIPE, SIG_IGN)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    var variables = ProcessInfo.processInfo.environment
    variables["COLUMNS"] = "80"
    for (key, value) in environment { variables[key] = value }
    process.environment = variables
    let output = Pipe(), errors = Pipe(), input = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = input
    do { try process.run() } catch {
        throw ProcessLaunchError(description: "Could not start \(executable.path): \(error)")
    }
    let group = DispatchGroup()
    let errorData = DataBox()
    let errorHandle = errors.fileHandleForReading, inputHandle = input.fileHandleForWriting
    DispatchQueue.global().async(group: group) { errorData.data = errorHandle.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) {
        if let stdin { try? inputHandle.write(contentsOf: Data(stdin.utf8)) }
        try? inputHandle.close()
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(
        stdout: String(decoding: outputData, as: UTF8.self),
        stderr: String(decoding: errorData.data, as: UTF8.self),
        status: process.terminationStatus)
}

/// Holds what a background reader read; the dispatch group orders the access.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
