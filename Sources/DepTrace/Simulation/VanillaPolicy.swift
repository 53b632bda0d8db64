/// Keeps every token: the full-cache baseline.
struct VanillaPolicy: EvictionPolicy {
    let sample: SimulationSample
    var largestStep: Int { Int.max }
    var parameters: [(key: String, value: JSONValue)] { [] }

    func victims(toFit queries: Int, visible: Int, created: Int) -> [(stream: Int?, ids: [Int])] { [] }
}
