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

    private static func em(_ scalar: Unicode.Scalar) -> Double {
        switch scalar {
        case " ", "i", "l", "j", ".", ",", ":", ";", "'", "|", "!", "I": 0.3
        case "f", "t", "r", "(", ")", "[", "]", "-", "\"": 0.4
        case "m", "w", "M", "W", "%", "@": 0.9
        case "A"..."Z": 0.68
        case "0"..."9": 0.6
        case "a"..."z": 0.56
        // CJK and other wide scripts take a full em.
        default: scalar.isASCII ? 0.6 : scalar.value >= 0x2E80 ? 1.0 : 0.7
        }
    }
}
