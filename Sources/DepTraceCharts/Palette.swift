/// Colours: the Okabe–Ito palette, distinguishable with the common colour-vision deficiencies.
public enum Palette {
    // Yellow last: it is hard to read as text or a thin line on white.
    public static let series = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442"]
    public static let ink = "#222222"
    public static let grid = "#E5E5E5"
    public static let axis = "#555555"
    public static let event = "#777777"
    public static let mark = "#D55E00"

    /// The colour of series `index`, cycling after eight.
    public static func color(_ index: Int) -> String { series[index % series.count] }
}
