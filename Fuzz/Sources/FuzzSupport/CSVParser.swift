/// A strict RFC 4180 reader, to check that CSV written from hostile text reads back as written.
public enum CSVParser {
    /// The records of `text` (lines end in `\n`, or `\r\n` outside quotes), or nil when it is not valid CSV.
    public static func parse(_ text: String) -> [[String]]? {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false, wasQuoted = false, atFieldStart = true
        var characters = Array(text.unicodeScalars)[...]
        while let scalar = characters.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if characters.first == "\"" { characters.removeFirst(); field.unicodeScalars.append("\"") } else { quoted = false }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"":
                guard atFieldStart else { return nil }
                quoted = true
                wasQuoted = true
                atFieldStart = false
            case ",":
                record.append(field)
                field = ""
                atFieldStart = true
                wasQuoted = false
            case "\r" where characters.first == "\n":
                continue
            case "\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
                atFieldStart = true
                wasQuoted = false
            default:
                // Text after a closing quote, or a bare CR, is not CSV.
                guard !wasQuoted, scalar != "\r" else { return nil }
                field.unicodeScalars.append(scalar)
                atFieldStart = false
            }
        }
        guard !quoted, record.isEmpty, field.isEmpty else { return nil }
        return records
    }

    /// Checks that `text` is CSV whose records all have as many fields as its first; returns the records.
    @discardableResult
    public static func checkRectangular(_ text: String, _ what: String) -> [[String]] {
        guard let records = parse(text) else { Invariant.fail("\(what): not valid CSV:\n\(text)") }
        if let width = records.first?.count {
            for (index, record) in records.enumerated() where record.count != width {
                Invariant.fail("\(what): record \(index) has \(record.count) fields, the header \(width):\n\(text)")
            }
        }
        return records
    }
}
