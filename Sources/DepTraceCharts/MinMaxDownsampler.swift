/// Keeps a long sequence of values as at most `capacity` buckets of
/// consecutive steps, each with its exact minimum and maximum, in memory
/// independent of the sequence's length: the peak of the drawing is the
/// exact peak of the data.
///
/// Buckets cover `width` steps each; when they are all used, neighbours are
/// merged pairwise and `width` doubles.
/// - Complexity: O(1) amortised per value; O(capacity) memory.
public struct MinMaxDownsampler: Sendable {
    public struct Bucket: Sendable, Hashable {
        public var minimum: Int
        public var minimumStep: Int
        public var maximum: Int
        public var maximumStep: Int

        func merged(_ other: Bucket) -> Bucket {
            var result = self
            // Ties keep the earlier step, so the first peak is the one marked.
            if other.minimum < minimum { result.minimum = other.minimum; result.minimumStep = other.minimumStep }
            if other.maximum > maximum { result.maximum = other.maximum; result.maximumStep = other.maximumStep }
            return result
        }
    }

    public let capacity: Int
    public private(set) var width = 1
    public private(set) var buckets: [Bucket] = []
    /// Values added.
    public private(set) var count = 0

    /// - Parameter capacity: the most buckets kept; rounded up to an even number, at least 2.
    public init(capacity: Int) {
        self.capacity = max(2, capacity + capacity % 2)
        buckets.reserveCapacity(self.capacity)
    }

    public mutating func add(_ value: Int) {
        var index = count / width
        if index == buckets.count, buckets.count == capacity {
            var merged: [Bucket] = []
            merged.reserveCapacity(capacity)
            for pair in stride(from: 0, to: buckets.count, by: 2) { merged.append(buckets[pair].merged(buckets[pair + 1])) }
            buckets = merged
            width *= 2
            index = count / width
        }
        if index == buckets.count {
            buckets.append(Bucket(minimum: value, minimumStep: count, maximum: value, maximumStep: count))
        } else {
            buckets[index] = buckets[index].merged(Bucket(minimum: value, minimumStep: count, maximum: value, maximumStep: count))
        }
        count += 1
    }

    /// The points to draw, in step order: one per bucket whose extremes coincide, else two.
    public var points: [(step: Int, value: Int)] {
        var result: [(step: Int, value: Int)] = []
        result.reserveCapacity(buckets.count * 2)
        for bucket in buckets {
            if bucket.minimumStep == bucket.maximumStep {
                result.append((bucket.minimumStep, bucket.minimum))
            } else if bucket.minimumStep < bucket.maximumStep {
                result.append((bucket.minimumStep, bucket.minimum))
                result.append((bucket.maximumStep, bucket.maximum))
            } else {
                result.append((bucket.maximumStep, bucket.maximum))
                result.append((bucket.minimumStep, bucket.minimum))
            }
        }
        return result
    }

    /// The largest value and its first step, or nil when empty.
    public var peak: (step: Int, value: Int)? {
        var best: Bucket?
        for bucket in buckets where bucket.maximum > (best?.maximum ?? Int.min) || best == nil { best = bucket }
        return best.map { ($0.maximumStep, $0.maximum) }
    }
}
