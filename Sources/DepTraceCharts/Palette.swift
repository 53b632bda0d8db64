/// Colours: the Okabe–Ito palette, distinguishable with the common colour-vision deficiencies.
public enum Palette {
    /// The seven Okabe–Ito colours that read as a line or text on white, in
    /// the order series take them. Yellow (`#F0E442`) is left out: it is too
    /// faint on white; series beyond seven take a dash pattern instead (see ``SeriesStyle``).
    public static let series = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000"]
    public static let ink = "#222222"
    public static let grid = "#E5E5E5"
    public static let axis = "#555555"
    public static let event = "#777777"
    public static let mark = "#D55E00"

    /// The colour of series `index`, cycling after seven (``SeriesStyle`` adds a dash to tell them apart).
    public static func color(_ index: Int) -> String { series[((index % series.count) + series.count) % series.count] }
}
