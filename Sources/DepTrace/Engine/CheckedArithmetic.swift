/// Integer arithmetic for metrics: overflow is an error naming the metric, never a wrap.
enum Checked {
    @inline(__always)
    static func add(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws(RuleViolation) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { throw .overflow(what()) }
        return sum
    }

    @inline(__always)
    static func multiply(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws(RuleViolation) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw .overflow(what()) }
        return product
    }

    /// `n(n+1)/2`, the Dep of the causal attention among a step's own queries.
    @inline(__always)
    static func triangle(_ n: Int) throws(RuleViolation) -> Int {
        // n < 2^53, so one of n and n+1 is even and halving first cannot lose a bit.
        n & 1 == 0 ? try multiply(n >> 1, n &+ 1, "step Dep") : try multiply(n, (n &+ 1) >> 1, "step Dep")
    }
}
