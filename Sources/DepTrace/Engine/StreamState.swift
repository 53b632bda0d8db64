/// The state and running metrics of one stream, or of several streams that
/// have only ever received the same records and so share it.
struct StreamState: Sendable {
    /// Ids whose keys and values are in memory.
    var resident = IntervalSet()
    /// Ids a new query can attend to; a subset of `resident`.
    var visible = IntervalSet()
    /// Sum of step Dep over counted steps.
    var dep = 0
    /// Max over steps of `|V| + n`.
    var peak = 0
    /// Max over steps of `|R| + n`.
    var residentPeak = 0
    var evictEvents = 0
    var evictedTokens = 0
    var hiddenTokens = 0
}
