/// CSV fields quoted as RFC 4180 asks.
enum CSV {
    /// Looked for scalar by scalar: `"\r\n"` is one `Character`, equal to
    /// neither `"\r"` nor `"\n"`, and a quote or comma followed by a combining
    /// mark is a `Character` other than `"` or `,`; either would go unquoted.
    static func field(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in text.unicodeScalars {
            if scalar == "\"" { quoted.append("\"") }
            quoted.append(scalar)
        }
        quoted.append("\"")
        return String(quoted)
    }
}
