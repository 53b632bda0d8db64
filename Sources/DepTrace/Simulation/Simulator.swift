/// Plays a method's cache policy over samples and writes one trace per sample
/// through a ``TraceWriter``.
///
///     var configuration = SimulationConfiguration(method: .h2o)
///     configuration.budget = 512
///     let simulator = try Simulator(configuration)
///     let writer = try TraceWriter(path: "h2o.dtrace")
///     try simulator.write(SimulationSample.sampled(count: 100, seed: 1), to: writer)
///     try writer.close()
///
/// Every header has `method`, `dataset`, `sample`, the budget where the method has
/// one, and `meta` with `origin` (simulated), `seed`, the closed form the trace is
/// read with (`formula`) and the policy's parameters. Nothing depends on the clock
/// or the machine: a seed gives the same bytes.
public struct Simulator: Sendable {
    public let configuration: SimulationConfiguration

    /// - Throws: ``SimulationError/invalidParameter(_:)`` when the configuration is invalid.
    public init(_ configuration: SimulationConfiguration) throws(SimulationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// The policy planned for `sample`, the `index`-th sample of the run.
    func policy(for sample: SimulationSample, index: Int) -> any SimulationPolicy {
        let c = configuration
        switch c.method {
        case .vanilla:
            return VanillaPolicy(sample: sample)
        case .window:
            return WindowPolicy(sample: sample, sinks: c.sinks, window: c.window)
        case .h2o:
            return H2OPolicy(sample: sample, index: index, seed: c.seed, budget: c.budget, recent: c.effectiveRecent, layers: c.layers, heads: c.heads)
        case .sepllm:
            return SepLLMPolicy(sample: sample, index: index, seed: c.seed, budget: c.budget, initial: c.initial,
                                recent: c.effectiveRecent, separators: c.separators, separatorRate: c.separatorRate)
        case .anllm:
            return AnLLMPolicy(sample: sample, index: index, seed: c.seed, mean: c.thoughtMean)
        case .lightthinkerThought:
            return LightThinkerThoughtPolicy(sample: sample, index: index, seed: c.seed, gist: c.gist, mean: c.thoughtMean)
        case .lightthinkerToken:
            return LightThinkerTokenPolicy(sample: sample, gist: c.gist, every: c.every)
        }
    }

    /// The closed form the trace of `sample` is read with, with its parameters.
    public func closedForm(for sample: SimulationSample, index: Int) -> ClosedFormInput {
        policy(for: sample, index: index).closedForm
    }

    /// The header of the trace of `sample`.
    public func header(for sample: SimulationSample, index: Int) -> TraceHeader {
        header(for: sample, policy: policy(for: sample, index: index))
    }

    private func header(for sample: SimulationSample, policy: any SimulationPolicy) -> TraceHeader {
        var meta: [(key: String, value: JSONValue)] = [
            ("origin", .string("simulated by deptrace simulate, not recorded from a model")),
            ("seed", .number(String(configuration.seed))),
            ("formula", .string(policy.closedForm.form.rawValue)),
        ]
        meta.append(contentsOf: policy.parameters)
        return TraceHeader(
            method: configuration.method.rawValue, model: configuration.model, dataset: configuration.dataset,
            sample: sample.id, layers: policy.layers, heads: policy.heads, budget: policy.budget, meta: meta)
    }

    /// Writes the trace of `sample`, the `index`-th sample of the run, header to `end`.
    ///
    /// - Throws: ``SimulationError/invalidParameter(_:)`` for impossible lengths,
    ///   ``SimulationError/writer(_:)`` when the writer fails.
    public func write(_ sample: SimulationSample, index: Int, to writer: TraceWriter) throws(SimulationError) {
        if let problem = sample.problem() { throw .invalidParameter("sample \(sample.id): \(problem)") }
        var policy = policy(for: sample, index: index)
        do {
            try writer.begin(header(for: sample, policy: policy))
            try policy.play(on: writer)
            try writer.end()
        } catch {
            throw .writer(error)
        }
    }

    /// Writes one trace per sample, in order; the writer is left open.
    public func write(_ samples: [SimulationSample], to writer: TraceWriter) throws(SimulationError) {
        for (index, sample) in samples.enumerated() { try write(sample, index: index, to: writer) }
    }
}
