import ArgumentParser
import CCRC32C
import DepTrace
import DepTraceReports

/// The root command: only holds the subcommands.
struct DepTraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deptrace",
        abstract: "Audit the memory claims of KV-cache and reasoning-compression methods from decoder traces.",
        discussion: """
            A trace records, for every forward pass, which token ids each layer/head holds in \
            its KV cache and which it can attend to. DepTrace computes the Dependency metric \
            (Dep) of the LightThinker paper, peak tokens, and timelines from such traces.

            PATH arguments accept trace files (.dtrace.jsonl, .dtrace), compressed traces, .tar/.zip \
            bundles read in place, folders (searched recursively) \
            and - for standard input. Exit codes: 0 success, 1 invalid or failing data, 2 usage error. \
            'deptrace stats --help' defines every metric in one line.

            Examples:
              deptrace stats Traces/
              deptrace stats runs/ --group-by method,dataset
              deptrace timeline Traces/lightthinker.dtrace.jsonl
              deptrace validate Traces/
            """,
        version: DepTraceVersion.current,
        subcommands: [Stats.self, Timeline.self, Chart.self, Validate.self, Convert.self, Bundle.self, Simulate.self, Formula.self, Compare.self, Audit.self, Check.self, Export.self]
    )
}

enum DepTraceVersion {
    static let current = "0.1.0"
}

@main
enum Main {
    static func main() {
        // Binary traces' checksums with SSE4.2 where the CPU has it; the core's tables otherwise.
        if deptrace_crc32c_hardware_available() == 1 { CRC32C.install(deptrace_crc32c_hardware) }
        var failure: (any Error)?
        do {
            var command = try DepTraceCommand.parseAsRoot()
            try command.run()
        } catch {
            failure = ExitCodes.mapped(error)
        }
        // A failed write to standard output turns a success into a failure; other errors keep their code.
        let outputFailed = StandardOutput.flushFailed()
        let succeeded = failure.map { ($0 as? ExitCode)?.rawValue == 0 } ?? true
        if outputFailed, succeeded { DepTraceCommand.exit(withError: ExitCode(1)) }
        if let failure { DepTraceCommand.exit(withError: failure) }
    }
}

/// Standard output's last flush: a full disk or a closed descriptor is never a silent success.
enum StandardOutput {
    /// Flushes standard output; reports its first write error (a closed pipe
    /// is not one) on standard error and returns true when there was one.
    static func flushFailed() -> Bool {
        let output = TextOutput.standardOutput
        output.flush()
        guard let failure = output.failure else { return false }
        TextOutput.standardError.write("error: standard output: \(failure.diagnostic.message)\n")
        TextOutput.standardError.flush()
        return true
    }
}

/// Maps errors to the exit codes DepTrace documents: 2 for usage errors
/// (ArgumentParser's default is 64), 1 for data and input errors.
enum ExitCodes {
    static func mapped(_ error: any Error) -> any Error {
        if error is ExitCode || error is CleanExit { return error }
        let code = DepTraceCommand.exitCode(for: error)
        if code == .validationFailure {
            TextOutput.standardError.write(DepTraceCommand.fullMessage(for: error) + "\n")
            TextOutput.standardError.flush()
            return ExitCode(2)
        }
        if code == .success { return error }
        // Errors thrown from run() are data or input errors: print them as they describe themselves.
        TextOutput.standardError.write("error: \(error)\n")
        TextOutput.standardError.flush()
        return ExitCode(1)
    }
}
