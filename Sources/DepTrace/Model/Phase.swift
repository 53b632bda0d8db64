/// The phase of a step record: what the forward pass was for.
public enum Phase: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Reading the prompt.
    case prefill = 0
    /// Generating output tokens.
    case decode = 1
    /// A pass that writes compression (gist) tokens.
    case compress = 2

    /// The name used in the JSONL encoding.
    public var description: String {
        switch self {
        case .prefill: "prefill"
        case .decode: "decode"
        case .compress: "compress"
        }
    }

    /// Parses a phase name of the JSONL encoding.
    public init?(name: String) {
        switch name {
        case "prefill": self = .prefill
        case "decode": self = .decode
        case "compress": self = .compress
        default: return nil
        }
    }

    /// The kind of token a step creates when its record gives none.
    public var defaultKind: TokenKind {
        switch self {
        case .prefill: .prompt
        case .decode: .output
        case .compress: .gist
        }
    }
}

/// A set of phases, for choosing which steps count toward Dep.
public struct PhaseSet: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let prefill = PhaseSet(rawValue: 1 << Phase.prefill.rawValue)
    public static let decode = PhaseSet(rawValue: 1 << Phase.decode.rawValue)
    public static let compress = PhaseSet(rawValue: 1 << Phase.compress.rawValue)
    public static let all: PhaseSet = [.prefill, .decode, .compress]

    /// The set holding one phase.
    public init(_ phase: Phase) { self.init(rawValue: 1 << phase.rawValue) }

    /// Whether `phase` is in the set.
    public func contains(_ phase: Phase) -> Bool { rawValue & (1 << phase.rawValue) != 0 }

    /// Parses a comma-separated list such as `decode,prefill`; nil names the unknown entry.
    public static func parse(_ list: String) -> Result<PhaseSet, ParseError> {
        var set: PhaseSet = []
        for name in list.split(separator: ",", omittingEmptySubsequences: true) {
            let trimmed = name.trimmingCharacters(in: " ")
            if trimmed == "all" { set.formUnion(.all); continue }
            guard let phase = Phase(name: trimmed) else { return .failure(ParseError(name: trimmed)) }
            set.insert(PhaseSet(phase))
        }
        return set.isEmpty ? .failure(ParseError(name: list)) : .success(set)
    }

    /// An unknown phase name in a list.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let name: String
        public var description: String {
            "unknown phase '\(name)': expected a comma-separated list of prefill, decode, compress or all"
        }
    }

    /// The phases in order, comma-separated.
    public var description: String {
        Phase.allCases.filter(contains).map(\.description).joined(separator: ",")
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}

/// What a step's tokens are.
public enum TokenKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case prompt = 0
    case output = 1
    case gist = 2
    case special = 3

    /// The name used in the JSONL encoding.
    public var description: String {
        switch self {
        case .prompt: "prompt"
        case .output: "output"
        case .gist: "gist"
        case .special: "special"
        }
    }

    /// Parses a kind name of the JSONL encoding.
    public init?(name: String) {
        switch name {
        case "prompt": self = .prompt
        case "output": self = .output
        case "gist": self = .gist
        case "special": self = .special
        default: return nil
        }
    }
}
