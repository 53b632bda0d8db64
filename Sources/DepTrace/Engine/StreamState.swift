/// The state and running metrics of one stream, or of several streams that
/// have only ever received the same records and so share it.
///
/// The visible set is stored as what it lacks: `V = R − hidden`. Eviction
/// methods never hide, so `hidden` stays empty and each record edits one set.
struct StreamState: Sendable {
    /// Ids whose keys and values are in memory (`R`).
    var resident = IdSet()
    /// Resident ids masked from attention (`R − V`).
    var hidden = IdSet()
    /// Sum of step Dep over counted steps.
    var dep = 0
    /// Max over steps of `|V| + n`.
    var peak = 0
    /// Max over steps of `|R| + n`.
    var residentPeak = 0
    var evictEvents = 0
    var evictedTokens = 0
    var hiddenTokens = 0

    /// `|V|`.
    var visibleCount: Int { resident.count &- hidden.count }

    /// `V`, built on demand (snaps, inspection).
    var visible: IntervalSet { hidden.isEmpty ? resident.intervalSet : resident.intervalSet.subtracting(hidden.intervalSet) }

    /// Ranges and bitmap blocks held, in units of one range.
    var storedUnits: Int { resident.storedUnits &+ hidden.storedUnits }

    /// Applies a step whose new ids are `ids`, checked already not to
    /// overflow: its Dep when `triangle`, the step's `n(n+1)/2`, is given (the
    /// step is counted), and peaks; then adds the ids to the resident set.
    ///
    /// - Returns: `|V| + n` and `|R| + n` before the ids were added, and the
    ///   ranges and blocks the sets hold in addition (``storedUnits``).
    @inline(__always)
    mutating func step(_ ids: Range<Int>, triangle: Int?) -> (attended: Int, held: Int, unitsAdded: Int) {
        let n = ids.count
        let residentCount = resident.count
        let visible = residentCount &- hidden.count
        if let triangle { dep &+= n &* visible &+ triangle }
        peak = Swift.max(peak, visible &+ n)
        residentPeak = Swift.max(residentPeak, residentCount &+ n)
        let before = storedUnits
        resident.insert(ids)
        return (visible &+ n, residentCount &+ n, storedUnits &- before)
    }

    /// Evicts `range` when every id of it is resident and the evicted-token
    /// count cannot overflow; returns false, changing nothing, otherwise.
    @inline(__always)
    mutating func evict(_ range: Range<Int>) -> Bool {
        let (tokens, overflow) = evictedTokens.addingReportingOverflow(range.count)
        guard !overflow, resident.removeIfAllPresent(range) else { return false }
        if !hidden.isEmpty { hidden.remove(range) }
        evictEvents &+= 1
        evictedTokens = tokens
        return true
    }

    /// The smallest id of `range` that is not visible, or nil.
    func firstNotVisible(in range: Range<Int>) -> Int? {
        let missing = resident.firstMissing(in: range)
        let masked = hidden.firstPresent(in: range)
        switch (missing, masked) {
        case let (a?, b?): return Swift.min(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        case (nil, nil): return nil
        }
    }
}
