/// A chart's width or height as given on the command line: pixels (`800`,
/// `800px`) or inches (`6.5in`, at 96 pixels per inch, the CSS and SVG
/// inch that `rsvg-convert` uses for PDF pages).
public struct ChartLength: Sendable, Hashable, CustomStringConvertible {
    /// Pixels per inch.
    public static let pixelsPerInch = 96.0

    /// The length in pixels (SVG user units).
    public var pixels: Double
    /// The text it was parsed from.
    public var description: String

    /// A length of `pixels` pixels.
    public init(pixels: Double) {
        self.pixels = pixels
        description = NumberFormat.fixed(pixels, decimals: 1)
    }

    /// Parses `800`, `800px`, `6.5in` or `6.5 in`; nil for anything else
    /// (a negative, non-finite or unit-less fraction of a pixel is accepted
    /// here and refused by the range check of the caller).
    public init?(_ text: String) {
        var body = Substring(text.lowercased())
        while body.last == " " { body.removeLast() }
        var scale = 1.0
        if body.hasSuffix("px") {
            body.removeLast(2)
        } else if body.hasSuffix("in") {
            body.removeLast(2)
            scale = Self.pixelsPerInch
        }
        while body.last == " " { body.removeLast() }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              body.filter({ $0 == "." }).count <= 1, let value = Double(body), value.isFinite else { return nil }
        pixels = (value * scale).rounded()
        description = text
    }
}
