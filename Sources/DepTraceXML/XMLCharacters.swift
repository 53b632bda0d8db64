/// The characters an XML 1.0 document can hold.
///
/// libxml2's writer escapes markup but passes other characters through, and
/// a C string ends at the first NUL: trace metadata holding a control
/// character (form feed, escape, NUL) or U+FFFE/U+FFFF would give an SVG that
/// no parser reads, or lose the rest of the text. Such characters are written
/// as U+FFFD instead; XML has no way to write them at all, not even as `&#12;`.
enum XMLCharacters {
    /// `text` with every character outside XML 1.0's `Char` production replaced by U+FFFD.
    static func replacingInvalid(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !isAllowed($0) }) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            result.append(isAllowed(scalar) ? scalar : "\u{FFFD}")
        }
        return String(result)
    }

    /// `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`
    /// (Swift scalars are never surrogates).
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: true
        case 0x20...0xFFFD: true
        case 0x10000...0x10FFFF: true
        default: false
        }
    }
}
