/// Text widths from a fixed table of character widths (in ems, close to
/// DejaVu Sans and Helvetica), so layout never depends on installed fonts.
public enum TextWidth {
    /// The width of `text` set at `size` pixels.
    public static func of(_ text: String, size: Double) -> Double {
        var ems = 0.0
        for scalar in text.unicodeScalars {
            ems += em(scalar)
        }
        return ems * size
    }

    /// Widths of DejaVu Sans (the first font the SVGs ask for, and what
    /// rsvg-convert falls back to), rounded up: wider than Helvetica, so a
    /// layout that fits with these fits with either.
    private static func em(_ scalar: Unicode.Scalar) -> Double {
        switch scalar {
        case " ", ".", ",", ":", ";", "'", "|", "!": 0.34
        case "i", "l", "j", "I": 0.3
        case "f", "t", "(", ")", "[", "]", "-", "\"", "r": 0.42
        case "m", "M", "W", "%", "@", "…": 1.0
        case "w": 0.84
        case "=", "+", "<", ">", "×", "~": 0.84
        case "–": 0.5
        case "—": 1.0
        case "A"..."Z": 0.76
        case "0"..."9": 0.64
        case "a"..."z": 0.63
        // CJK and other wide scripts take a full em.
        default: scalar.isASCII ? 0.64 : scalar.value >= 0x2E80 ? 1.0 : 0.72
        }
    }
}
