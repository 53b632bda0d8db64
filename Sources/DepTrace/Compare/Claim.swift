/// One cell of a paper's table: a method's claimed value of a metric on a
/// dataset, with the tolerance a reviewer grants.
public struct Claim: Sendable, Hashable {
    public var method: String
    /// The dataset, or nil for the average over every dataset of the method (Table 1's reading).
    public var dataset: String?
    /// A per-trace metric name (its mean over traces is measured), or `accuracy` (`acc`) in percent.
    public var metric: String
    public var value: Double
    /// The largest accepted difference: absolute, or relative to `value` when `relative`.
    public var tolerance: Double
    public var relative: Bool

    public init(method: String, dataset: String?, metric: String, value: Double, tolerance: Double = 0, relative: Bool = false) {
        self.method = method
        self.dataset = dataset
        self.metric = metric
        self.value = value
        self.tolerance = tolerance
        self.relative = relative
    }

    /// The accepted difference in the metric's units.
    public var allowedDifference: Double { relative ? abs(value) * tolerance / 100 : tolerance }
}

/// A claims file that cannot be read, with where and why.
public struct ClaimsFileError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Reads claims files: a JSON array of objects, or CSV with a header row,
/// both with the fields `method`, `dataset`, `metric`, `value`, `tolerance`.
///
/// Values may carry the paper's suffixes (`16.6M`, `4.4K`, `62.9%`); a
/// tolerance ending in `%` is relative to the claimed value. An empty
/// dataset, `*`, `all` or `average` means the average over datasets.
public enum ClaimsFile {
    /// Metrics a claim may name besides the per-trace ones.
    public static let accuracyNames: Set<String> = ["accuracy", "acc"]

    /// Parses `text`; JSON when its first non-blank character is `[`.
    /// - Throws: ``ClaimsFileError`` naming the entry and field at fault.
    public static func parse(_ text: String) throws(ClaimsFileError) -> [Claim] {
        let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\u{FEFF}" }
        return trimmed.first == "[" ? try parseJSON(String(trimmed)) : try parseCSV(String(trimmed))
    }

    static func parseJSON(_ text: String) throws(ClaimsFileError) -> [Claim] {
        var bytes = Array(text.utf8)
        bytes.append(0x20)
        let parsed: Result<JSONValue, JSONCursor.SyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            var cursor = JSONCursor(buffer)
            do throws(JSONCursor.SyntaxError) {
                cursor.skipWhitespace()
                return .success(try cursor.parseValue())
            } catch { return .failure(error) }
        }
        let value: JSONValue
        switch parsed {
        case .success(let parsedValue): value = parsedValue
        case .failure(let error): throw ClaimsFileError("claims file: not JSON: \(error)")
        }
        guard case .array(let entries) = value else { throw ClaimsFileError("claims file: a JSON claims file is an array of objects") }
        var claims: [Claim] = []
        for (index, entry) in entries.enumerated() {
            guard case .object = entry else { throw ClaimsFileError("claims file: entry \(index + 1) is not an object") }
            func field(_ name: String) -> String? {
                switch entry[name] {
                case .string(let text)?: text
                case .number(let text)?: text
                default: nil
                }
            }
            claims.append(try claim(field, where: "entry \(index + 1)"))
        }
        return claims
    }

    static func parseCSV(_ text: String) throws(ClaimsFileError) -> [Claim] {
        let rows = csvRows(text).filter { !($0.count == 1 && $0[0].isEmpty) }
        guard let header = rows.first?.map({ $0.lowercased() }) else { throw ClaimsFileError("claims file: empty") }
        for required in ["method", "metric", "value"] where !header.contains(required) {
            throw ClaimsFileError("claims file: the CSV header has no '\(required)' column (expected method,dataset,metric,value,tolerance)")
        }
        var claims: [Claim] = []
        for (index, row) in rows.dropFirst().enumerated() {
            func field(_ name: String) -> String? {
                guard let column = header.firstIndex(of: name), column < row.count else { return nil }
                return row[column]
            }
            claims.append(try claim(field, where: "line \(index + 2)"))
        }
        return claims
    }

    private static func claim(_ field: (String) -> String?, where place: String) throws(ClaimsFileError) -> Claim {
        guard let method = field("method"), !method.isEmpty else { throw ClaimsFileError("claims file: \(place): no 'method'") }
        guard let metric = field("metric")?.lowercased(), !metric.isEmpty else { throw ClaimsFileError("claims file: \(place): no 'metric'") }
        guard accuracyNames.contains(metric) || MetricCatalog.names.contains(metric) else {
            throw ClaimsFileError("claims file: \(place): unknown metric '\(metric)' (use accuracy or a metric of 'deptrace stats --help')")
        }
        guard let valueText = field("value"), let value = number(valueText) else {
            throw ClaimsFileError("claims file: \(place): 'value' must be a number such as 972, 4.4M or 62.9%")
        }
        var tolerance = 0.0, relative = false
        if var text = field("tolerance")?.trimmed, !text.isEmpty {
            if text.hasSuffix("%") { relative = true; text.removeLast() }
            guard let parsed = Double(text.trimmed), parsed >= 0 else { throw ClaimsFileError("claims file: \(place): 'tolerance' must be a number ≥ 0, or a percentage such as 5%") }
            tolerance = parsed
        }
        let dataset = field("dataset")?.trimmed
        let average = dataset.map { ["", "*", "all", "average"].contains($0.lowercased()) } ?? true
        return Claim(method: method, dataset: average ? nil : dataset, metric: metric == "acc" ? "accuracy" : metric,
                     value: value, tolerance: tolerance, relative: relative)
    }

    /// A number with an optional `K`, `M`, `G` or `%` suffix (`%` is dropped: accuracies are in percent).
    static func number(_ text: String) -> Double? {
        var digits = text.trimmed.replacingCommas
        var scale = 1.0
        switch digits.last {
        case "K", "k": scale = 1e3
        case "M", "m": scale = 1e6
        case "G", "g", "B", "b": scale = 1e9
        case "%": scale = 1
        default: return Double(digits)
        }
        digits.removeLast()
        return Double(digits.trimmed).map { $0 * scale }
    }

    /// RFC 4180 rows: quoted fields may hold commas, quotes and newlines.
    static func csvRows(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false, afterQuote = false
        for character in text {
            if quoted {
                if character == "\"" { quoted = false; afterQuote = true } else { field.append(character) }
                continue
            }
            switch character {
            case "\"":
                if afterQuote { field.append("\"") }
                quoted = true
            case ",": row.append(field.trimmed); field = ""
            case "\n", "\r\n", "\r": row.append(field.trimmed); rows.append(row); row = []; field = ""
            default: field.append(character)
            }
            afterQuote = false
        }
        if !field.isEmpty || !row.isEmpty { row.append(field.trimmed); rows.append(row) }
        return rows
    }
}

extension String {
    fileprivate var trimmed: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    fileprivate var replacingCommas: String { String(filter { $0 != "_" }) }
}
